/**
 * The KLER environments backend plugin: reads each environment from AWS and
 * serves its evaluated state under /api/environments.
 *
 * @packageDocumentation
 */
export { environmentsPlugin as default } from './plugin';
export { environmentReaderServiceRef } from './plugin';
export type {
  AwsEnvironment,
  EnvironmentReader,
  EnvironmentReadOptions,
} from './services/aws';
