export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Load, desired counts and alarm states change in steps of this size. */
export const BUCKET = 5 * MINUTE;

/** Deployment revisions are counted from here. */
export const REVISION_EPOCH = Date.UTC(2026, 8, 1);

/** When the scenario's resources were "created" in AWS. */
export const CREATED_AT = Date.UTC(2025, 5, 2, 9, 30);

// module-level: global Math lookups are slow inside Jest's sandbox
const { floor } = Math;

export function bucketOf(time: number): number {
  return floor(time / BUCKET);
}

export function bucketStart(bucket: number): number {
  return bucket * BUCKET;
}
