import {
  EcsService,
  EntityEnvironmentsResponse,
  EnvironmentDetailsResponse,
  EnvironmentRun,
  EnvironmentSnapshot,
  EnvironmentSummary,
  EnvironmentTier,
  HealthStatus,
  Problem,
  ServiceEvaluation,
  TaskDefinitionSummary,
} from '@kler/plugin-environments-common';

const READ_AT = '2026-11-26T12:00:00.000Z';

const ok = {
  health: 'ok',
  scaling: 'ok',
  backup: 'ok',
  wellArchitected: 'ok',
  workload: 'ok',
  provisioning: 'ok',
} as const;

export function makeSummary(
  overrides: Partial<EnvironmentSummary> & { name: string },
): EnvironmentSummary {
  const tier: EnvironmentTier =
    overrides.tier ??
    (overrides.name === 'production' ? 'production' : 'development');
  return {
    title:
      overrides.name[0].toLocaleUpperCase('en-US') + overrides.name.slice(1),
    tier,
    accountId: tier === 'production' ? '222222222222' : '111111111111',
    region: 'eu-west-1',
    cluster: `kler-${overrides.name}`,
    entityRef: `resource:default/${overrides.name}`,
    status: 'ok',
    areas: { ...ok },
    counts: {
      services: 5,
      servicesWithProblems: 0,
      problems: { critical: 0, high: 0, medium: 0, low: 0 },
    },
    refreshedAt: READ_AT,
    stale: false,
    source: 'sandbox',
    ...overrides,
  };
}

export const healthyProduction = makeSummary({ name: 'production' });
export const healthyDevelopment = makeSummary({ name: 'development' });

export const shopApiRunningBelowDesired: Problem = {
  id: 'production/shop-api/running-below-desired',
  environment: 'production',
  area: 'health',
  severity: 'critical',
  title: 'shop-api runs 1 of 3 tasks',
  explanation:
    'Two tasks stopped with EssentialContainerExited (exit code 137) in the last hour.',
  proposedFix:
    'Raise the task memory or fix the memory leak; check the stopped tasks below.',
  consoleUrl:
    'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/kler-production/services/shop-api/health?region=eu-west-1',
  serviceName: 'shop-api',
};

export const shopDatabaseBackupFailed: Problem = {
  id: 'production/backup/shop-database/job-failed',
  environment: 'production',
  area: 'backup',
  severity: 'high',
  title: 'Backup of shop-database failed',
  explanation: 'The latest backup job ended FAILED: insufficient privileges.',
  proposedFix: 'Give the backup role rds:CreateDBSnapshot.',
  consoleUrl:
    'https://eu-west-1.console.aws.amazon.com/backup/home?region=eu-west-1#/jobs',
  resource: 'arn:aws:rds:eu-west-1:222222222222:db:shop-database',
};

export const storefrontAtMaxCapacity: Problem = {
  id: 'development/storefront/at-max-capacity',
  environment: 'development',
  area: 'scaling',
  severity: 'medium',
  title: 'storefront is at its maximum capacity',
  explanation: 'Desired count 4 equals the scalable target maximum 4.',
  proposedFix: 'Raise maxCapacity of the scalable target.',
  serviceName: 'storefront',
};

export const reliabilityHighRisk: Problem = {
  id: 'development/well-architected/REL-9',
  environment: 'development',
  area: 'wellArchitected',
  severity: 'low',
  title: 'High risk: How do you back up data?',
  explanation: 'The Well-Architected review marks this question as high risk.',
  proposedFix: 'Follow the improvement plan.',
  consoleUrl:
    'https://docs.aws.amazon.com/wellarchitected/latest/framework/rel_backing_up_data.html',
};

/** Every problem of the fixtures, worst first, as the backend sends them. */
export const allProblems: Problem[] = [
  shopApiRunningBelowDesired,
  shopDatabaseBackupFailed,
  storefrontAtMaxCapacity,
  reliabilityHighRisk,
];

export const productionWithProblems = makeSummary({
  name: 'production',
  status: 'error',
  areas: { ...ok, health: 'error', backup: 'warning' },
  counts: {
    services: 5,
    servicesWithProblems: 1,
    problems: { critical: 1, high: 1, medium: 0, low: 0 },
  },
});

export function makeService(
  serviceName: string,
  overrides: Partial<EcsService> = {},
): EcsService {
  const desiredCount = overrides.desiredCount ?? 2;
  const runningCount = overrides.runningCount ?? desiredCount;
  return {
    serviceName,
    serviceArn: `arn:aws:ecs:eu-west-1:222222222222:service/kler-production/${serviceName}`,
    status: 'ACTIVE',
    desiredCount,
    runningCount,
    pendingCount: 0,
    taskDefinition: `arn:aws:ecs:eu-west-1:222222222222:task-definition/${serviceName}:7`,
    deployments: [
      {
        id: `ecs-svc/${serviceName}`,
        status: 'PRIMARY',
        rolloutState: 'COMPLETED',
        taskDefinition: `${serviceName}:7`,
        desiredCount,
        runningCount,
        pendingCount: 0,
        failedTasks: 0,
        createdAt: '2026-11-26T09:00:00.000Z',
      },
    ],
    events: [
      {
        id: `${serviceName}-event-1`,
        createdAt: '2026-11-26T11:55:00.000Z',
        message: `(service ${serviceName}) has reached a steady state.`,
      },
    ],
    tasks: [],
    targetGroupArns: [],
    targetHealth: [],
    scaling: {
      resourceId: `service/kler-production/${serviceName}`,
      minCapacity: 1,
      maxCapacity: 4,
      policies: [
        {
          policyName: `${serviceName}-cpu-70`,
          policyType: 'TargetTrackingScaling',
          targetValue: 70,
          metric: 'ECSServiceAverageCPUUtilization',
        },
      ],
      activities: [],
    },
    alarms: [],
    ...overrides,
  };
}

export function makeServiceEvaluation(
  serviceName: string,
  status: HealthStatus,
  problems: Problem[] = [],
): ServiceEvaluation {
  return {
    serviceName,
    status,
    areas: { ...ok, health: status },
    problems,
  };
}

/** shop-api in production: one running of three, tasks crashing, a target unhealthy. */
export const degradedShopApi = makeService('shop-api', {
  desiredCount: 3,
  runningCount: 1,
  pendingCount: 1,
  deployments: [
    {
      id: 'ecs-svc/shop-api-2',
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'ECS deployment ecs-svc/shop-api-2 in progress.',
      taskDefinition: 'shop-api:8',
      desiredCount: 3,
      runningCount: 1,
      pendingCount: 1,
      failedTasks: 2,
    },
  ],
  events: [
    {
      id: 'shop-api-event-2',
      createdAt: '2026-11-26T11:58:00.000Z',
      message:
        '(service shop-api) has started 1 tasks: (task 2b4c). (service shop-api) deployment failed: tasks failed to start.',
    },
  ],
  tasks: [
    {
      taskArn: 'arn:aws:ecs:eu-west-1:222222222222:task/kler-production/2b4c',
      group: 'service:shop-api',
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      stoppedAt: '2026-11-26T11:57:00.000Z',
      containers: [
        {
          name: 'shop-api',
          lastStatus: 'STOPPED',
          exitCode: 137,
          reason: 'OutOfMemoryError: Container killed due to memory usage',
        },
      ],
    },
  ],
  targetGroupArns: [
    'arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup/shop-api/abc',
  ],
  targetHealth: [
    {
      targetGroupArn:
        'arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup/shop-api/abc',
      targetId: '10.0.1.12',
      port: 8080,
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [502]',
    },
  ],
  alarms: [
    {
      alarmName: 'shop-api-5xx',
      stateValue: 'ALARM',
      stateReason: 'Threshold crossed: 12 errors > 5',
      dimensions: [
        { name: 'ClusterName', value: 'kler-production' },
        { name: 'ServiceName', value: 'shop-api' },
      ],
    },
  ],
});

export const entityEnvironments: EntityEnvironmentsResponse = {
  entityRef: 'component:default/shop-api',
  serviceNames: ['shop-api'],
  environments: [
    {
      summary: healthyDevelopment,
      services: [
        {
          service: makeService('shop-api'),
          evaluation: makeServiceEvaluation('shop-api', 'ok'),
        },
      ],
    },
    {
      summary: productionWithProblems,
      services: [
        {
          service: degradedShopApi,
          evaluation: makeServiceEvaluation('shop-api', 'error', [
            shopApiRunningBelowDesired,
          ]),
        },
      ],
    },
  ],
};

export function makeSnapshot(
  summary: EnvironmentSummary,
  services: EcsService[],
): EnvironmentSnapshot {
  return {
    environment: {
      name: summary.name,
      title: summary.title,
      tier: summary.tier,
      accountId: summary.accountId,
      region: summary.region,
      cluster: summary.cluster,
      backupVault: `kler-${summary.name}`,
      wellArchitectedWorkloadId: `kler-${summary.name}`,
      entityRef: summary.entityRef,
    },
    readAt: READ_AT,
    cluster: {
      clusterName: summary.cluster,
      clusterArn: `arn:aws:ecs:eu-west-1:${summary.accountId}:cluster/${summary.cluster}`,
      status: 'ACTIVE',
      runningTasksCount: services.reduce((sum, s) => sum + s.runningCount, 0),
      pendingTasksCount: 0,
      activeServicesCount: services.length,
      registeredContainerInstancesCount: 3,
      capacityProviders: [
        {
          name: `${summary.cluster}-ec2`,
          status: 'ACTIVE',
          managedScalingStatus: 'ENABLED',
          targetCapacity: 90,
          autoScalingGroupName: `${summary.cluster}-asg`,
          autoScalingGroup: {
            autoScalingGroupName: `${summary.cluster}-asg`,
            minSize: 2,
            maxSize: 6,
            desiredCapacity: 3,
            instances: [
              {
                instanceId: 'i-0a1b2c3d4e5f60001',
                instanceType: 'm6i.large',
                availabilityZone: 'eu-west-1a',
                lifecycleState: 'InService',
                healthStatus: 'Healthy',
              },
              {
                instanceId: 'i-0a1b2c3d4e5f60002',
                instanceType: 'm6i.large',
                availabilityZone: 'eu-west-1b',
                lifecycleState: 'InService',
                healthStatus: 'Unhealthy',
              },
            ],
          },
        },
      ],
      alarms: [],
    },
    services,
    backup: {
      vaultName: `kler-${summary.name}`,
      plans: [
        {
          backupPlanId: 'plan-daily',
          backupPlanName: 'daily',
          rules: [
            {
              ruleName: 'daily-35d',
              scheduleExpression: 'cron(0 3 * * ? *)',
              frequencyHours: 24,
              retentionDays: 35,
              targetBackupVaultName: `kler-${summary.name}`,
            },
          ],
          resourceArns: [
            `arn:aws:elasticfilesystem:eu-west-1:${summary.accountId}:file-system/fs-shop-media`,
          ],
        },
      ],
      protectedResources: [
        {
          resourceArn: `arn:aws:elasticfilesystem:eu-west-1:${summary.accountId}:file-system/fs-shop-media`,
          resourceType: 'EFS',
          resourceName: 'shop-media',
          lastBackupTime: '2026-11-26T03:10:00.000Z',
          latestRecoveryPointAt: '2026-11-26T03:10:00.000Z',
          backupPlanId: 'plan-daily',
        },
      ],
      jobs: [
        {
          backupJobId: 'job-3',
          resourceArn: `arn:aws:rds:eu-west-1:${summary.accountId}:db:shop-database`,
          resourceType: 'RDS',
          state: 'FAILED',
          statusMessage: 'Insufficient privileges to perform the backup',
          creationDate: '2026-11-26T03:00:00.000Z',
        },
        {
          backupJobId: 'job-2',
          resourceArn: `arn:aws:elasticfilesystem:eu-west-1:${summary.accountId}:file-system/fs-shop-media`,
          resourceType: 'EFS',
          state: 'COMPLETED',
          creationDate: '2026-11-26T03:00:00.000Z',
          completionDate: '2026-11-26T03:10:00.000Z',
        },
        {
          backupJobId: 'job-1',
          resourceArn: `arn:aws:elasticfilesystem:eu-west-1:${summary.accountId}:file-system/fs-shop-media`,
          resourceType: 'EFS',
          state: 'COMPLETED',
          creationDate: '2026-11-25T03:00:00.000Z',
          completionDate: '2026-11-25T03:12:00.000Z',
        },
      ],
      candidates: [
        {
          resourceArn: `arn:aws:elasticfilesystem:eu-west-1:${summary.accountId}:file-system/fs-shop-media`,
          resourceType: 'elasticfilesystem:file-system',
          resourceName: 'shop-media',
        },
        {
          resourceArn: `arn:aws:rds:eu-west-1:${summary.accountId}:db:shop-database`,
          resourceType: 'rds:db',
          resourceName: 'shop-database',
        },
      ],
    },
    wellArchitected: {
      workloadId: `kler-${summary.name}`,
      workloadName: `kler-${summary.name}`,
      lensAlias: 'wellarchitected',
      lensName: 'AWS Well-Architected Framework',
      riskCounts: { HIGH: 3, MEDIUM: 4, NONE: 20, UNANSWERED: 30 },
      pillars: [
        {
          pillarId: 'reliability',
          pillarName: 'Reliability',
          riskCounts: { HIGH: 2, MEDIUM: 1, NONE: 5, UNANSWERED: 5 },
        },
        {
          pillarId: 'security',
          pillarName: 'Security',
          riskCounts: { HIGH: 1, MEDIUM: 3, NONE: 15, UNANSWERED: 25 },
        },
      ],
      improvements: [
        {
          pillarId: 'reliability',
          questionId: 'backing-up-data',
          questionTitle: 'How do you back up data?',
          risk: 'HIGH',
          improvementPlanUrl:
            'https://docs.aws.amazon.com/wellarchitected/latest/framework/rel_backing_up_data.html',
        },
        {
          pillarId: 'security',
          questionId: 'sec-identities',
          questionTitle: 'How do you manage identities?',
          risk: 'MEDIUM',
        },
      ],
    },
    readErrors: [],
  };
}

export function makeEnvironmentDetails(
  summary: EnvironmentSummary,
  services: EcsService[],
  problems: Problem[] = [],
): EnvironmentDetailsResponse {
  return {
    summary,
    snapshot: makeSnapshot(summary, services),
    evaluation: {
      environment: summary.name,
      status: summary.status,
      areas: summary.areas,
      services: services.map(service =>
        makeServiceEvaluation(
          service.serviceName,
          problems.some(p => p.serviceName === service.serviceName)
            ? 'error'
            : 'ok',
          problems.filter(p => p.serviceName === service.serviceName),
        ),
      ),
      problems,
    },
  };
}

export const failedApplyOfProduction: Problem = {
  id: 'production/provisioning/apply-failed',
  environment: 'production',
  area: 'provisioning',
  severity: 'high',
  title: 'Last apply of production failed',
  explanation:
    'The Terraform apply of production 20 min ago, started by user:default/alice from the portal, failed: terraform apply failed (exit code 1).',
  proposedFix:
    'Open the run (/create/tasks/6a1f0c2e) and read the error; fix its cause, then plan again and apply the new plan.',
  runUrl: '/create/tasks/6a1f0c2e',
};

/** Production's history: a failed apply from the portal, a pipeline's plan, drift found by the schedule. */
export const productionRuns: EnvironmentRun[] = [
  {
    id: '12',
    environment: 'production',
    kind: 'apply',
    source: 'portal',
    outcome: 'failed',
    actor: 'user:default/alice',
    reportedBy: 'plugin:scaffolder',
    at: '2026-11-26T11:40:00.000Z',
    link: '/create/tasks/6a1f0c2e',
    summary: {
      add: 1,
      change: 0,
      destroy: 0,
      replace: 0,
      byType: {
        aws_ecs_service: { add: 1, change: 0, destroy: 0, replace: 0 },
      },
      outputChanges: 0,
    },
    message:
      'terraform apply failed (exit code 1): Error: creating ECS Service (image-service): InvalidParameterException',
  },
  {
    id: '11',
    environment: 'production',
    kind: 'plan',
    source: 'pipeline',
    outcome: 'succeeded',
    actor: 'github-actions:kler/environments',
    reportedBy: 'external:environments-pipeline',
    at: '2026-11-26T10:05:00.000Z',
    link: 'https://github.com/kler/environments/actions/runs/4242',
    summary: {
      add: 0,
      change: 2,
      destroy: 0,
      replace: 0,
      byType: {
        aws_ecs_service: { add: 0, change: 1, destroy: 0, replace: 0 },
        aws_security_group: { add: 0, change: 1, destroy: 0, replace: 0 },
      },
    },
  },
  {
    id: '10',
    environment: 'production',
    kind: 'drift',
    source: 'schedule',
    outcome: 'skipped',
    actor: 'plugin:scaffolder',
    reportedBy: 'plugin:scaffolder',
    at: '2026-11-26T06:00:00.000Z',
    message: 'the code declares no backend',
  },
];

/** shop-api's task definition in an environment: its image from the account's ECR. */
export function makeTaskDefinition(
  environment: EnvironmentSummary,
  options: {
    revision: number;
    tag: string;
    environmentNames: string[];
    secretNames: string[];
  },
): TaskDefinitionSummary {
  const registry = `${environment.accountId}.dkr.ecr.eu-west-1.amazonaws.com`;
  return {
    taskDefinitionArn: `arn:aws:ecs:eu-west-1:${environment.accountId}:task-definition/shop-api:${options.revision}`,
    family: 'shop-api',
    revision: options.revision,
    cpu: '512',
    memory: '1024',
    containers: [
      {
        name: 'shop-api',
        image: {
          image: `${registry}/kler/shop-api:${options.tag}`,
          registry,
          repository: 'kler/shop-api',
          tag: options.tag,
          ecrAccountId: environment.accountId,
        },
        essential: true,
        ports: [8080],
        logDriver: 'awslogs',
        environmentNames: options.environmentNames,
        secrets: options.secretNames.map(name => ({
          name,
          source: 'ssm',
          reference: `/kler/${environment.name}/shop-api/${name}`,
        })),
      },
    ],
  };
}

/**
 * shop-api healthy in both environments, running different versions:
 * development a release candidate with DB_PASSWORD in plaintext, production
 * DB_URL and the password from Parameter Store.
 */
export const entityEnvironmentsWithTaskDefinitions: EntityEnvironmentsResponse =
  {
    entityRef: 'component:default/shop-api',
    serviceNames: ['shop-api'],
    environments: [
      {
        summary: healthyDevelopment,
        services: [
          {
            service: makeService('shop-api', {
              taskDefinitions: [
                makeTaskDefinition(healthyDevelopment, {
                  revision: 57,
                  tag: '2026.11.6-rc2',
                  environmentNames: ['DB_PASSWORD', 'LOG_LEVEL'],
                  secretNames: [],
                }),
              ],
            }),
            evaluation: makeServiceEvaluation('shop-api', 'ok'),
          },
        ],
      },
      {
        summary: healthyProduction,
        services: [
          {
            service: makeService('shop-api', {
              taskDefinitions: [
                makeTaskDefinition(healthyProduction, {
                  revision: 42,
                  tag: '2026.11.5',
                  environmentNames: ['DB_URL', 'LOG_LEVEL'],
                  secretNames: ['DB_PASSWORD'],
                }),
              ],
            }),
            evaluation: makeServiceEvaluation('shop-api', 'ok'),
          },
        ],
      },
    ],
  };
