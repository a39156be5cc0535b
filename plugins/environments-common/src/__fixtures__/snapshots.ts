/*
 * Builders of environment snapshots shaped like what the environments backend
 * reads from AWS for KLER's environments: real ARN formats, ECS event messages,
 * stopped reasons and AWS Backup job states. Every builder returns a new object
 * so that a test can change it freely.
 */
import {
  BackupJob,
  BackupState,
  CapacityProvider,
  CloudWatchAlarm,
  EcsDeployment,
  EcsService,
  EcsTask,
  EnvironmentDefinition,
  EnvironmentSnapshot,
  EnvironmentTier,
  ProtectedResource,
  ScalingActivity,
  TargetHealth,
  WellArchitectedImprovement,
  WellArchitectedReview,
} from '../types';
import { TaskDefinitionSummary } from '../workloadTypes';

export const NOW = new Date('2026-11-26T12:00:00.000Z');
export const REGION = 'eu-west-1';

/** An ISO time `minutes` before NOW. */
export function minutesAgo(minutes: number): string {
  return new Date(NOW.getTime() - minutes * 60 * 1000).toISOString();
}

export function hoursAgo(hours: number): string {
  return minutesAgo(hours * 60);
}

export function daysAgo(days: number): string {
  return hoursAgo(days * 24);
}

export const ACCOUNTS: Record<EnvironmentTier, string> = {
  production: '222222222222',
  development: '111111111111',
};

export function environment(
  tier: EnvironmentTier = 'production',
): EnvironmentDefinition {
  return {
    name: tier,
    title: tier === 'production' ? 'Production' : 'Development',
    tier,
    accountId: ACCOUNTS[tier],
    region: REGION,
    cluster: `kler-${tier}`,
    backupVault: `kler-${tier}`,
    wellArchitectedWorkloadId: `kler-${tier}`,
    entityRef: `resource:default/${tier}`,
  };
}

function arnPrefix(awsService: string, env: EnvironmentDefinition) {
  return `arn:aws:${awsService}:${env.region}:${env.accountId}`;
}

// Deterministic hex ids, so that snapshots and problem ids do not change between runs.
function hexId(seed: string, length: number): string {
  let hash = 2166136261;
  let out = '';
  while (out.length < length) {
    for (const char of `${seed}${out.length}`) {
      hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    }
    out += hash.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

export function taskArn(env: EnvironmentDefinition, seed: string): string {
  return `${arnPrefix('ecs', env)}:task/${env.cluster}/${hexId(seed, 32)}`;
}

export function taskDefinitionArn(
  env: EnvironmentDefinition,
  serviceName: string,
  revision = 42,
): string {
  return `${arnPrefix('ecs', env)}:task-definition/${serviceName}:${revision}`;
}

export function targetGroupArn(
  env: EnvironmentDefinition,
  serviceName: string,
): string {
  return `arn:aws:elasticloadbalancing:${env.region}:${
    env.accountId
  }:targetgroup/${env.cluster}-${serviceName}/${hexId(serviceName, 16)}`;
}

export function deployment(
  env: EnvironmentDefinition,
  serviceName: string,
  overrides: Partial<EcsDeployment> = {},
): EcsDeployment {
  return {
    id: `ecs-svc/${BigInt(`0x${hexId(serviceName, 15)}`)
      .toString()
      .slice(0, 19)}`,
    status: 'PRIMARY',
    rolloutState: 'COMPLETED',
    rolloutStateReason: 'ECS deployment ecs-svc/ completed.',
    taskDefinition: taskDefinitionArn(env, serviceName),
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    failedTasks: 0,
    createdAt: daysAgo(2),
    updatedAt: daysAgo(2),
    ...overrides,
  };
}

export function runningTask(
  env: EnvironmentDefinition,
  serviceName: string,
  index: number,
): EcsTask {
  return {
    taskArn: taskArn(env, `${serviceName}-running-${index}`),
    group: `service:${serviceName}`,
    taskDefinitionArn: taskDefinitionArn(env, serviceName),
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    healthStatus: 'HEALTHY',
    startedAt: daysAgo(2),
    // Spread over the region's zones, as ECS places a service's tasks.
    availabilityZone: `${env.region}${'abc'[index % 3]}`,
    containers: [
      {
        name: serviceName,
        image: imageOf(env, serviceName),
        imageDigest: imageDigestOf(serviceName),
        lastStatus: 'RUNNING',
        healthStatus: 'HEALTHY',
      },
    ],
  };
}

/** The image a service runs: its version tag in the environment's own ECR. */
export function imageOf(env: EnvironmentDefinition, serviceName: string) {
  return `${env.accountId}.dkr.ecr.${env.region}.amazonaws.com/kler/${serviceName}:2026.11.5`;
}

export function imageDigestOf(serviceName: string) {
  return `sha256:${hexId(`${serviceName}-image`, 64)}`;
}

/**
 * The task definition a service runs: its image by version tag from the
 * environment's ECR, its secrets from Parameter Store.
 */
export function taskDefinitionSummary(
  env: EnvironmentDefinition,
  serviceName: string,
  overrides: Partial<TaskDefinitionSummary> = {},
): TaskDefinitionSummary {
  const image = imageOf(env, serviceName);
  return {
    taskDefinitionArn: taskDefinitionArn(env, serviceName),
    family: serviceName,
    revision: 42,
    cpu: '512',
    memory: '1024',
    containers: [
      {
        name: serviceName,
        image: {
          image,
          registry: `${env.accountId}.dkr.ecr.${env.region}.amazonaws.com`,
          repository: `kler/${serviceName}`,
          tag: '2026.11.5',
          ecrAccountId: env.accountId,
        },
        essential: true,
        ports: [8080],
        logDriver: 'awslogs',
        environmentNames: ['KLER_ENVIRONMENT', 'LOG_LEVEL'],
        secrets: [
          {
            name: 'APP_SECRET',
            source: 'ssm',
            reference: `/kler/${env.name}/${serviceName}/APP_SECRET`,
          },
        ],
      },
    ],
    ...overrides,
  };
}

/** A task stopped `minutesBefore` NOW, with the given cause. */
export function stoppedTask(
  env: EnvironmentDefinition,
  serviceName: string,
  cause:
    | 'essential-container-exited'
    | 'out-of-memory'
    | 'out-of-memory-exit-code'
    | 'elb-health-checks'
    | 'container-health-check'
    | 'scale-in'
    | 'user-stopped',
  minutesBefore: number,
  seed = `${cause}-${minutesBefore}`,
): EcsTask {
  const base: EcsTask = {
    taskArn: taskArn(env, `${serviceName}-${seed}`),
    group: `service:${serviceName}`,
    taskDefinitionArn: taskDefinitionArn(env, serviceName),
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    healthStatus: 'UNKNOWN',
    startedAt: minutesAgo(minutesBefore + 12),
    stoppedAt: minutesAgo(minutesBefore),
    containers: [],
  };
  switch (cause) {
    case 'essential-container-exited':
      return {
        ...base,
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: serviceName, lastStatus: 'STOPPED', exitCode: 1 }],
      };
    case 'out-of-memory':
      return {
        ...base,
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [
          {
            name: serviceName,
            lastStatus: 'STOPPED',
            exitCode: 137,
            reason: 'OutOfMemoryError: Container killed due to memory usage',
          },
        ],
      };
    case 'out-of-memory-exit-code':
      return {
        ...base,
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [
          { name: serviceName, lastStatus: 'STOPPED', exitCode: 137 },
        ],
      };
    case 'elb-health-checks':
      return {
        ...base,
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Task failed ELB health checks in (target-group ${targetGroupArn(
          env,
          serviceName,
        )})`,
        containers: [
          { name: serviceName, lastStatus: 'STOPPED', exitCode: 143 },
        ],
      };
    case 'container-health-check':
      return {
        ...base,
        healthStatus: 'UNHEALTHY',
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Task failed container health checks`,
        containers: [
          {
            name: serviceName,
            lastStatus: 'STOPPED',
            exitCode: 137,
            healthStatus: 'UNHEALTHY',
          },
        ],
      };
    case 'scale-in':
      return {
        ...base,
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Scaling activity initiated by (deployment ${
          deployment(env, serviceName).id
        })`,
        containers: [
          { name: serviceName, lastStatus: 'STOPPED', exitCode: 143 },
        ],
      };
    case 'user-stopped':
      return {
        ...base,
        stopCode: 'UserInitiated',
        stoppedReason: 'Task stopped by user',
        containers: [
          { name: serviceName, lastStatus: 'STOPPED', exitCode: 137 },
        ],
      };
    default:
      return base;
  }
}

export function alarm(
  env: EnvironmentDefinition,
  alarmName: string,
  overrides: Partial<CloudWatchAlarm> & { serviceName?: string } = {},
): CloudWatchAlarm {
  const { serviceName, ...rest } = overrides;
  return {
    alarmName,
    alarmArn: `${arnPrefix('cloudwatch', env)}:alarm:${alarmName}`,
    stateValue: 'OK',
    stateReason:
      'Threshold Crossed: 1 datapoint [41.2 (26/11/26 11:55:00)] was not greater than the threshold (80.0).',
    stateUpdatedTimestamp: hoursAgo(5),
    namespace: 'AWS/ECS',
    metricName: 'CPUUtilization',
    dimensions: [
      { name: 'ClusterName', value: env.cluster },
      ...(serviceName ? [{ name: 'ServiceName', value: serviceName }] : []),
    ],
    ...rest,
  };
}

export function firingAlarm(
  env: EnvironmentDefinition,
  alarmName: string,
  serviceName?: string,
): CloudWatchAlarm {
  return alarm(env, alarmName, {
    serviceName,
    stateValue: 'ALARM',
    stateReason:
      'Threshold Crossed: 3 out of the last 3 datapoints [97.1 (26/11/26 11:55:00), 95.4 (26/11/26 11:50:00), 93.8 (26/11/26 11:45:00)] were greater than the threshold (80.0) (minimum 3 datapoints for OK -> ALARM transition).',
    stateUpdatedTimestamp: minutesAgo(15),
  });
}

export function targetHealth(
  env: EnvironmentDefinition,
  serviceName: string,
  index: number,
  overrides: Partial<TargetHealth> = {},
): TargetHealth {
  return {
    targetGroupArn: targetGroupArn(env, serviceName),
    targetId: `10.20.${index + 1}.${17 + index}`,
    port: 8080,
    state: 'healthy',
    ...overrides,
  };
}

export function scalingActivity(
  env: EnvironmentDefinition,
  serviceName: string,
  overrides: Partial<ScalingActivity> = {},
): ScalingActivity {
  return {
    activityId: `${hexId(`${serviceName}${overrides.startTime}`, 8)}-${hexId(
      serviceName,
      4,
    )}-4b1c-9a3e-${hexId(`${overrides.statusCode}`, 12)}`,
    description: `Setting desired count to 4.`,
    cause: `monitor alarm TargetTracking-service/${
      env.cluster
    }/${serviceName}-AlarmHigh-${hexId(
      serviceName,
      8,
    )} in state ALARM triggered policy ${serviceName}-cpu-target-tracking`,
    statusCode: 'Successful',
    statusMessage: `Successfully set desired count to 4. Change successfully fulfilled by ecs.`,
    startTime: hoursAgo(3),
    endTime: hoursAgo(3),
    ...overrides,
  };
}

/** A healthy service: all tasks running and healthy, a completed deployment. */
export function service(
  env: EnvironmentDefinition,
  serviceName: string,
  overrides: Partial<EcsService> = {},
): EcsService {
  const desiredCount = overrides.desiredCount ?? 2;
  return {
    serviceName,
    serviceArn: `${arnPrefix('ecs', env)}:service/${
      env.cluster
    }/${serviceName}`,
    status: 'ACTIVE',
    desiredCount,
    runningCount: desiredCount,
    pendingCount: 0,
    taskDefinition: taskDefinitionArn(env, serviceName),
    createdAt: daysAgo(120),
    deployments: [
      deployment(env, serviceName, {
        desiredCount,
        runningCount: desiredCount,
      }),
    ],
    events: [
      {
        id: `${hexId(serviceName, 8)}-1c2d-4e5f-8a9b-${hexId(serviceName, 12)}`,
        createdAt: hoursAgo(1),
        message: `(service ${serviceName}) has reached a steady state.`,
      },
      {
        id: `${hexId(`${serviceName}2`, 8)}-1c2d-4e5f-8a9b-${hexId(
          serviceName,
          12,
        )}`,
        createdAt: daysAgo(2),
        message: `(service ${serviceName}) has started 1 tasks: (task ${hexId(
          `${serviceName}-running-0`,
          32,
        )}).`,
      },
    ],
    tasks: Array.from({ length: desiredCount }, (_, i) =>
      runningTask(env, serviceName, i),
    ),
    targetGroupArns: [targetGroupArn(env, serviceName)],
    targetHealth: Array.from({ length: desiredCount }, (_, i) =>
      targetHealth(env, serviceName, i),
    ),
    scaling: {
      resourceId: `service/${env.cluster}/${serviceName}`,
      minCapacity: 1,
      maxCapacity: 6,
      policies: [
        {
          policyName: `${serviceName}-cpu-target-tracking`,
          policyType: 'TargetTrackingScaling',
          targetValue: 60,
          metric: 'ECSServiceAverageCPUUtilization',
        },
      ],
      activities: [scalingActivity(env, serviceName)],
    },
    alarms: [alarm(env, `${serviceName}-cpu-high`, { serviceName })],
    taskDefinitions: [taskDefinitionSummary(env, serviceName)],
    ...overrides,
  };
}

export function capacityProvider(
  env: EnvironmentDefinition,
  overrides: Partial<CapacityProvider> = {},
): CapacityProvider {
  const groupName = `${env.cluster}-ecs-instances`;
  return {
    name: `${env.cluster}-ec2`,
    status: 'ACTIVE',
    autoScalingGroupArn: `arn:aws:autoscaling:${env.region}:${
      env.accountId
    }:autoScalingGroup:${hexId(groupName, 8)}-5b2e-4c1d-9f0a-${hexId(
      groupName,
      12,
    )}:autoScalingGroupName/${groupName}`,
    autoScalingGroupName: groupName,
    managedScalingStatus: 'ENABLED',
    targetCapacity: 100,
    autoScalingGroup: {
      autoScalingGroupName: groupName,
      minSize: 1,
      maxSize: 4,
      desiredCapacity: 2,
      instances: [0, 1].map(i => ({
        instanceId: `i-0${hexId(`${groupName}${i}`, 16)}`,
        instanceType: 'm6i.large',
        availabilityZone: `${env.region}${i === 0 ? 'a' : 'b'}`,
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
      })),
    },
    ...overrides,
  };
}

export const SERVICE_NAMES = [
  'storefront',
  'shop-api',
  'admin-panel',
  'image-service',
  'order-worker',
];

export function efsArn(env: EnvironmentDefinition): string {
  return `${arnPrefix('elasticfilesystem', env)}:file-system/fs-0${hexId(
    `${env.name}efs`,
    16,
  )}`;
}

export function rdsArn(env: EnvironmentDefinition): string {
  return `${arnPrefix('rds', env)}:db:shop-database`;
}

export function backupJob(
  env: EnvironmentDefinition,
  resourceArn: string,
  overrides: Partial<BackupJob> = {},
): BackupJob {
  const creationDate = overrides.creationDate ?? hoursAgo(7);
  return {
    backupJobId: hexId(`${resourceArn}${creationDate}`, 8)
      .toUpperCase()
      .concat('-2C4D-6E8F-A0B1-', hexId(creationDate, 12).toUpperCase()),
    resourceArn,
    resourceType: resourceArn.includes(':rds:') ? 'RDS' : 'EFS',
    state: 'COMPLETED',
    creationDate,
    completionDate: new Date(
      Date.parse(creationDate) + 20 * 60 * 1000,
    ).toISOString(),
    backupPlanId: planId(env),
    ...overrides,
  };
}

export function planId(env: EnvironmentDefinition): string {
  return `${hexId(`${env.name}plan`, 8)}-4a1b-4c2d-8e3f-${hexId(env.name, 12)}`;
}

export function protectedResource(
  env: EnvironmentDefinition,
  resourceArn: string,
  lastBackupTime: string,
): ProtectedResource {
  return {
    resourceArn,
    resourceType: resourceArn.includes(':rds:') ? 'RDS' : 'EFS',
    resourceName: resourceArn.includes(':rds:')
      ? 'shop-database'
      : 'shop-media',
    lastBackupTime,
    latestRecoveryPointAt: lastBackupTime,
    backupPlanId: planId(env),
  };
}

/** Daily backups of shop-media (EFS) and shop-database (RDS), all completed. */
export function backupState(env: EnvironmentDefinition): BackupState {
  const resources = [efsArn(env), rdsArn(env)];
  return {
    vaultName: env.backupVault,
    plans: [
      {
        backupPlanId: planId(env),
        backupPlanName: `${env.name}-daily`,
        rules: [
          {
            ruleName: 'daily-0500-utc',
            scheduleExpression: 'cron(0 5 ? * * *)',
            frequencyHours: 24,
            retentionDays: env.tier === 'production' ? 35 : 7,
            targetBackupVaultName: env.backupVault ?? env.name,
          },
        ],
        resourceArns: resources,
      },
    ],
    protectedResources: resources.map(arn =>
      protectedResource(env, arn, hoursAgo(7)),
    ),
    jobs: resources.flatMap(arn =>
      [0, 1, 2, 3, 4, 5, 6].map(day =>
        backupJob(env, arn, { creationDate: hoursAgo(7 + day * 24) }),
      ),
    ),
    candidates: [
      {
        resourceArn: efsArn(env),
        resourceType: 'elasticfilesystem:file-system',
        resourceName: 'shop-media',
      },
      {
        resourceArn: rdsArn(env),
        resourceType: 'rds:db',
        resourceName: 'shop-database',
      },
    ],
  };
}

const PILLARS = [
  ['operationalExcellence', 'Operational Excellence'],
  ['security', 'Security'],
  ['reliability', 'Reliability'],
  ['performance', 'Performance Efficiency'],
  ['costOptimization', 'Cost Optimization'],
  ['sustainability', 'Sustainability'],
];

export function improvement(
  pillarId: string,
  questionId: string,
  questionTitle: string,
  risk: string,
): WellArchitectedImprovement {
  return {
    pillarId,
    questionId,
    questionTitle,
    risk,
    improvementPlanUrl: `https://docs.aws.amazon.com/wellarchitected/latest/framework/${questionId}.html`,
  };
}

/** A review with every question answered without risk, updated 20 days ago. */
export function wellArchitectedReview(
  env: EnvironmentDefinition,
  improvements: WellArchitectedImprovement[] = [],
): WellArchitectedReview {
  const counts = (pillarId?: string) => {
    const own = improvements.filter(i => !pillarId || i.pillarId === pillarId);
    const high = own.filter(i => i.risk === 'HIGH').length;
    const medium = own.filter(i => i.risk === 'MEDIUM').length;
    return {
      HIGH: high,
      MEDIUM: medium,
      NONE: (pillarId ? 10 : 57) - high - medium,
      UNANSWERED: 0,
      NOT_APPLICABLE: 0,
    };
  };
  return {
    workloadId: env.wellArchitectedWorkloadId ?? env.name,
    workloadName: `KLER ${env.name}`,
    lensAlias: 'wellarchitected',
    lensName: 'AWS Well-Architected Framework',
    updatedAt: daysAgo(20),
    riskCounts: counts(),
    pillars: PILLARS.map(([pillarId, pillarName]) => ({
      pillarId,
      pillarName,
      riskCounts: counts(pillarId),
    })),
    improvements,
  };
}

/** KLER's environment with every service, backup and review in good health. */
export function healthySnapshot(
  tier: EnvironmentTier = 'production',
): EnvironmentSnapshot {
  const env = environment(tier);
  const services = SERVICE_NAMES.map(name =>
    // Development runs its worker alone; production is redundant everywhere.
    service(env, name, {
      desiredCount: name === 'order-worker' && tier === 'development' ? 1 : 2,
    }),
  );
  // order-worker reads a queue: no load balancer.
  const worker = services[services.length - 1];
  worker.targetGroupArns = [];
  worker.targetHealth = [];
  return {
    environment: env,
    readAt: NOW.toISOString(),
    cluster: {
      clusterName: env.cluster,
      clusterArn: `${arnPrefix('ecs', env)}:cluster/${env.cluster}`,
      status: 'ACTIVE',
      runningTasksCount: services.reduce((n, s) => n + s.runningCount, 0),
      pendingTasksCount: 0,
      activeServicesCount: services.length,
      registeredContainerInstancesCount: 2,
      capacityProviders: [capacityProvider(env)],
      alarms: [alarm(env, `${env.cluster}-memory-reservation-high`)],
    },
    services,
    backup: backupState(env),
    wellArchitected: wellArchitectedReview(env),
    readErrors: [],
  };
}

/** The service of a snapshot by name; throws so that a typo fails the test. */
export function serviceOf(
  snapshot: EnvironmentSnapshot,
  serviceName: string,
): EcsService {
  const found = snapshot.services.find(s => s.serviceName === serviceName);
  if (!found) {
    throw new Error(`No service ${serviceName} in the snapshot`);
  }
  return found;
}
