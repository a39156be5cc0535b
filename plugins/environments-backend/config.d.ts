import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the KLER environments backend plugin. */
  environments?: {
    /**
     * Environments to add to those of the catalog (Resources of spec.type
     * environment), or fields overriding a catalog environment of the same name.
     * An environment that is not in the catalog needs accountId, region and cluster.
     */
    environments?: Array<{
      /** The environment's name; the catalog Resource's metadata.name when overriding. */
      name: string;
      /** Display title. */
      title?: string;
      /** `development` or `production`. */
      tier?: 'development' | 'production';
      /** The 12-digit AWS account id. */
      accountId?: string;
      /** The AWS region, for example eu-west-1. */
      region?: string;
      /** The ECS cluster name. */
      cluster?: string;
      /** The AWS Backup vault name. */
      backupVault?: string;
      /** The Well-Architected Tool workload id. */
      wellArchitectedWorkloadId?: string;
      /**
       * An AWS API endpoint to use instead of AWS, for example the local sandbox
       * `http://127.0.0.1:4566`. A loopback endpoint marks the environment as `sandbox`.
       */
      endpoint?: string;
    }>;
    /**
     * The AWS API endpoint of every environment without an `endpoint` of its
     * own, catalog environments created later included; for example the local
     * sandbox `http://127.0.0.1:4566` (a loopback endpoint marks each as
     * `sandbox`). Default: none, so environments are read from AWS.
     */
    defaultEndpoint?: string;
    refresh?: {
      /** How often every environment's health is read again. Default { seconds: 30 }. */
      frequency?: HumanDuration | string;
      /**
       * How long configuration read from AWS (scaling policies and targets,
       * capacity providers, target groups' load balancers, the alarm list,
       * backup plans and candidates, Well-Architected reviews, the service and
       * running task lists) is reused at most; sooner when the health read says
       * it changed. Default { minutes: 10 }.
       */
      configurationFrequency?: HumanDuration | string;
      /**
       * Bound of one environment's read, and of a request that waits for an
       * environment's first read. Default { seconds: 60 }.
       */
      timeout?: HumanDuration | string;
    };
    cache?: {
      /** How long a snapshot stays in the cache. Default { minutes: 10 }. */
      ttl?: HumanDuration | string;
      /** Reuse the catalog's list of environments for a minute or a refresh period. Default true. */
      catalogListing?: boolean;
      /** Reuse configuration read from AWS until it is due or a signal says it changed. Default true. */
      awsConfiguration?: boolean;
      /** Reuse descriptions of what does not change (stopped tasks, backup plan versions...). Default true. */
      awsDescriptions?: boolean;
      /** Keep a deserialized copy of each stored snapshot per version. Default true. */
      snapshotCopies?: boolean;
      /** Reuse an evaluation of the same snapshot and runs for up to 15 s. Default true. */
      evaluations?: boolean;
      /** Reuse the latest runs of every environment for up to 5 s. Default true. */
      latestRuns?: boolean;
      /** Reuse serialized response bodies while their content is the same. Default true. */
      responseBodies?: boolean;
      /**
       * Reuse a token's environments.read decision for 5 s: a revoked
       * permission then still reads for up to 5 s. Default false.
       */
      permissionDecisions?: boolean;
    };
    aws?: {
      /** Attempts per AWS call, including the first (the SDK retries throttling). Default 5. */
      maxAttempts?: number;
      /** The SDK retry mode. Default standard (adaptive recovers slowly after throttling). */
      retryMode?: 'standard' | 'adaptive';
      /** Calls of one AWS operation in flight at once, per account and region. Default 8. */
      concurrency?: number;
      /** Calls of one AWS operation started per second, per account and region. Default 20. */
      callsPerSecond?: number;
      /** Calls of one AWS operation that may start at once after a quiet spell. Default 40. */
      burst?: number;
      /** Timeout of a single HTTP request to AWS, in milliseconds. Default 10000. */
      timeoutMs?: number;
      /**
       * Whether the scaling policies' listing (a hundred pages one after
       * another at a thousand services) runs on a worker thread of its own,
       * so its pages do not wait for the main thread. Default true.
       */
      listingThread?: boolean;
    };
  };
}
