import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { BackupClient } from '@aws-sdk/client-backup';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EFSClient } from '@aws-sdk/client-efs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { WellArchitectedClient } from '@aws-sdk/client-wellarchitected';
import { AwsJson1_1Protocol } from '@aws-sdk/core/protocols';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { collectBody } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { MetadataBearer, Pluggable } from '@aws-sdk/types';
import { AwsClients, AwsClientsFactory, AwsEnvironment } from './types';

/**
 * The read operations whose answers are large and mapped field by field
 * (`ecs.ts`, `scaling.ts`): at a thousand services, ten thousand tasks and
 * a thousand services and policies a refresh.
 */
export const PLAIN_JSON_OPERATIONS = new Set([
  'ListServices',
  'DescribeServices',
  'ListTasks',
  'DescribeTasks',
  'DescribeScalableTargets',
  'DescribeScalingPolicies',
]);

/**
 * AWS JSON 1.1 (the protocol of ECS and Application Auto Scaling) with the
 * successful answers of PLAIN_JSON_OPERATIONS parsed by JSON.parse instead of
 * the SDK's walk of the output schema: the JSON is the output's shape, but for
 * timestamps, which stay epoch seconds (`isoTime` reads both). The schema walk
 * was the backend's largest CPU cost of a refresh, and most of its garbage.
 * Errors, and every other operation, go through the SDK as usual.
 */
export class PlainJsonReadsProtocol extends AwsJson1_1Protocol {
  async deserializeResponse<Output extends MetadataBearer>(
    ...args: Parameters<AwsJson1_1Protocol['deserializeResponse']>
  ): Promise<Output> {
    const [operationSchema, context, response] = args;
    if (
      response.statusCode >= 300 ||
      !PLAIN_JSON_OPERATIONS.has(operationSchema.name)
    ) {
      return super.deserializeResponse<Output>(...args);
    }
    const bytes = await collectBody(response.body, context);
    const output =
      bytes.byteLength > 0
        ? JSON.parse(
            Buffer.from(
              bytes.buffer,
              bytes.byteOffset,
              bytes.byteLength,
            ).toString('utf8'),
          )
        : {};
    output.$metadata = this.deserializeMetadata(response);
    return output;
  }
}

/**
 * Where an environment's calls go: its account, region and endpoint. One set
 * of clients, one limiter and one listing-thread bucket per key.
 */
export function awsTargetKey(env: AwsEnvironment): string {
  return [env.accountId, env.region, env.endpoint ?? ''].join('|');
}

export interface AwsClientOptions {
  credentialsManager: AwsCredentialsManager;
  /** Attempts per call, including the first; the SDK retries throttling and 5xx. */
  maxAttempts: number;
  /** `adaptive` also rate-limits the client once AWS throttles it. */
  retryMode: 'standard' | 'adaptive';
  /** Socket timeout of a single HTTP request. */
  timeoutMs: number;
  /** Used on every client's middleware stack, for example to count its calls. */
  plugins?: Pluggable<any, any>[];
}

/**
 * Creates the SDK clients of an environment, with the credentials that
 * `aws.accounts` / `aws.accountDefaults` / `aws.mainAccount` give its account.
 * Clients are kept per account, region and endpoint so that connections are reused
 * across refreshes.
 */
export function createAwsClientsFactory(
  options: AwsClientOptions,
): AwsClientsFactory {
  const clientsByKey = new Map<string, Promise<AwsClients>>();

  const create = async (env: AwsEnvironment): Promise<AwsClients> => {
    const { sdkCredentialProvider } =
      await options.credentialsManager.getCredentialProvider({
        accountId: env.accountId,
      });
    const clientConfig = {
      region: env.region,
      endpoint: env.endpoint,
      credentials: sdkCredentialProvider,
      maxAttempts: options.maxAttempts,
      retryMode: options.retryMode,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: options.timeoutMs,
        requestTimeout: options.timeoutMs,
      }),
    };
    const clients: AwsClients = {
      ecs: new ECSClient({ ...clientConfig, protocol: PlainJsonReadsProtocol }),
      applicationAutoScaling: new ApplicationAutoScalingClient({
        ...clientConfig,
        protocol: PlainJsonReadsProtocol,
      }),
      autoScaling: new AutoScalingClient(clientConfig),
      cloudWatch: new CloudWatchClient(clientConfig),
      elasticLoadBalancing: new ElasticLoadBalancingV2Client(clientConfig),
      backup: new BackupClient(clientConfig),
      wellArchitected: new WellArchitectedClient(clientConfig),
      tagging: new ResourceGroupsTaggingAPIClient(clientConfig),
      ssm: new SSMClient(clientConfig),
      secretsManager: new SecretsManagerClient(clientConfig),
      ecr: new ECRClient(clientConfig),
      efs: new EFSClient(clientConfig),
    };
    for (const client of Object.values(clients)) {
      for (const plugin of options.plugins ?? []) {
        client.middlewareStack.use(plugin);
      }
    }
    return clients;
  };

  return env => {
    const key = awsTargetKey(env);
    let clients = clientsByKey.get(key);
    if (!clients) {
      clients = create(env);
      clientsByKey.set(key, clients);
      // A failed credentials lookup (for example a missing aws.accounts entry)
      // must not be cached forever.
      clients.catch(() => clientsByKey.delete(key));
    }
    return clients;
  };
}
