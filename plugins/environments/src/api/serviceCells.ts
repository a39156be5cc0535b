import {
  EnvironmentDetailsResponse,
  ServiceCell,
  serviceCellsOf,
} from '@kler/plugin-environments-common';

/**
 * An environment's services as the on-call matrix shows them: a few numbers
 * per service instead of the snapshot.
 *
 * @public
 */
export interface EnvironmentServiceCells {
  /** False when the environment has no snapshot (no read ever succeeded). */
  read: boolean;
  cells: Map<string, ServiceCell>;
}

/** The cells of an environment's details, as JSON bytes. */
export function serviceCellsOfJson(
  buffer: ArrayBuffer,
): EnvironmentServiceCells {
  const details: EnvironmentDetailsResponse = JSON.parse(
    new TextDecoder().decode(buffer),
  );
  return { read: Boolean(details.snapshot), cells: serviceCellsOf(details) };
}
