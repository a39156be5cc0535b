import {
  AreaReadError,
  BackupState,
  EnvironmentArea,
  EnvironmentDefinition,
  EnvironmentSnapshot,
  ProtectedResource,
} from '@kler/plugin-environments-common';
import { readAlarms } from './alarms';
import {
  readBackupCandidates,
  readBackupJobs,
  readBackupPlans,
  readBackupSelections,
  readLatestRecoveryPoints,
  readProtectedResources,
} from './backup';
import {
  checkLimiterOptions,
  createLimiter,
  Limiter,
  LimiterOptions,
} from './concurrency';
import { readCapacityProviders, readEcs } from './ecs';
import {
  ecsScalingResourceId,
  readAutoScalingGroups,
  readScalableTargets,
  readScalingActivities,
  readScalingPolicies,
} from './scaling';
import { readTargetHealth } from './targets';
import {
  AwsClientsFactory,
  AwsEnvironment,
  EnvironmentReader,
  ReadContext,
} from './types';
import { readWellArchitected } from './wellArchitected';

export interface AwsEnvironmentReaderOptions {
  clientsFactory: AwsClientsFactory;
  /**
   * How fast the reader may call each AWS operation in one account and region:
   * calls in flight, calls per second and burst.
   */
  limits: Omit<LimiterOptions, 'now'>;
  now?: () => Date;
}

/**
 * Collects the failures of the optional parts of a read: each part fails alone,
 * and the snapshot says which areas are incomplete.
 */
class ReadErrorCollector {
  private readonly errorsByArea = new Map<EnvironmentArea, AreaReadError[]>();

  /** Notes the failure of a part that the read worked around. */
  record(area: EnvironmentArea, part: string, error: unknown) {
    const list = this.errorsByArea.get(area) ?? [];
    list.push({
      area,
      name: errorName(error),
      message: `${part}: ${errorMessage(error)}`,
    });
    this.errorsByArea.set(area, list);
  }

  async capture<T>(
    area: EnvironmentArea,
    part: string,
    read: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      this.record(area, part, error);
      return undefined;
    }
  }

  /** One entry per area; several failed parts of one area are joined. */
  toReadErrors(): AreaReadError[] {
    return [...this.errorsByArea.entries()].map(([area, errors]) => ({
      area,
      name: errors[0].name,
      message: errors.map(e => e.message).join('; '),
    }));
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads an environment through the AWS SDK: ECS first-class, every other area best effort. */
export class AwsEnvironmentReader implements EnvironmentReader {
  private readonly clientsFactory: AwsClientsFactory;
  private readonly limits: Omit<LimiterOptions, 'now'>;
  private readonly now: () => Date;
  /**
   * AWS throttles per account, region and operation, whichever environment
   * calls: environments sharing an account share its limiter, across reads.
   */
  private readonly limiters = new Map<string, Limiter>();

  constructor(options: AwsEnvironmentReaderOptions) {
    this.clientsFactory = options.clientsFactory;
    this.limits = options.limits;
    // Fails at construction, so that bad limits stop the backend at start.
    checkLimiterOptions(this.limits);
    this.now = options.now ?? (() => new Date());
  }

  private limiterFor(env: AwsEnvironment): Limiter {
    const key = [env.endpoint ?? 'aws', env.accountId, env.region].join(' ');
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = createLimiter(this.limits);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  async read(
    env: AwsEnvironment,
    signal?: AbortSignal,
  ): Promise<EnvironmentSnapshot> {
    const now = this.now();
    const limiter = this.limiterFor(env);
    const ctx: ReadContext = {
      env,
      clients: await this.clientsFactory(env),
      limit: (operation, task) => limiter(operation, task, signal),
      sendOptions: signal ? { abortSignal: signal } : {},
      now,
    };
    const errors = new ReadErrorCollector();

    // The parts that do not depend on the service list start at once.
    const alarmsRead = errors.capture('health', 'DescribeAlarms', () =>
      readAlarms(ctx),
    );
    const activitiesRead = errors.capture(
      'scaling',
      'DescribeScalingActivities',
      () => readScalingActivities(ctx),
    );
    const policiesRead = errors.capture(
      'scaling',
      'DescribeScalingPolicies',
      () => readScalingPolicies(ctx),
    );
    const backupRead = readBackup(ctx, errors);
    const wellArchitectedRead = env.wellArchitectedWorkloadId
      ? errors.capture('wellArchitected', 'Well-Architected', () =>
          readWellArchitected(ctx, env.wellArchitectedWorkloadId!),
        )
      : Promise.resolve(undefined);

    let ecs;
    try {
      ecs = await readEcs(ctx);
    } catch (error) {
      // Let the optional parts settle so nothing runs on after the failure.
      await Promise.allSettled([
        alarmsRead,
        activitiesRead,
        policiesRead,
        backupRead,
        wellArchitectedRead,
      ]);
      throw error;
    }
    const { cluster, services } = ecs;

    const capacityRead = errors.capture(
      'scaling',
      'DescribeCapacityProviders',
      async () => {
        const providers = await readCapacityProviders(
          ctx,
          cluster.capacityProviders.map(p => p.name),
        );
        const groupNames = providers.flatMap(p =>
          p.autoScalingGroupName ? [p.autoScalingGroupName] : [],
        );
        const groups = await errors.capture(
          'scaling',
          'DescribeAutoScalingGroups',
          () => readAutoScalingGroups(ctx, groupNames),
        );
        return providers.map(provider => ({
          ...provider,
          autoScalingGroup: provider.autoScalingGroupName
            ? groups?.get(provider.autoScalingGroupName)
            : undefined,
        }));
      },
    );
    const scalableTargetsRead = errors.capture(
      'scaling',
      'DescribeScalableTargets',
      () =>
        readScalableTargets(
          ctx,
          services.map(s => s.serviceName),
        ),
    );
    const targetHealthRead = errors.capture(
      'health',
      'DescribeTargetHealth',
      () =>
        readTargetHealth(
          ctx,
          services.flatMap(s => s.targetGroupArns),
          (part, error) => errors.record('health', part, error),
        ),
    );

    const [
      alarms,
      activities,
      policies,
      backup,
      wellArchitected,
      capacityProviders,
      scalableTargets,
      targetHealth,
    ] = await Promise.all([
      alarmsRead,
      activitiesRead,
      policiesRead,
      backupRead,
      wellArchitectedRead,
      capacityRead,
      scalableTargetsRead,
      targetHealthRead,
    ]);

    if (capacityProviders) {
      cluster.capacityProviders = capacityProviders;
    }
    cluster.alarms = alarms?.clusterAlarms ?? [];
    for (const service of services) {
      const resourceId = ecsScalingResourceId(env.cluster, service.serviceName);
      const scaling = scalableTargets?.get(resourceId);
      if (scaling) {
        service.scaling = {
          ...scaling,
          policies: policies?.get(resourceId) ?? [],
          activities: activities?.get(resourceId) ?? [],
        };
      }
      service.alarms = alarms?.serviceAlarms.get(service.serviceName) ?? [];
      service.targetHealth = service.targetGroupArns.flatMap(
        arn => targetHealth?.targets.get(arn) ?? [],
      );
      if (targetHealth) {
        service.targetGroups = service.targetGroupArns.flatMap(arn => {
          const counts = targetHealth.groups.get(arn);
          return counts ? [counts] : [];
        });
      }
    }

    return {
      environment: toDefinition(env),
      readAt: now.toISOString(),
      cluster,
      services,
      backup,
      wellArchitected,
      readErrors: errors.toReadErrors(),
    };
  }
}

/**
 * Reads the backup area part by part: a vault without recovery points readable
 * still leaves the plans and the candidates to judge.
 */
async function readBackup(
  ctx: ReadContext,
  errors: ReadErrorCollector,
): Promise<BackupState | undefined> {
  const vaultName = ctx.env.backupVault;
  const plansRead = errors.capture('backup', 'Backup plans', async () => {
    const plans = await readBackupPlans(ctx);
    // Selections fail alone: the plans' rules are still worth judging.
    const selections = await errors.capture('backup', 'Backup selections', () =>
      readBackupSelections(
        ctx,
        plans.map(plan => plan.backupPlanId),
      ),
    );
    return plans.map(plan => ({
      ...plan,
      resourceArns: selections?.get(plan.backupPlanId) ?? [],
    }));
  });
  const [plans, protectedResources, latestRecoveryPoints, jobs, candidates] =
    await Promise.all([
      plansRead,
      vaultName
        ? errors.capture('backup', 'ListProtectedResourcesByBackupVault', () =>
            readProtectedResources(ctx, vaultName),
          )
        : Promise.resolve([]),
      vaultName
        ? errors.capture('backup', 'ListRecoveryPointsByBackupVault', () =>
            readLatestRecoveryPoints(ctx, vaultName),
          )
        : Promise.resolve(new Map<string, string>()),
      errors.capture('backup', 'ListBackupJobs', () => readBackupJobs(ctx)),
      errors.capture('backup', 'GetResources', () => readBackupCandidates(ctx)),
    ]);

  if (
    [plans, protectedResources, latestRecoveryPoints, jobs, candidates].every(
      part => part === undefined,
    )
  ) {
    return undefined;
  }

  const planIdByResource = new Map<string, string>();
  for (const plan of plans ?? []) {
    for (const arn of plan.resourceArns) {
      planIdByResource.set(arn, plan.backupPlanId);
    }
  }
  const resources: ProtectedResource[] = (protectedResources ?? []).map(
    resource => {
      const resourceArn = resource.ResourceArn ?? '';
      return {
        resourceArn,
        resourceType: resource.ResourceType ?? '',
        resourceName: resource.ResourceName,
        lastBackupTime: resource.LastBackupTime?.toISOString(),
        latestRecoveryPointAt: latestRecoveryPoints?.get(resourceArn),
        backupPlanId: planIdByResource.get(resourceArn),
      };
    },
  );

  return {
    vaultName,
    plans: plans ?? [],
    protectedResources: resources,
    jobs: jobs ?? [],
    candidates: candidates ?? [],
  };
}

/** The shared definition, without the backend-only endpoint. */
function toDefinition(env: AwsEnvironment): EnvironmentDefinition {
  const { endpoint: _endpoint, ...definition } = env;
  return definition;
}
