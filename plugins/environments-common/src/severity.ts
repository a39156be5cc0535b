import {
  EnvironmentArea,
  HealthStatus,
  Problem,
  ProblemSeverity,
} from './types';

/**
 * Every problem severity, worst first.
 *
 * @public
 */
export const PROBLEM_SEVERITIES: ProblemSeverity[] = [
  'critical',
  'high',
  'medium',
  'low',
];

/**
 * The areas an environment is evaluated in, in the order the UI shows them.
 *
 * @public
 */
export const ENVIRONMENT_AREAS: EnvironmentArea[] = [
  'health',
  'scaling',
  'backup',
  'wellArchitected',
  'workload',
  'provisioning',
];

function severityRank(severity: ProblemSeverity): number {
  const rank = PROBLEM_SEVERITIES.indexOf(severity);
  return rank === -1 ? PROBLEM_SEVERITIES.length : rank;
}

/**
 * True when `severity` is as bad as `minimum` or worse.
 *
 * @public
 */
export function isSeverityAtLeast(
  severity: ProblemSeverity,
  minimum: ProblemSeverity,
): boolean {
  return severityRank(severity) <= severityRank(minimum);
}

/**
 * Orders problems worst first: by severity, then area, then id, so that a list
 * keeps the same order across refreshes.
 *
 * @public
 */
export function compareProblems(a: Problem, b: Problem): number {
  const bySeverity = severityRank(a.severity) - severityRank(b.severity);
  if (bySeverity !== 0) {
    return bySeverity;
  }
  const byArea =
    ENVIRONMENT_AREAS.indexOf(a.area) - ENVIRONMENT_AREAS.indexOf(b.area);
  if (byArea !== 0) {
    return byArea;
  }
  if (a.id < b.id) {
    return -1;
  }
  return a.id > b.id ? 1 : 0;
}

/**
 * The status that a set of problems gives: `error` for any critical or high
 * problem, `warning` for medium or low ones, `ok` for none.
 *
 * @public
 */
export function statusOfProblems(problems: Problem[]): HealthStatus {
  if (problems.some(p => isSeverityAtLeast(p.severity, 'high'))) {
    return 'error';
  }
  return problems.length > 0 ? 'warning' : 'ok';
}

const STATUS_ORDER: HealthStatus[] = ['error', 'warning', 'unknown', 'ok'];

/**
 * The worst of several statuses; `unknown` ranks below any known problem but
 * above `ok`, because nothing can be said to be fine when it could not be read.
 *
 * @public
 */
export function worstStatus(statuses: HealthStatus[]): HealthStatus {
  let worst: HealthStatus = 'ok';
  for (const status of statuses) {
    if (STATUS_ORDER.indexOf(status) < STATUS_ORDER.indexOf(worst)) {
      worst = status;
    }
  }
  return worst;
}
