export { AwsEnvironmentReader } from './AwsEnvironmentReader';
export type { AwsEnvironmentReaderOptions } from './AwsEnvironmentReader';
export { createAwsClientsFactory } from './clients';
export type { AwsClientOptions } from './clients';
export type {
  AwsClients,
  AwsClientsFactory,
  AwsEnvironment,
  EnvironmentReader,
  EnvironmentReadOptions,
} from './types';
