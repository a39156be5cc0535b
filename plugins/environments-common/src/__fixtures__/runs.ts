/*
 * Builders of recorded runs shaped like what the environments backend stores:
 * a task's apply from the portal, a pipeline's apply, a scheduled drift check.
 */
import { EnvironmentRun, EnvironmentRunSummary } from '../types';
import { minutesAgo } from './snapshots';

let nextId = 1;

export function run(
  overrides: Partial<EnvironmentRun> & Pick<EnvironmentRun, 'kind' | 'outcome'>,
): EnvironmentRun {
  const id = String(nextId++);
  return {
    id,
    environment: 'production',
    source: 'portal',
    actor: 'user:default/alice',
    reportedBy: 'plugin:scaffolder',
    at: minutesAgo(30),
    link: `/create/tasks/task-${id}`,
    ...overrides,
  };
}

/** What a plan summary of one changed terraform_data and two added services says. */
export function changes(
  overrides: Partial<EnvironmentRunSummary> = {},
): EnvironmentRunSummary {
  return {
    add: 2,
    change: 1,
    destroy: 0,
    replace: 0,
    byType: {
      aws_ecs_service: { add: 2, change: 0, destroy: 0, replace: 0 },
      aws_security_group: { add: 0, change: 1, destroy: 0, replace: 0 },
    },
    outputChanges: 0,
    ...overrides,
  };
}

export const NO_CHANGES: EnvironmentRunSummary = {
  add: 0,
  change: 0,
  destroy: 0,
  replace: 0,
  byType: {},
  outputChanges: 0,
};
