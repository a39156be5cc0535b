import { EcsService, EnvironmentArea, Problem } from '../types';
import { backupRules } from './backupRules';
import { RuleContext } from './context';
import { detectReadErrors } from './readErrorRules';
import { runRules } from './runRules';
import {
  detectCapacityProviderProblems,
  serviceScalingRules,
} from './scalingRules';
import { detectClusterAlarms, serviceHealthRules } from './serviceHealthRules';
import {
  WORKLOAD_NOT_FOUND_ERROR,
  wellArchitectedRules,
} from './wellArchitectedRules';
import {
  serviceWorkloadFindingsRules,
  workloadFindingsRules,
} from './workloadFindingsRules';
import { serviceWorkloadRules } from './workloadRules';

/** A rule about one ECS service. */
export type ServiceRule = (
  service: EcsService,
  context: RuleContext,
) => Problem[];

/** A rule about the environment as a whole (cluster, backup, findings, read errors). */
export type EnvironmentRule = (context: RuleContext) => Problem[];

export const serviceRules: ServiceRule[] = [
  ...serviceHealthRules,
  ...serviceScalingRules,
  ...serviceWorkloadRules,
  ...serviceWorkloadFindingsRules,
];

export const environmentRules: EnvironmentRule[] = [
  detectClusterAlarms,
  detectCapacityProviderProblems,
  ...backupRules,
  ...wellArchitectedRules,
  ...workloadFindingsRules,
  detectReadErrors,
  ...runRules,
];

export { runRules };

/** The areas whose data could not be read; their status is `unknown`. */
export function unreadableAreas(context: RuleContext): Set<EnvironmentArea> {
  return new Set(
    context.snapshot.readErrors
      .filter(
        error =>
          !(
            error.area === 'wellArchitected' &&
            error.name === WORKLOAD_NOT_FOUND_ERROR
          ),
      )
      .map(error => error.area),
  );
}
