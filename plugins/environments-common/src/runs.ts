import {
  EnvironmentRunKind,
  EnvironmentRunOutcome,
  EnvironmentRunReport,
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

/**
 * How the message of an interrupted apply begins: one whose backend stopped
 * (a crash, a killed container) while Terraform was applying, recorded by the
 * run of the step that found it so. Its outcome is `failed`: like a failed
 * apply, it may have changed part of the environment.
 *
 * @public
 */
export const INTERRUPTED_APPLY_MESSAGE_PREFIX = 'Interrupted: ';

/**
 * Whether a run is an apply that was interrupted (see
 * {@link INTERRUPTED_APPLY_MESSAGE_PREFIX}).
 *
 * @public
 */
export function isInterruptedApply(
  run: Pick<EnvironmentRunReport, 'kind' | 'outcome' | 'message'>,
): boolean {
  return (
    run.kind === 'apply' &&
    run.outcome === 'failed' &&
    (run.message?.startsWith(INTERRUPTED_APPLY_MESSAGE_PREFIX) ?? false)
  );
}
