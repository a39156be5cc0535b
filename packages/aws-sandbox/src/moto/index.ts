/**
 * Test support: a moto_server launcher and the seeding of an ECS environment
 * into it, shared by the tests that check code against moto.
 */
export {
  isMotoInstalled,
  isMotoRequired,
  MOTO_REGION,
  startMoto,
} from './motoServer';
export type { MotoServer, StartMotoOptions } from './motoServer';
export { seedMotoEnvironment } from './seed';
export type {
  MotoAlarmSeed,
  MotoServiceSeed,
  SeededMotoEnvironment,
  SeedMotoEnvironmentOptions,
} from './seed';
