import { EcsService, Problem } from '../types';
import { RuleContext } from './context';
import { detectClusterAlarms, serviceHealthRules } from './serviceHealthRules';

/** A rule about one ECS service. */
export type ServiceRule = (
  service: EcsService,
  context: RuleContext,
) => Problem[];

/** A rule about the environment as a whole (cluster, backup, findings, read errors). */
export type EnvironmentRule = (context: RuleContext) => Problem[];

export const serviceRules: ServiceRule[] = [...serviceHealthRules];

export const environmentRules: EnvironmentRule[] = [detectClusterAlarms];
