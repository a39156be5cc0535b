import 'aws-sdk-client-mock-jest';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  BackupClient,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListProtectedResourcesByBackupVaultCommand,
  ListRecoveryPointsByBackupVaultCommand,
} from '@aws-sdk/client-backup';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeImageScanFindingsCommand,
  ECRClient,
} from '@aws-sdk/client-ecr';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  GetLensReviewCommand,
  GetWorkloadCommand,
  ListLensReviewImprovementsCommand,
  WellArchitectedClient,
} from '@aws-sdk/client-wellarchitected';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AwsEnvironmentReader,
  AwsEnvironmentReaderOptions,
} from '../services/aws/AwsEnvironmentReader';
import { AwsClients, AwsEnvironment } from '../services/aws/types';

/*
 * The AWS SDK mocks of the reader's tests (aws-sdk-client-mock): one mock per
 * client, every call of a healthy empty account answered by default.
 */

export const NOW = new Date('2026-11-26T12:00:00.000Z');
export const minutesAgo = (minutes: number, from = NOW) =>
  new Date(from.getTime() - minutes * 60 * 1000);

export const env: AwsEnvironment = {
  name: 'production',
  tier: 'production',
  accountId: '222222222222',
  region: 'eu-west-1',
  cluster: 'kler-production',
  backupVault: 'kler-production',
  wellArchitectedWorkloadId: 'kler-production',
};

export const ecs = mockClient(ECSClient);
export const applicationAutoScaling = mockClient(ApplicationAutoScalingClient);
export const autoScaling = mockClient(AutoScalingClient);
export const cloudWatch = mockClient(CloudWatchClient);
export const elasticLoadBalancing = mockClient(ElasticLoadBalancingV2Client);
export const backup = mockClient(BackupClient);
export const wellArchitected = mockClient(WellArchitectedClient);
export const tagging = mockClient(ResourceGroupsTaggingAPIClient);
export const ssm = mockClient(SSMClient);
export const secretsManager = mockClient(SecretsManagerClient);
export const ecr = mockClient(ECRClient);
export const efs = mockClient(EFSClient);

const ALL_MOCKS = [
  ecs,
  applicationAutoScaling,
  autoScaling,
  cloudWatch,
  elasticLoadBalancing,
  backup,
  wellArchitected,
  tagging,
  ssm,
  secretsManager,
  ecr,
  efs,
];

/** Resets every mock before each test of the file, to a healthy empty account. */
export function useAwsMocks() {
  beforeEach(() => {
    for (const mock of ALL_MOCKS) {
      mock.reset();
    }
    mockEmptyAccount();
  });
}

/** Forgets the calls made so far, keeping the answers. */
export function clearAwsCalls() {
  for (const mock of ALL_MOCKS) {
    mock.resetHistory();
  }
}

/** How many calls every mock received, in all. */
export function awsCallCount(): number {
  return ALL_MOCKS.reduce((sum, mock) => sum + mock.calls().length, 0);
}

export function accessDenied(action: string) {
  return Object.assign(
    new Error(
      `User: arn:aws:sts::222222222222:assumed-role/portal is not authorized to perform: ${action}`,
    ),
    { name: 'AccessDeniedException' },
  );
}

/** A reader over the mocks, with no pacing to speak of and a clock of its own. */
export function createReader(
  options: Partial<AwsEnvironmentReaderOptions> & { concurrency?: number } = {},
) {
  const { concurrency = 8, ...rest } = options;
  const config = {
    region: env.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const clients: AwsClients = {
    ecs: new ECSClient(config),
    applicationAutoScaling: new ApplicationAutoScalingClient(config),
    autoScaling: new AutoScalingClient(config),
    cloudWatch: new CloudWatchClient(config),
    elasticLoadBalancing: new ElasticLoadBalancingV2Client(config),
    backup: new BackupClient(config),
    wellArchitected: new WellArchitectedClient(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    ssm: new SSMClient(config),
    secretsManager: new SecretsManagerClient(config),
    ecr: new ECRClient(config),
    efs: new EFSClient(config),
  };
  return new AwsEnvironmentReader({
    clientsFactory: async () => clients,
    limits: { concurrency, callsPerSecond: 1_000_000, burst: 1_000_000 },
    now: () => NOW,
    ...rest,
  });
}

export const serviceArn = (name: string) =>
  `arn:aws:ecs:eu-west-1:222222222222:service/kler-production/${name}`;
export const taskArn = (id: number) =>
  `arn:aws:ecs:eu-west-1:222222222222:task/kler-production/${id}`;

/** Pages of `items`, `size` per page, keyed by the token that fetches them. */
export function pages<T>(items: T[], size: number) {
  const byToken = new Map<string | undefined, { items: T[]; next?: string }>();
  for (let i = 0; i * size < items.length || i === 0; i++) {
    const token = i === 0 ? undefined : `page-${i}`;
    const next = (i + 1) * size < items.length ? `page-${i + 1}` : undefined;
    byToken.set(token, { items: items.slice(i * size, (i + 1) * size), next });
  }
  return (token: string | undefined) => {
    const page = byToken.get(token);
    if (!page) {
      throw new Error(`unexpected token ${token}`);
    }
    return page;
  };
}

/** The cluster as DescribeClusters gives it. */
export function mockCluster(
  options: {
    capacityProviders?: string[];
    activeServicesCount?: number;
    runningTasksCount?: number;
    pendingTasksCount?: number;
  } = {},
) {
  ecs.on(DescribeClustersCommand).resolves({
    clusters: [
      {
        clusterName: 'kler-production',
        clusterArn:
          'arn:aws:ecs:eu-west-1:222222222222:cluster/kler-production',
        status: 'ACTIVE',
        runningTasksCount: options.runningTasksCount ?? 0,
        pendingTasksCount: options.pendingTasksCount ?? 0,
        activeServicesCount: options.activeServicesCount ?? 0,
        registeredContainerInstancesCount: 0,
        capacityProviders: options.capacityProviders ?? ['FARGATE'],
      },
    ],
  });
}

/** A healthy, empty account: every call answers, with nothing in it. */
export function mockEmptyAccount(
  options: { capacityProviders?: string[] } = {},
) {
  mockCluster(options);
  ecs.on(ListServicesCommand).resolves({ serviceArns: [] });
  ecs.on(DescribeServicesCommand).callsFake(input => ({
    services: (input.services as string[]).map(arn => ({
      serviceArn: arn,
      serviceName: arn.split('/').pop(),
      status: 'ACTIVE',
      desiredCount: 1,
      runningCount: 1,
      pendingCount: 0,
    })),
  }));
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [] });
  applicationAutoScaling
    .on(DescribeScalableTargetsCommand)
    .resolves({ ScalableTargets: [] });
  applicationAutoScaling
    .on(DescribeScalingActivitiesCommand)
    .resolves({ ScalingActivities: [] });
  applicationAutoScaling
    .on(DescribeScalingPoliciesCommand)
    .resolves({ ScalingPolicies: [] });
  cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  elasticLoadBalancing
    .on(DescribeTargetGroupsCommand)
    .resolves({ TargetGroups: [] });
  backup.on(ListBackupPlansCommand).resolves({ BackupPlansList: [] });
  backup
    .on(ListProtectedResourcesByBackupVaultCommand)
    .resolves({ Results: [] });
  backup
    .on(ListRecoveryPointsByBackupVaultCommand)
    .resolves({ RecoveryPoints: [] });
  backup.on(ListBackupJobsCommand).resolves({ BackupJobs: [] });
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
  ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
  secretsManager
    .on(DescribeSecretCommand)
    .callsFake(input => ({ ARN: input.SecretId, Name: 'secret' }));
  ecr.on(DescribeImageScanFindingsCommand).resolves({
    imageScanStatus: { status: 'COMPLETE' },
    imageScanFindings: { findingSeverityCounts: {} },
  });
  efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
  efs.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
  wellArchitected.on(GetWorkloadCommand).resolves({
    Workload: {
      WorkloadId: 'kler-production',
      WorkloadName: 'KLER production',
    },
  });
  wellArchitected.on(GetLensReviewCommand).resolves({
    LensReview: { LensAlias: 'wellarchitected', RiskCounts: {} },
  });
  wellArchitected
    .on(ListLensReviewImprovementsCommand)
    .resolves({ ImprovementSummaries: [] });
}

/** The cluster's services, listed 10 a page (and counted by the cluster). */
export function mockServices(names: string[]) {
  const listPage = pages(names.map(serviceArn), 10);
  ecs.on(ListServicesCommand).callsFake(input => {
    const page = listPage(input.nextToken);
    return { serviceArns: page.items, nextToken: page.next };
  });
}

/** The task definition ARN of a service of `mockServicesWithSecrets`. */
export const secretsTaskDefinitionArn = (family: string) =>
  `arn:aws:ecs:eu-west-1:222222222222:task-definition/kler-production-${family}:1`;

/**
 * Services whose one task definition (`secretsTaskDefinitionArn`) injects
 * `secrets`, each a `valueFrom` as ECS takes it (an SSM name or ARN, a
 * Secrets Manager ARN).
 */
export function mockServicesWithSecrets(
  secretsByService: Record<string, string[]>,
) {
  const names = Object.keys(secretsByService);
  mockCluster({ activeServicesCount: names.length });
  mockServices(names);
  ecs.on(DescribeServicesCommand).callsFake(input => ({
    services: (input.services as string[]).map(arn => {
      const name = arn.split('/').pop()!;
      return {
        serviceArn: arn,
        serviceName: name,
        status: 'ACTIVE',
        desiredCount: 1,
        runningCount: 1,
        pendingCount: 0,
        deployments: [
          {
            id: `ecs-svc/${name}`,
            status: 'PRIMARY',
            taskDefinition: secretsTaskDefinitionArn(name),
          },
        ],
      };
    }),
  }));
  ecs.on(DescribeTaskDefinitionCommand).callsFake(input => {
    const family = input.taskDefinition
      .split('kler-production-')[1]
      .split(':')[0];
    return {
      taskDefinition: {
        taskDefinitionArn: input.taskDefinition,
        family,
        revision: 1,
        containerDefinitions: [
          {
            name: 'app',
            image: 'nginx:1.27',
            secrets: secretsByService[family].map((valueFrom, i) => ({
              name: `SECRET_${i}`,
              valueFrom,
            })),
          },
        ],
      },
    };
  });
}
