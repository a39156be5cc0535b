export { AwsEnvironmentReader } from './AwsEnvironmentReader';
export type { AwsEnvironmentReaderOptions } from './AwsEnvironmentReader';
export { createAwsClientsFactory } from './clients';
export type { AwsClientOptions } from './clients';
export { ListingThread } from './listingThread';
export type { ListingAttempts, ListingThreadOptions } from './listingThread';
export type {
  AwsClients,
  AwsClientsFactory,
  AwsEnvironment,
  EnvironmentReader,
  EnvironmentReadOptions,
} from './types';
