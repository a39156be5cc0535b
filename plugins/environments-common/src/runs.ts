import {
  EnvironmentRunKind,
  EnvironmentRunOutcome,
  EnvironmentRunSource,
} from './types';

/**
 * Every kind of run an environment's history holds.
 *
 * @public
 */
export const ENVIRONMENT_RUN_KINDS: EnvironmentRunKind[] = [
  'plan',
  'apply',
  'drift',
];

/**
 * Every source of a run.
 *
 * @public
 */
export const ENVIRONMENT_RUN_SOURCES: EnvironmentRunSource[] = [
  'portal',
  'pipeline',
  'schedule',
];

/**
 * Every outcome of a run.
 *
 * @public
 */
export const ENVIRONMENT_RUN_OUTCOMES: EnvironmentRunOutcome[] = [
  'succeeded',
  'failed',
  'skipped',
];
