import {
  EcsService,
  EnvironmentDetailsResponse,
  HealthStatus,
  Problem,
  ServiceEvaluation,
} from '../types';
import { worstStatus } from '../severity';

/**
 * One service in one environment, as a cell of the on-call page's matrix
 * shows it: what the environment's evaluation says, and the counts behind it.
 *
 * @public
 */
export interface ServiceCell {
  status: HealthStatus;
  runningCount: number;
  desiredCount: number;
  pendingCount: number;
  /** The primary deployment's rollout state (COMPLETED, IN_PROGRESS, FAILED). */
  rolloutState?: string;
  /** The desired count has reached the scalable target's maximum. */
  atMax: boolean;
  problemCount: number;
}

/**
 * One row of the service × environment matrix: a service name and its cell
 * in each environment that runs it.
 *
 * @public
 */
export interface ServiceMatrixRow {
  serviceName: string;
  /** Keyed by environment name; absent where the environment has no such service. */
  cells: Record<string, ServiceCell | undefined>;
  /** The worst status of the row's cells. */
  status: HealthStatus;
  problemCount: number;
}

/**
 * One service's cell: running, desired and pending counts, rollout state and
 * whether scaling is at its maximum from the snapshot; status and problems
 * from its evaluation, which the rules in this package made.
 *
 * @public
 */
export function serviceCellOf(
  service: EcsService,
  evaluation: ServiceEvaluation | undefined,
): ServiceCell {
  const primary =
    service.deployments.find(d => d.status === 'PRIMARY') ??
    service.deployments[0];
  return {
    status: evaluation?.status ?? 'unknown',
    runningCount: service.runningCount,
    desiredCount: service.desiredCount,
    pendingCount: service.pendingCount,
    rolloutState: primary?.rolloutState,
    atMax:
      service.scaling !== undefined &&
      service.desiredCount >= service.scaling.maxCapacity,
    problemCount: evaluation?.problems.length ?? 0,
  };
}

/**
 * The cell of every service of an environment (see {@link serviceCellOf}),
 * by service name; empty when the environment could not be read.
 *
 * @public
 */
export function serviceCellsOf(
  details: Pick<EnvironmentDetailsResponse, 'snapshot' | 'evaluation'>,
): Map<string, ServiceCell> {
  const evaluations = new Map(
    (details.evaluation?.services ?? []).map(e => [e.serviceName, e]),
  );
  return new Map(
    (details.snapshot?.services ?? []).map(service => [
      service.serviceName,
      serviceCellOf(service, evaluations.get(service.serviceName)),
    ]),
  );
}

const STATUS_RANK: Record<HealthStatus, number> = {
  error: 0,
  warning: 1,
  unknown: 2,
  ok: 3,
};

/**
 * Worst first: by the row's worst status, then by its number of problems,
 * then by name, so that rows keep their order between refreshes that change
 * nothing.
 *
 * @public
 */
export function compareServiceMatrixRows(
  a: ServiceMatrixRow,
  b: ServiceMatrixRow,
): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    b.problemCount - a.problemCount ||
    a.serviceName.localeCompare(b.serviceName)
  );
}

/**
 * The service × environment matrix of the on-call page, worst first: one row
 * per service name found in any environment's snapshot. `environments` maps an
 * environment name to its cells (see {@link serviceCellsOf}).
 *
 * @public
 */
export function buildServiceMatrix(
  environments: Map<string, Map<string, ServiceCell>>,
): ServiceMatrixRow[] {
  const rows = new Map<string, ServiceMatrixRow>();
  for (const [environment, cells] of environments) {
    for (const [serviceName, cell] of cells) {
      let row = rows.get(serviceName);
      if (!row) {
        row = { serviceName, cells: {}, status: 'ok', problemCount: 0 };
        rows.set(serviceName, row);
      }
      row.cells[environment] = cell;
      row.problemCount += cell.problemCount;
    }
  }
  for (const row of rows.values()) {
    row.status = worstStatus(
      Object.values(row.cells).map(cell => cell?.status ?? 'ok'),
    );
  }
  return [...rows.values()].sort(compareServiceMatrixRows);
}

/**
 * Problems grouped by what they concern: one group per service (in the order
 * of each service's worst problem, as given) and one per problem that names no
 * service.
 *
 * @public
 */
export function groupProblemsByService(
  problems: Problem[],
): Array<{ serviceName?: string; problems: Problem[] }> {
  const groups: Array<{ serviceName?: string; problems: Problem[] }> = [];
  const byService = new Map<string, Problem[]>();
  for (const problem of problems) {
    if (!problem.serviceName) {
      groups.push({ problems: [problem] });
      continue;
    }
    const existing = byService.get(problem.serviceName);
    if (existing) {
      existing.push(problem);
    } else {
      const group = { serviceName: problem.serviceName, problems: [problem] };
      byService.set(problem.serviceName, group.problems);
      groups.push(group);
    }
  }
  return groups;
}
