/**
 * Types, annotations, permissions, health rules and the trusted locations of
 * environment Resources, shared by the KLER environments plugin's backend and
 * frontend and by the catalog module that admits environments.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './permissions';
export * from './types';
export * from './workloadTypes';
export {
  PROBLEM_SEVERITIES,
  ENVIRONMENT_AREAS,
  compareProblems,
  isSeverityAtLeast,
  statusOfProblems,
  worstStatus,
} from './severity';
export {
  getEcsServiceNames,
  isEnvironmentEntity,
  readEnvironmentFromEntity,
} from './environmentEntity';
export {
  evaluateEnvironment,
  evaluateUnreadEnvironment,
  pendingAreas,
  summarizeEvaluation,
} from './evaluateEnvironment';
export { describeRunSummary } from './rules/runRules';
export { isMutableImageRef, isSecretLikeName } from './rules/workloadRules';
export * from './runs';
export type { EvaluationOptions } from './rules/context';
export * from './consoleUrls';
export { parseBackupScheduleFrequencyHours } from './backupSchedule';
export * from './backupSelection';
export { ENVIRONMENT_AREA_IAM_ACTIONS } from './rules/readErrorRules';
export {
  TRUSTED_ENVIRONMENT_LOCATIONS_CONFIG_KEY,
  isTrustedLocation,
  readTrustedEnvironmentLocations,
} from './trustedLocations';
export * from './view';
