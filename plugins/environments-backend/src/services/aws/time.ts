/**
 * An AWS timestamp as ISO 8601. The SDK's own parse gives a Date; the plain
 * JSON parse of the hot ECS reads (see `clients.ts`) gives epoch seconds.
 */
export function isoTime(value: Date | number | undefined): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  return (
    typeof value === 'number' ? new Date(value * 1000) : value
  ).toISOString();
}

/** An AWS timestamp as epoch seconds, to order by; -Infinity when absent. */
export function epochSeconds(value: Date | number | undefined): number {
  if (value === undefined || value === null) {
    return -Infinity;
  }
  return typeof value === 'number' ? value : value.getTime() / 1000;
}
