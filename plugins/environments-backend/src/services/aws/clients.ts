import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { BackupClient } from '@aws-sdk/client-backup';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { WellArchitectedClient } from '@aws-sdk/client-wellarchitected';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { AwsClients, AwsClientsFactory, AwsEnvironment } from './types';

export interface AwsClientOptions {
  credentialsManager: AwsCredentialsManager;
  /** Attempts per call, including the first; the SDK retries throttling and 5xx. */
  maxAttempts: number;
  /** `adaptive` also rate-limits the client once AWS throttles it. */
  retryMode: 'standard' | 'adaptive';
  /** Socket timeout of a single HTTP request. */
  timeoutMs: number;
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
    return {
      ecs: new ECSClient(clientConfig),
      applicationAutoScaling: new ApplicationAutoScalingClient(clientConfig),
      autoScaling: new AutoScalingClient(clientConfig),
      cloudWatch: new CloudWatchClient(clientConfig),
      elasticLoadBalancing: new ElasticLoadBalancingV2Client(clientConfig),
      backup: new BackupClient(clientConfig),
      wellArchitected: new WellArchitectedClient(clientConfig),
      tagging: new ResourceGroupsTaggingAPIClient(clientConfig),
    };
  };

  return env => {
    const key = [env.accountId, env.region, env.endpoint ?? ''].join('|');
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
