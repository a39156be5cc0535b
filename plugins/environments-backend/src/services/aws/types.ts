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
import {
  EnvironmentDefinition,
  EnvironmentSnapshot,
} from '@kler/plugin-environments-common';
import { Limiter } from './concurrency';
import type { ListingThread } from './listingThread';

/**
 * An environment as the backend reads it: the shared definition plus where its
 * AWS API lives when that is not AWS itself (the local sandbox, moto).
 */
export interface AwsEnvironment extends EnvironmentDefinition {
  /** AWS API endpoint override, for example `http://127.0.0.1:4566`. */
  endpoint?: string;
}

/** How one read of an environment goes. */
export interface EnvironmentReadOptions {
  /** Aborts the read: a refresh past its timeout stops calling AWS. */
  signal?: AbortSignal;
  /**
   * Hears the snapshot as soon as the environment's health is read, when
   * other parts are still being read (on a first read: marked pending), so
   * that health shows before the slower parts fill in.
   */
  onHealthRead?: (snapshot: EnvironmentSnapshot) => void;
}

/** Reads one environment's state from AWS. */
export interface EnvironmentReader {
  read(
    env: AwsEnvironment,
    options?: EnvironmentReadOptions,
  ): Promise<EnvironmentSnapshot>;
}

/** The SDK clients for one environment (account, region, endpoint). */
export interface AwsClients {
  ecs: ECSClient;
  applicationAutoScaling: ApplicationAutoScalingClient;
  autoScaling: AutoScalingClient;
  cloudWatch: CloudWatchClient;
  elasticLoadBalancing: ElasticLoadBalancingV2Client;
  backup: BackupClient;
  wellArchitected: WellArchitectedClient;
  tagging: ResourceGroupsTaggingAPIClient;
  ssm: SSMClient;
  secretsManager: SecretsManagerClient;
  ecr: ECRClient;
  efs: EFSClient;
}

export type AwsClientsFactory = (env: AwsEnvironment) => Promise<AwsClients>;

/** What every area reader of one environment read gets. */
export interface ReadContext {
  env: AwsEnvironment;
  clients: AwsClients;
  /** Every AWS call of the read goes through this, to bound the calls in flight. */
  limit: Limiter;
  /** Passed to every SDK call so that a timed-out refresh stops calling AWS. */
  sendOptions: { abortSignal?: AbortSignal };
  /** The time the read started; windows such as "stopped in the last hour" count from it. */
  now: Date;
  /**
   * Where the longest chain of dependent calls (the scaling policies'
   * listing) runs, when not on the main thread (see ListingThread).
   */
  listingThread?: ListingThread;
}
