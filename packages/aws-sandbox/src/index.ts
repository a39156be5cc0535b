/**
 * A local AWS-compatible endpoint with KLER's environments, for the portal's
 * demo, tests and benchmarks.
 *
 * @packageDocumentation
 */
export { startSandbox } from './server';
export type { StartSandboxOptions, RunningSandbox } from './server';
export type { SandboxAdmin } from './admin';
export type {
  ClockOptions,
  EnvironmentOrigin,
  SandboxEnvironmentState,
} from './sandbox';
export {
  loadScenarioFile,
  parseEnvironment,
  parseScenario,
  ScenarioError,
} from './scenario/load';
export type {
  EnvironmentInput,
  Scenario,
  ScenarioInput,
  FaultSpec,
} from './scenario/schema';
export { generateScenario } from './scenario/generate';
export type { GenerateScenarioOptions } from './scenario/generate';
export {
  isMotoInstalled,
  isMotoRequired,
  MOTO_REGION,
  seedMotoEnvironment,
  startMoto,
} from './moto';
export type {
  MotoAlarmSeed,
  MotoServer,
  MotoServiceSeed,
  SeededMotoEnvironment,
  SeedMotoEnvironmentOptions,
  StartMotoOptions,
} from './moto';
