/**
 * Types, annotations, permissions and health rules shared by the KLER
 * environments plugin's backend and frontend.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './permissions';
export * from './types';
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
  summarizeEvaluation,
} from './evaluateEnvironment';
export type { EvaluationOptions } from './rules/context';
export * from './consoleUrls';
export { parseBackupScheduleFrequencyHours } from './backupSchedule';
export { ENVIRONMENT_AREA_IAM_ACTIONS } from './rules/readErrorRules';
