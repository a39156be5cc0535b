import {
  EnvironmentDefinition,
  EnvironmentRun,
  EnvironmentSnapshot,
  Problem,
  ProblemSeverity,
} from '../types';

/**
 * Options of {@link evaluateEnvironment}. Every threshold has a default that
 * suits KLER's environments.
 *
 * @public
 */
export interface EvaluationOptions {
  /** The time rules compare dates against; defaults to the current time. */
  now?: Date;
  /**
   * The environment's recent runs (at least the latest of each kind), which
   * the provisioning rules read: a failed apply, drift. Default none.
   */
  runs?: EnvironmentRun[];
  /** A deployment IN_PROGRESS for longer than this is stuck. Default 30. */
  deploymentTimeoutMinutes?: number;
  /** Stopped tasks younger than this count as recent failures. Default 60. */
  stoppedTaskWindowMinutes?: number;
  /** Scaling activities younger than this are checked. Default 24. */
  scalingActivityWindowHours?: number;
  /** Backup jobs younger than this are checked. Default 7. */
  backupJobWindowDays?: number;
  /**
   * How many schedule intervals a resource may go without a new recovery point
   * before its RPO counts as breached. Default 1.5.
   */
  rpoGraceFactor?: number;
  /** A Well-Architected lens review older than this is outdated. Default 90. */
  wellArchitectedReviewMaxAgeDays?: number;
}

export type EvaluationThresholds = Required<
  Omit<EvaluationOptions, 'now' | 'runs'>
>;

export const DEFAULT_EVALUATION_THRESHOLDS: EvaluationThresholds = {
  deploymentTimeoutMinutes: 30,
  stoppedTaskWindowMinutes: 60,
  scalingActivityWindowHours: 24,
  backupJobWindowDays: 7,
  rpoGraceFactor: 1.5,
  wellArchitectedReviewMaxAgeDays: 90,
};

/** What every rule gets: the snapshot, the clock and the thresholds. */
export interface RuleContext {
  snapshot: EnvironmentSnapshot;
  environment: EnvironmentDefinition;
  now: Date;
  thresholds: EvaluationThresholds;
  runs: EnvironmentRun[];
}

/** What the rules about the run history need: no snapshot, which may be missing. */
export type RunRuleContext = Pick<RuleContext, 'environment' | 'now' | 'runs'>;

export type ProblemFields = Omit<Problem, 'environment' | 'id'> & {
  /** The id after the environment name, for example `service/shop-api/running-below-desired`. */
  idSuffix: string;
};

export function createProblem(
  context: Pick<RuleContext, 'environment'>,
  { idSuffix, ...fields }: ProblemFields,
): Problem {
  return {
    id: `${context.environment.name}/${idSuffix}`,
    environment: context.environment.name,
    ...fields,
  };
}

/** Production gets the stricter of two severities. */
export function severityForTier(
  context: Pick<RuleContext, 'environment'>,
  production: ProblemSeverity,
  development: ProblemSeverity,
): ProblemSeverity {
  return context.environment.tier === 'production' ? production : development;
}

/** Milliseconds from an ISO date to now; undefined for a missing or invalid date. */
export function ageInMs(
  context: Pick<RuleContext, 'now'>,
  iso?: string,
): number | undefined {
  if (!iso) {
    return undefined;
  }
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : context.now.getTime() - time;
}

export const MINUTE_MS = 60 * 1000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** "2 h 5 min", "3 days" and so on, for explanations. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / MINUTE_MS);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return rest ? `${hours} h ${rest} min` : `${hours} h`;
  }
  return `${Math.floor(hours / 24)} days`;
}

export function plural(count: number, singular: string, pluralForm?: string) {
  return `${count} ${count === 1 ? singular : pluralForm ?? `${singular}s`}`;
}
