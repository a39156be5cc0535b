/**
 * The caches of the read path, each with one switch,
 * `environments.cache.<name>: true | false`. The README's "Caches of the
 * read path" says what each keeps, its key, its lifetime and why serving from
 * it is correct; each class of this folder says the same beside its code.
 */
export const READ_PATH_CACHES = [
  'catalogListing',
  'awsConfiguration',
  'awsDescriptions',
  'snapshotCopies',
  'evaluations',
  'latestRuns',
  'responseBodies',
  'permissionDecisions',
] as const;

export type ReadPathCache = (typeof READ_PATH_CACHES)[number];

/** Which caches of the read path are on. */
export type ReadPathCacheSwitches = Record<ReadPathCache, boolean>;

/**
 * Every cache on but the permission decisions: the permission check runs on
 * every request unless a deployment measures that reusing decisions pays.
 */
export const DEFAULT_CACHE_SWITCHES: ReadPathCacheSwitches = {
  catalogListing: true,
  awsConfiguration: true,
  awsDescriptions: true,
  snapshotCopies: true,
  evaluations: true,
  latestRuns: true,
  responseBodies: true,
  permissionDecisions: false,
};
