import type { SandboxWorld } from '../world/simulation';

export type ProtocolName = 'json' | 'query' | 'restJson';

export interface OperationContext<TInput = any> {
  input: TInput;
  account: string;
  region: string;
  accessKeyId: string;
  /** Simulated time, whole seconds. */
  now: number;
  world: SandboxWorld;
  /** Access keys handed out by STS AssumeRole, to the identity they act as. */
  sessions: Map<string, { account: string; arn: string; userId: string }>;
}

export type OperationHandler = (context: OperationContext) => unknown;

export interface RestRoute {
  method: string;
  /** e.g. `/backup/plans/{BackupPlanId}` */
  path: string;
  operation: string;
}

/** Error codes the service uses for the failures every service has. */
export interface ServiceErrorCodes {
  validation: string;
  throttling: string;
  throttlingStatus: number;
  accessDenied: string;
  accessDeniedStatus: number;
}

export interface ServiceDefinition {
  /** SigV4 signing name, also the name faults use. */
  id: string;
  protocol: ProtocolName;
  operations: Record<string, OperationHandler>;
  errors: ServiceErrorCodes;
  /** awsJson: X-Amz-Target prefix and content type version. */
  targetPrefix?: string;
  jsonVersion?: '1.0' | '1.1';
  /** awsJson services that answer errors with awsQuery codes (CloudWatch). */
  queryCompatible?: boolean;
  /** awsQuery */
  xmlNamespace?: string;
  apiVersion?: string;
  /** restJson */
  routes?: RestRoute[];
}

/** restJson handlers get path labels, the raw query string and the JSON body. */
export interface RestInput {
  path: Record<string, string>;
  query: URLSearchParams;
  body: any;
}
