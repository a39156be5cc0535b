import { CacheService } from '@backstage/backend-plugin-api';
import {
  BackupState,
  CapacityProvider,
  EcsCluster,
  EcsService,
  EcsTask,
  EnvironmentDefinition,
  EnvironmentSnapshot,
  FileSystemSummary,
  ScalingActivity,
  ScalingPolicy,
  SecretReferencesCheck,
  ServiceScaling,
  SnapshotPart,
  TaskDefinitionSummary,
  WellArchitectedReview,
  WorkloadResources,
} from '@kler/plugin-environments-common';
import { AwsReadMemory } from '../../caches/AwsReadMemory';
import { SharedDescriptions } from '../../caches/SharedDescriptions';
import {
  DEFAULT_CACHE_SWITCHES,
  ReadPathCacheSwitches,
} from '../../caches/switches';
import { EnvironmentAlarms, readAlarms, readAlarmStates } from './alarms';
import { readBackupArea } from './backup';
import {
  checkLimiterOptions,
  chargeRetries,
  createLimiter,
  PacingLimiter,
  LimiterOptions,
} from './concurrency';
import {
  ImageScanRead,
  imageKey,
  readImageScans,
  runningEcrImages,
} from './ecr';
import {
  readCapacityProviders,
  readCluster,
  readRunningTasks,
  readServices,
  readStoppedTasks,
  reuseRunningTasks,
  ServicesRead,
  StoppedTasksRead,
  withTasks,
} from './ecs';
import { fileSystemIds, readFileSystems } from './efs';
import { ReadErrorCollector } from './readErrors';
import {
  ecsScalingResourceId,
  readAutoScalingGroups,
  readScalableTargets,
  readScalingActivities,
  readScalingPolicies,
} from './scaling';
import {
  readSecretsManagerSecrets,
  secretsManagerSecretArns,
} from './secretsManager';
import { readSecretParameters, secretParameterNames } from './ssm';
import {
  DescribedTargets,
  readTargetGroupLoadBalancers,
  readTargetHealth,
  TargetGroupLoadBalancers,
  TargetHealthRead,
} from './targets';
import {
  AwsClients,
  AwsClientsFactory,
  AwsEnvironment,
  EnvironmentReader,
  EnvironmentReadOptions,
  ReadContext,
} from './types';
import {
  readTaskDefinitions,
  serviceTaskDefinitions,
  taskDefinitionArnsInUse,
  TaskDefinitionsRead,
} from './taskDefinitions';
import { readWellArchitected } from './wellArchitected';
import { awsTargetKey } from './clients';
import { ListingThread } from './listingThread';

/** Default of `environments.refresh.configurationFrequency`. */
export const DEFAULT_CONFIGURATION_MAX_AGE_MS = 10 * 60 * 1000;

export interface AwsEnvironmentReaderOptions {
  clientsFactory: AwsClientsFactory;
  /**
   * How fast the reader may call each AWS operation in one account and region:
   * calls in flight, calls per second and burst.
   */
  limits: Omit<LimiterOptions, 'now'>;
  /** How long configuration is reused at most (`environments.refresh.configurationFrequency`). */
  configurationMaxAgeMs?: number;
  /** The switches of the caches the reader keeps (`awsConfiguration`, `awsDescriptions`). */
  caches?: Pick<ReadPathCacheSwitches, 'awsConfiguration' | 'awsDescriptions'>;
  /**
   * The plugin's cache, where task definitions are shared by ARN with the
   * other replicas (with `awsDescriptions` on). Without it, each replica
   * describes them once for itself.
   */
  sharedCache?: CacheService;
  /**
   * How many task definitions one read of an environment describes at most
   * (default: the burst of `limits`); the rest follow in the next reads.
   */
  taskDefinitionsPerRead?: number;
  /**
   * Where the scaling policies' listing runs (`environments.aws.listingThread`);
   * without it, on the main thread like every other call.
   */
  listingThread?: ListingThread;
  now?: () => Date;
}

/** The scaling area's parts, as a snapshot's services and cluster carry them. */
interface ScalingRead {
  scalableTargets?: Map<string, ServiceScaling>;
  policies?: Map<string, ScalingPolicy[]>;
  activities?: Map<string, ScalingActivity[]>;
  capacityProviders?: CapacityProvider[];
}

/** The parts that follow health, each whole (undefined when it could not be read). */
interface FollowingParts {
  runningTasks?: EcsTask[];
  /** The task definitions in use, by ARN, and whether every one is in. */
  taskDefinitions?: TaskDefinitionsRead;
  workloadResources?: WorkloadResources;
  scaling?: ScalingRead;
  backup?: BackupState;
  wellArchitected?: WellArchitectedReview;
}

/** A part in flight, with whether it has settled. */
class Tracked<T> {
  settled = false;
  value?: T;
  readonly promise: Promise<T>;

  constructor(promise: Promise<T>) {
    this.promise = promise.then(value => {
      this.settled = true;
      this.value = value;
      return value;
    });
    // Awaited by the read; until then a failure must not count as unhandled.
    this.promise.catch(() => undefined);
  }
}

/**
 * Reads an environment through the AWS SDK: ECS first-class, every other area
 * best effort, each part at its cadence (README, "Read cadence"): health on
 * every read; configuration when it is due or a signal of the health read
 * says it changed; descriptions of what does not change once. A first read
 * hands its health to `onHealthRead` as soon as it is read, the parts still
 * being read marked pending.
 */
export class AwsEnvironmentReader implements EnvironmentReader {
  private readonly clientsFactory: AwsClientsFactory;
  private readonly listingThread?: ListingThread;
  private readonly limits: Omit<LimiterOptions, 'now'>;
  private readonly configurationMaxAgeMs: number;
  private readonly caches: Pick<
    ReadPathCacheSwitches,
    'awsConfiguration' | 'awsDescriptions'
  >;
  private readonly now: () => Date;
  private readonly taskDefinitionsPerRead: number;
  private readonly sharedTaskDefinitions?: SharedDescriptions<TaskDefinitionSummary>;
  /**
   * AWS throttles per account, region and operation, whichever environment
   * calls: environments sharing an account share its limiter, across reads.
   */
  private readonly limiters = new Map<string, PacingLimiter>();
  /** The clients whose retries are charged to their limiter already. */
  private readonly charged = new WeakSet<AwsClients>();
  /** Per environment name: what its earlier reads left, and the definition they were of. */
  private readonly memories = new Map<
    string,
    {
      definitionKey: string;
      memory: AwsReadMemory;
      /** Each following part as the last read assembled it. */
      lastParts: FollowingParts;
    }
  >();

  constructor(options: AwsEnvironmentReaderOptions) {
    this.clientsFactory = options.clientsFactory;
    this.listingThread = options.listingThread;
    this.limits = options.limits;
    // Fails at construction, so that bad limits stop the backend at start.
    checkLimiterOptions(this.limits);
    this.configurationMaxAgeMs =
      options.configurationMaxAgeMs ?? DEFAULT_CONFIGURATION_MAX_AGE_MS;
    this.caches = options.caches ?? DEFAULT_CACHE_SWITCHES;
    this.now = options.now ?? (() => new Date());
    this.taskDefinitionsPerRead =
      options.taskDefinitionsPerRead ?? this.limits.burst;
    if (
      !Number.isInteger(this.taskDefinitionsPerRead) ||
      this.taskDefinitionsPerRead < 1
    ) {
      throw new Error(
        `Task definitions per read must be a positive integer, got ${this.taskDefinitionsPerRead}`,
      );
    }
    if (options.sharedCache && this.caches.awsDescriptions) {
      this.sharedTaskDefinitions = new SharedDescriptions({
        cache: options.sharedCache,
        prefix: 'task-definition',
      });
    }
  }

  private limiterFor(env: AwsEnvironment): PacingLimiter {
    const key = awsTargetKey(env);
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = createLimiter(this.limits);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  private memoryOf(env: AwsEnvironment) {
    const definitionKey = JSON.stringify([
      env.endpoint,
      env.accountId,
      env.region,
      env.cluster,
      env.backupVault,
      env.wellArchitectedWorkloadId,
    ]);
    let known = this.memories.get(env.name);
    if (!known || known.definitionKey !== definitionKey) {
      known = {
        definitionKey,
        memory: new AwsReadMemory({
          configuration: this.caches.awsConfiguration,
          descriptions: this.caches.awsDescriptions,
          configurationMaxAgeMs: this.configurationMaxAgeMs,
          now: () => this.now().getTime(),
        }),
        lastParts: {},
      };
      this.memories.set(env.name, known);
    }
    return known;
  }

  async read(
    env: AwsEnvironment,
    options: EnvironmentReadOptions = {},
  ): Promise<EnvironmentSnapshot> {
    const { onHealthRead } = options;
    // Aborted by the caller (a timed-out refresh) or by a failure of the read
    // itself: a read that has failed stops its other parts' calls at once
    // rather than running them, down to the last page, for nobody.
    const failed = new AbortController();
    const signal = options.signal
      ? AbortSignal.any([options.signal, failed.signal])
      : failed.signal;
    const now = this.now();
    const limiter = this.limiterFor(env);
    // The factory keeps one set of clients per account, region and endpoint,
    // as the reader keeps one limiter: the clients' retries are charged to it.
    const clients = await this.clientsFactory(env);
    if (!this.charged.has(clients)) {
      chargeRetries(Object.values(clients), limiter);
      this.charged.add(clients);
    }
    const ctx: ReadContext = {
      env,
      clients,
      limit: (operation, task) => limiter(operation, task, signal),
      sendOptions: { abortSignal: signal },
      now,
      listingThread: this.listingThread,
    };
    const { memory, lastParts } = this.memoryOf(env);
    const errors = new ReadErrorCollector();
    const tasks = memory.descriptions<EcsTask>('tasks');

    // What is due is read at once: on a first read, everything starts now.
    const clusterRead = readCluster(ctx);
    const servicesRead = clusterRead.then(cluster =>
      readServices(ctx, cluster, memory.fresh<string[]>('serviceArns')),
    );
    const stoppedRead = clusterRead.then(() => readStoppedTasks(ctx, tasks));
    const following = this.readFollowingParts(
      ctx,
      memory,
      errors,
      clusterRead,
      servicesRead,
      stoppedRead,
    );
    const healthRead = this.readHealth(ctx, memory, errors, servicesRead);

    let cluster: EcsCluster;
    let services: ServicesRead;
    let stopped: StoppedTasksRead;
    let health: Awaited<typeof healthRead>;
    try {
      [cluster, services, stopped, health] = await Promise.all([
        clusterRead,
        servicesRead,
        stoppedRead,
        healthRead,
      ]);
    } catch (error) {
      // Stop the other parts, and let them settle so nothing runs on after
      // the failure.
      failed.abort(error);
      await Promise.allSettled(
        Object.values(following.parts).map(part => part.promise),
      );
      throw error;
    }
    if (services.listed) {
      memory.remember('serviceArns', services.serviceArns);
    }

    const assemble = (parts: FollowingParts, pending: SnapshotPart[]) =>
      assembleSnapshot({
        environment: toDefinition(env),
        readAt: now.toISOString(),
        cluster,
        services: services.services,
        stoppedTasks: stopped.tasks,
        alarms: health.alarms,
        targetHealth: health.targetHealth,
        parts,
        readErrors: errors.toReadErrors(),
        pending,
      });

    const unsettled = (
      Object.keys(following.parts) as Array<keyof FollowingParts>
    ).filter(part => !following.parts[part].settled);
    if (
      onHealthRead &&
      unsettled.some(part => following.slow.has(part) || !(part in lastParts))
    ) {
      const parts: FollowingParts = {};
      const pending: SnapshotPart[] = [];
      for (const part of Object.keys(following.parts) as Array<
        keyof FollowingParts
      >) {
        const tracked = following.parts[part];
        if (tracked.settled) {
          parts[part] = tracked.value as any;
        } else if (part in lastParts) {
          parts[part] = lastParts[part] as any;
        } else {
          pending.push(part);
        }
      }
      onHealthRead(assemble(parts, [...pending, ...partlyRead(parts)]));
    }

    const [
      runningTasks,
      taskDefinitions,
      workloadResources,
      scaling,
      backup,
      wellArchitected,
    ] = await Promise.all([
      following.parts.runningTasks.promise,
      following.parts.taskDefinitions.promise,
      following.parts.workloadResources.promise,
      following.parts.scaling.promise,
      following.parts.backup.promise,
      following.parts.wellArchitected.promise,
    ]);
    const parts: FollowingParts = {
      runningTasks,
      taskDefinitions,
      workloadResources,
      scaling,
      backup,
      wellArchitected,
    };
    Object.assign(lastParts, parts);
    tasks.retainOnly([
      ...stopped.taskArns,
      ...(runningTasks ?? []).map(task => task.taskArn),
    ]);
    return assemble(parts, partlyRead(parts));
  }

  /** What health needs besides the services: alarms and target health, each best effort. */
  private async readHealth(
    ctx: ReadContext,
    memory: AwsReadMemory,
    errors: ReadErrorCollector,
    servicesRead: Promise<ServicesRead>,
  ): Promise<{ alarms?: EnvironmentAlarms; targetHealth?: TargetHealthRead }> {
    const readAllAlarms = () =>
      errors.capture('health', 'DescribeAlarms', () => readAlarms(ctx));
    const loadBalancersOf = () =>
      readTargetGroupLoadBalancers(ctx).catch((error: Error) => error);
    const knownAlarms = memory.fresh<EnvironmentAlarms>('alarms');
    const knownLoadBalancers = memory.fresh<TargetGroupLoadBalancers>(
      'targetGroupLoadBalancers',
    );
    // Without fresh configuration, the listings start with the read.
    const alarmsListing = knownAlarms
      ? undefined
      : memory.reuseOrRead('alarms', readAllAlarms);
    const loadBalancersListing = knownLoadBalancers
      ? undefined
      : loadBalancersOf();

    const services = await servicesRead;
    let alarmsRead: Promise<EnvironmentAlarms | undefined>;
    if (alarmsListing) {
      alarmsRead = alarmsListing;
    } else if (services.setChanged) {
      // New services have new alarms: the whole list again.
      alarmsRead = memory.reuseOrRead('alarms', readAllAlarms, {
        changed: true,
      });
    } else {
      alarmsRead = errors.capture('health', 'DescribeAlarms', () =>
        readAlarmStates(ctx, knownAlarms!),
      );
    }

    const targetGroupArns = services.services.flatMap(s => s.targetGroupArns);
    let loadBalancers: TargetGroupLoadBalancers | Error;
    if (loadBalancersListing) {
      loadBalancers = await loadBalancersListing;
    } else if (
      services.setChanged ||
      targetGroupArns.some(arn => !knownLoadBalancers!.has(arn))
    ) {
      loadBalancers = await loadBalancersOf();
    } else {
      loadBalancers = knownLoadBalancers!;
    }
    if (loadBalancers instanceof Error) {
      memory.forget('targetGroupLoadBalancers');
    } else if (loadBalancers !== knownLoadBalancers) {
      memory.remember('targetGroupLoadBalancers', loadBalancers);
    }
    const targetHealthRead = errors.capture(
      'health',
      'DescribeTargetHealth',
      () =>
        readTargetHealth(ctx, targetGroupArns, {
          loadBalancers,
          described: memory.descriptions<DescribedTargets>('targetHealth'),
          reuseMs: this.configurationMaxAgeMs,
          onPartialFailure: (part, error) =>
            errors.record('health', part, error),
        }),
    );
    const [alarms, targetHealth] = await Promise.all([
      alarmsRead,
      targetHealthRead,
    ]);
    if (alarms && !alarmsListing && !services.setChanged) {
      // The states of now, kept until the next full listing.
      memory.remember(
        'alarms',
        alarms,
        memory.last('alarms')?.readAt ?? memory.now(),
      );
    }
    return { alarms, targetHealth };
  }

  /**
   * The parts that follow health, each started as soon as what it depends on
   * is known; `slow` names those that read configuration this time.
   */
  private readFollowingParts(
    ctx: ReadContext,
    memory: AwsReadMemory,
    errors: ReadErrorCollector,
    clusterRead: Promise<EcsCluster>,
    servicesRead: Promise<ServicesRead>,
    stoppedRead: Promise<StoppedTasksRead>,
  ): {
    parts: {
      [K in keyof Required<FollowingParts>]: Tracked<FollowingParts[K]>;
    };
    slow: Set<keyof FollowingParts>;
  } {
    const slow = new Set<keyof FollowingParts>();
    const tasks = memory.descriptions<EcsTask>('tasks');

    // Running tasks: listed again when due, or when the cluster's task counts
    // changed or a task stopped since; otherwise the earlier list is reused.
    const knownRunning = memory.fresh<{ taskArns: string[]; counts: string }>(
      'runningTaskArns',
    );
    if (!knownRunning) {
      slow.add('runningTasks');
    }
    const countsOf = (cluster: EcsCluster) =>
      `${cluster.runningTasksCount}/${cluster.pendingTasksCount}`;
    const runningRead: Promise<EcsTask[]> = (async () => {
      const listing = knownRunning
        ? undefined
        : readRunningTasks(ctx, tasks, {
            // Due again: every task is described again too.
            redescribe: memory.last('runningTaskArns') !== undefined,
          });
      // Awaited below, unless the cluster cannot be read: then it must not
      // count as unhandled.
      listing?.catch(() => undefined);
      const cluster = await clusterRead;
      if (!listing) {
        const stopped = await stoppedRead;
        if (
          knownRunning!.counts === countsOf(cluster) &&
          !stopped.newlyStopped
        ) {
          return (await reuseRunningTasks(ctx, tasks, knownRunning!.taskArns))
            .tasks;
        }
      }
      const read = await (listing ??
        readRunningTasks(ctx, tasks, { redescribe: false }));
      memory.remember('runningTaskArns', {
        taskArns: read.taskArns,
        counts: countsOf(cluster),
      });
      return read.tasks;
    })();

    // Task definitions: described once per ARN, when a deployment starts
    // using one (a task definition never changes), at most a budget of them
    // a read; the part stays pending until the next reads have the rest.
    const taskDefinitionsRead = servicesRead.then(services =>
      readTaskDefinitions(ctx, taskDefinitionArnsInUse(services.services), {
        known: memory.descriptions<TaskDefinitionSummary>('taskDefinitions'),
        shared: this.sharedTaskDefinitions,
        budget: this.taskDefinitionsPerRead,
        onFailure: (arn, error) =>
          errors.record('workload', `DescribeTaskDefinition ${arn}`, error),
      }),
    );

    // Scaling: activities every read; targets, policies and capacity
    // providers as configuration, read again when the services changed.
    const activitiesRead = errors.capture(
      'scaling',
      'DescribeScalingActivities',
      () => readScalingActivities(ctx),
    );
    const readPolicies = () =>
      errors.capture('scaling', 'DescribeScalingPolicies', () =>
        readScalingPolicies(ctx),
      );
    const policiesFresh = memory.fresh('scalingPolicies') !== undefined;
    const policiesRead = policiesFresh
      ? servicesRead.then(services =>
          memory.reuseOrRead('scalingPolicies', readPolicies, {
            changed: services.setChanged,
          }),
        )
      : memory.reuseOrRead('scalingPolicies', readPolicies);
    const scalableTargetsRead = servicesRead.then(services =>
      memory.reuseOrRead(
        'scalableTargets',
        () =>
          errors.capture('scaling', 'DescribeScalableTargets', () =>
            readScalableTargets(
              ctx,
              services.services.map(s => s.serviceName),
            ),
          ),
        { changed: services.setChanged },
      ),
    );
    const capacityRead = clusterRead.then(cluster =>
      errors.capture('scaling', 'DescribeCapacityProviders', async () => {
        const names = cluster.capacityProviders.map(p => p.name).sort();
        const known = memory.fresh<CapacityProvider[]>('capacityProviders');
        const providers = await memory.reuseOrRead(
          'capacityProviders',
          () => readCapacityProviders(ctx, names),
          {
            changed:
              !known ||
              known
                .map(p => p.name)
                .sort()
                .join(',') !== names.join(','),
          },
        );
        const groupNames = (providers ?? []).flatMap(p =>
          p.autoScalingGroupName ? [p.autoScalingGroupName] : [],
        );
        const groups = await errors.capture(
          'scaling',
          'DescribeAutoScalingGroups',
          () => readAutoScalingGroups(ctx, groupNames),
        );
        return (providers ?? []).map(provider => ({
          ...provider,
          autoScalingGroup: provider.autoScalingGroupName
            ? groups?.get(provider.autoScalingGroupName)
            : undefined,
        }));
      }),
    );
    if (
      !policiesFresh ||
      memory.fresh('scalableTargets') === undefined ||
      memory.fresh('capacityProviders') === undefined
    ) {
      slow.add('scaling');
    }
    const scalingRead = Promise.all([
      scalableTargetsRead,
      policiesRead,
      activitiesRead,
      capacityRead,
    ]).then(([scalableTargets, policies, activities, capacityProviders]) => ({
      scalableTargets,
      policies,
      activities,
      capacityProviders,
    }));

    if (
      ['backupPlans', 'backupSelections', 'backupCandidates'].some(
        part => memory.fresh(part as 'backupPlans') === undefined,
      )
    ) {
      slow.add('backup');
    }
    const backupRead = readBackupArea(ctx, memory, errors);

    // What the task definitions point at, metadata only: the secrets' SSM
    // parameters and Secrets Manager secrets, and the file systems, as
    // configuration (again at once when the names, the ARNs or the file
    // systems change); each running digest's scan once per configuration
    // period. The secrets' references are looked up alike
    // (`lookUpReferences`), each store by its own call.
    const lookUpReferences = (
      part: 'secretParameters' | 'secretsManagerSecrets',
      operation: string,
      referencesOf: (
        taskDefinitions: Iterable<TaskDefinitionSummary>,
      ) => string[],
      lookUp: (references: string[]) => Promise<SecretReferencesCheck>,
    ) =>
      taskDefinitionsRead.then(taskDefinitions => {
        const references = referencesOf(taskDefinitions.byArn.values());
        const known = memory.fresh<SecretReferencesCheck>(part);
        return memory.reuseOrRead(
          part,
          () => errors.capture('workload', operation, () => lookUp(references)),
          { changed: known?.checked.join('\n') !== references.join('\n') },
        );
      });
    const secretParametersRead = lookUpReferences(
      'secretParameters',
      'DescribeParameters',
      secretParameterNames,
      names => readSecretParameters(ctx, names),
    );
    const secretsManagerSecretsRead = lookUpReferences(
      'secretsManagerSecrets',
      'DescribeSecret',
      taskDefinitions => secretsManagerSecretArns(taskDefinitions, ctx.env),
      arns => readSecretsManagerSecrets(ctx, arns),
    );
    const imageScansRead = runningRead.then(running =>
      readImageScans(
        ctx,
        runningEcrImages(running, ctx.env),
        memory.descriptions<ImageScanRead>('imageScans'),
        this.configurationMaxAgeMs,
        (image, error) =>
          errors.record(
            'workload',
            `DescribeImageScanFindings ${imageKey(image)}`,
            error,
          ),
      ),
    );
    // The file systems are those of the environment's tag, as backup finds
    // them: unknown when backup could not list them.
    const fileSystemsRead = backupRead.then(backupState => {
      if (!backupState) {
        return undefined;
      }
      const ids = fileSystemIds(backupState.candidates);
      const known = memory.fresh<FileSystemSummary[]>('fileSystems');
      return memory.reuseOrRead(
        'fileSystems',
        () =>
          errors.capture('workload', 'DescribeFileSystems', () =>
            readFileSystems(ctx, ids),
          ),
        {
          changed: known?.map(f => f.fileSystemId).join(',') !== ids.join(','),
        },
      );
    });
    if (
      memory.fresh('secretParameters') === undefined ||
      memory.fresh('secretsManagerSecrets') === undefined ||
      memory.fresh('fileSystems') === undefined
    ) {
      slow.add('workloadResources');
    }
    const workloadResourcesRead = Promise.all([
      secretParametersRead,
      secretsManagerSecretsRead,
      imageScansRead,
      fileSystemsRead,
    ]).then(
      ([secretParameters, secretsManagerSecrets, imageScans, fileSystems]) => {
        const resources: WorkloadResources = { imageScans };
        if (secretParameters) {
          resources.secretParameters = secretParameters;
        }
        if (secretsManagerSecrets) {
          resources.secretsManagerSecrets = secretsManagerSecrets;
        }
        if (fileSystems) {
          resources.fileSystems = fileSystems;
        }
        return resources;
      },
    );

    const workloadId = ctx.env.wellArchitectedWorkloadId;
    if (workloadId && memory.fresh('wellArchitected') === undefined) {
      slow.add('wellArchitected');
    }
    const wellArchitectedRead = workloadId
      ? memory.reuseOrRead('wellArchitected', () =>
          errors.capture('wellArchitected', 'Well-Architected', () =>
            readWellArchitected(ctx, workloadId),
          ),
        )
      : Promise.resolve(undefined);

    return {
      parts: {
        runningTasks: new Tracked(runningRead),
        taskDefinitions: new Tracked(taskDefinitionsRead),
        workloadResources: new Tracked(workloadResourcesRead),
        scaling: new Tracked(scalingRead),
        backup: new Tracked(backupRead),
        wellArchitected: new Tracked(wellArchitectedRead),
      },
      slow,
    };
  }
}

/**
 * The snapshot of one read: the health read now and the following parts as
 * given (pending ones absent). Builds new service objects: a published
 * snapshot is never changed afterwards.
 */
function assembleSnapshot(read: {
  environment: EnvironmentDefinition;
  readAt: string;
  cluster: EcsCluster;
  services: EcsService[];
  stoppedTasks: EcsTask[];
  alarms?: EnvironmentAlarms;
  targetHealth?: TargetHealthRead;
  parts: FollowingParts;
  readErrors: EnvironmentSnapshot['readErrors'];
  pending: SnapshotPart[];
}): EnvironmentSnapshot {
  const { cluster, alarms, targetHealth, parts } = read;
  const scaling = parts.scaling;
  const services = withTasks(read.services, [
    parts.runningTasks ?? [],
    read.stoppedTasks,
  ]).map(service => {
    const resourceId = ecsScalingResourceId(
      read.environment.cluster,
      service.serviceName,
    );
    const target = scaling?.scalableTargets?.get(resourceId);
    const result: EcsService = {
      ...service,
      alarms: alarms?.serviceAlarms.get(service.serviceName) ?? [],
      targetHealth: service.targetGroupArns.flatMap(
        arn => targetHealth?.targets.get(arn) ?? [],
      ),
    };
    if (target) {
      result.scaling = {
        ...target,
        policies: scaling?.policies?.get(resourceId) ?? [],
        activities: scaling?.activities?.get(resourceId) ?? [],
      };
    }
    const taskDefinitions = serviceTaskDefinitions(
      service,
      parts.taskDefinitions?.byArn,
    );
    if (taskDefinitions) {
      result.taskDefinitions = taskDefinitions;
    }
    if (targetHealth) {
      result.targetGroups = service.targetGroupArns.flatMap(arn => {
        const counts = targetHealth.groups.get(arn);
        return counts ? [counts] : [];
      });
    }
    return result;
  });
  const snapshot: EnvironmentSnapshot = {
    environment: read.environment,
    readAt: read.readAt,
    cluster: {
      ...cluster,
      capacityProviders:
        scaling?.capacityProviders ?? cluster.capacityProviders,
      alarms: alarms?.clusterAlarms ?? [],
    },
    services,
    backup: parts.backup,
    wellArchitected: parts.wellArchitected,
    workloadResources: parts.workloadResources,
    readErrors: read.readErrors,
  };
  if (read.pending.length > 0) {
    snapshot.pending = read.pending;
  }
  return snapshot;
}

/**
 * The parts read but not whole: the task definitions while some in use are
 * left for a later read.
 */
function partlyRead(parts: FollowingParts): SnapshotPart[] {
  return parts.taskDefinitions && !parts.taskDefinitions.complete
    ? ['taskDefinitions']
    : [];
}

/** The shared definition, without the backend-only endpoint. */
function toDefinition(env: AwsEnvironment): EnvironmentDefinition {
  const { endpoint: _endpoint, ...definition } = env;
  return definition;
}
