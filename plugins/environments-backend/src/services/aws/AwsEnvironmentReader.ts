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
import { createLimiter } from './concurrency';
import { readCapacityProviders, readEcs } from './ecs';
import {
  ecsScalingResourceId,
  readAutoScalingGroups,
  readScalableTargets,
  readScalingActivities,
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
  /** AWS calls in flight at once for one environment. */
  concurrency: number;
  now?: () => Date;
}

/**
 * Collects the failures of the optional parts of a read: each part fails alone,
 * and the snapshot says which areas are incomplete.
 */
class ReadErrorCollector {
  private readonly errorsByArea = new Map<EnvironmentArea, AreaReadError[]>();

  async capture<T>(
    area: EnvironmentArea,
    part: string,
    read: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      const list = this.errorsByArea.get(area) ?? [];
      list.push({
        area,
        name: errorName(error),
        message: `${part}: ${errorMessage(error)}`,
      });
      this.errorsByArea.set(area, list);
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
  private readonly concurrency: number;
  private readonly now: () => Date;

  constructor(options: AwsEnvironmentReaderOptions) {
    this.clientsFactory = options.clientsFactory;
    this.concurrency = options.concurrency;
    this.now = options.now ?? (() => new Date());
  }

  async read(
    env: AwsEnvironment,
    signal?: AbortSignal,
  ): Promise<EnvironmentSnapshot> {
    const now = this.now();
    const ctx: ReadContext = {
      env,
      clients: await this.clientsFactory(env),
      limit: createLimiter(this.concurrency),
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
        ),
    );

    const [
      alarms,
      activities,
      backup,
      wellArchitected,
      capacityProviders,
      scalableTargets,
      targetHealth,
    ] = await Promise.all([
      alarmsRead,
      activitiesRead,
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
          activities: activities?.get(resourceId) ?? [],
        };
      }
      service.alarms = alarms?.serviceAlarms.get(service.serviceName) ?? [];
      service.targetHealth = service.targetGroupArns.flatMap(
        arn => targetHealth?.get(arn) ?? [],
      );
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
