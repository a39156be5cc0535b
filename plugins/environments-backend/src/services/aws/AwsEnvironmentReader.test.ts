import 'aws-sdk-client-mock-jest';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  BackupClient,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupJobsCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
  ListProtectedResourcesByBackupVaultCommand,
  ListRecoveryPointsByBackupVaultCommand,
} from '@aws-sdk/client-backup';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  GetLensReviewCommand,
  GetWorkloadCommand,
  ListLensReviewImprovementsCommand,
  WellArchitectedClient,
} from '@aws-sdk/client-wellarchitected';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsEnvironmentReader } from './AwsEnvironmentReader';
import { AwsClients, AwsEnvironment } from './types';

const NOW = new Date('2026-11-26T12:00:00.000Z');
const minutesAgo = (minutes: number) =>
  new Date(NOW.getTime() - minutes * 60 * 1000);

const env: AwsEnvironment = {
  name: 'production',
  tier: 'production',
  accountId: '222222222222',
  region: 'eu-west-1',
  cluster: 'kler-production',
  backupVault: 'kler-production',
  wellArchitectedWorkloadId: 'kler-production',
};

const ecs = mockClient(ECSClient);
const applicationAutoScaling = mockClient(ApplicationAutoScalingClient);
const autoScaling = mockClient(AutoScalingClient);
const cloudWatch = mockClient(CloudWatchClient);
const elasticLoadBalancing = mockClient(ElasticLoadBalancingV2Client);
const backup = mockClient(BackupClient);
const wellArchitected = mockClient(WellArchitectedClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

function accessDenied(action: string) {
  return Object.assign(
    new Error(
      `User: arn:aws:sts::222222222222:assumed-role/portal is not authorized to perform: ${action}`,
    ),
    { name: 'AccessDeniedException' },
  );
}

function createReader(concurrency = 8) {
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
  };
  return new AwsEnvironmentReader({
    clientsFactory: async () => clients,
    limits: { concurrency, callsPerSecond: 1_000_000, burst: 1_000_000 },
    now: () => NOW,
  });
}

const serviceArn = (name: string) =>
  `arn:aws:ecs:eu-west-1:222222222222:service/kler-production/${name}`;
const taskArn = (id: number) =>
  `arn:aws:ecs:eu-west-1:222222222222:task/kler-production/${id}`;

/** Pages of `items`, `size` per page, keyed by the token that fetches them. */
function pages<T>(items: T[], size: number) {
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

/** A healthy, empty account: every call answers, with nothing in it. */
function mockEmptyAccount(options: { capacityProviders?: string[] } = {}) {
  ecs.on(DescribeClustersCommand).resolves({
    clusters: [
      {
        clusterName: 'kler-production',
        clusterArn:
          'arn:aws:ecs:eu-west-1:222222222222:cluster/kler-production',
        status: 'ACTIVE',
        runningTasksCount: 0,
        pendingTasksCount: 0,
        activeServicesCount: 0,
        registeredContainerInstancesCount: 0,
        capacityProviders: options.capacityProviders ?? ['FARGATE'],
      },
    ],
  });
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

function mockServices(names: string[]) {
  const listPage = pages(names.map(serviceArn), 10);
  ecs.on(ListServicesCommand).callsFake(input => {
    const page = listPage(input.nextToken);
    return { serviceArns: page.items, nextToken: page.next };
  });
}

beforeEach(() => {
  for (const mock of [
    ecs,
    applicationAutoScaling,
    autoScaling,
    cloudWatch,
    elasticLoadBalancing,
    backup,
    wellArchitected,
    tagging,
  ]) {
    mock.reset();
  }
  mockEmptyAccount();
});

describe('AwsEnvironmentReader: ECS', () => {
  it('follows ListServices pages and describes services 10 at a time', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `service-${i}`);
    mockServices(names);

    const snapshot = await createReader().read(env);

    expect(ecs).toHaveReceivedCommandTimes(ListServicesCommand, 3);
    expect(ecs.commandCalls(ListServicesCommand)[0].args[0].input).toEqual({
      cluster: 'kler-production',
      maxResults: 100,
      nextToken: undefined,
    });
    expect(ecs).toHaveReceivedCommandWith(ListServicesCommand, {
      nextToken: 'page-2',
    });
    const describeCalls = ecs.commandCalls(DescribeServicesCommand);
    expect(
      describeCalls.map(call => call.args[0].input.services?.length),
    ).toEqual([10, 10, 5]);
    for (const call of describeCalls) {
      expect(call.args[0].input.include).toBeUndefined();
    }
    expect(snapshot.services.map(s => s.serviceName).sort()).toEqual(
      [...names].sort(),
    );
    expect(snapshot.readErrors).toEqual([]);
  });

  it('lists the cluster tasks once, describes each page as it arrives and groups them by service', async () => {
    mockServices(['shop-api', 'storefront']);
    const running = Array.from({ length: 230 }, (_, i) => taskArn(i));
    const stopped = Array.from({ length: 20 }, (_, i) => taskArn(1000 + i));
    const runningPages = pages(running, 100);
    const stoppedPages = pages(stopped, 100);
    ecs.on(ListTasksCommand).callsFake(input => {
      const page = (
        input.desiredStatus === 'RUNNING' ? runningPages : stoppedPages
      )(input.nextToken);
      return { taskArns: page.items, nextToken: page.next };
    });
    ecs.on(DescribeTasksCommand).callsFake(input => ({
      tasks: (input.tasks as string[]).map(arn => {
        const id = Number(arn.split('/').pop());
        const isStopped = id >= 1000;
        return {
          taskArn: arn,
          group: id % 2 === 0 ? 'service:shop-api' : 'service:storefront',
          lastStatus: isStopped ? 'STOPPED' : 'RUNNING',
          // Half of the stopped tasks stopped more than an hour ago.
          stoppedAt: isStopped ? minutesAgo(id < 1010 ? 30 : 90) : undefined,
          stopCode: isStopped ? 'EssentialContainerExited' : undefined,
          containers: [{ name: 'app', lastStatus: 'RUNNING' }],
        };
      }),
    }));

    const snapshot = await createReader().read(env);

    expect(ecs).toHaveReceivedCommandTimes(ListTasksCommand, 4);
    for (const call of ecs.commandCalls(ListTasksCommand)) {
      expect(call.args[0].input.serviceName).toBeUndefined();
      expect(call.args[0].input.maxResults).toBe(100);
    }
    // One DescribeTasks per listed page: 100, 100 and 30 running, 20 stopped.
    const describeSizes = ecs
      .commandCalls(DescribeTasksCommand)
      .map(call => call.args[0].input.tasks?.length);
    expect([...describeSizes].sort((a, b) => a! - b!)).toEqual([
      20, 30, 100, 100,
    ]);

    const shopApi = snapshot.services.find(s => s.serviceName === 'shop-api')!;
    const storefront = snapshot.services.find(
      s => s.serviceName === 'storefront',
    )!;
    expect(shopApi.tasks.filter(t => t.lastStatus === 'RUNNING')).toHaveLength(
      115,
    );
    expect(shopApi.tasks.filter(t => t.lastStatus === 'STOPPED')).toHaveLength(
      5,
    );
    expect(
      storefront.tasks.filter(t => t.lastStatus === 'STOPPED'),
    ).toHaveLength(5);
    const stoppedAts = [...shopApi.tasks, ...storefront.tasks].flatMap(task =>
      task.stoppedAt ? [new Date(task.stoppedAt).getTime()] : [],
    );
    expect(stoppedAts).toHaveLength(10);
    expect(Math.min(...stoppedAts)).toBeGreaterThanOrEqual(
      minutesAgo(60).getTime(),
    );
  });

  it('keeps the latest 5 service events, newest first, and the deployments', async () => {
    mockServices(['shop-api']);
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'shop-api',
          serviceArn: serviceArn('shop-api'),
          status: 'ACTIVE',
          desiredCount: 3,
          runningCount: 1,
          pendingCount: 0,
          loadBalancers: [
            { targetGroupArn: 'arn:tg/shop-api', containerName: 'app' },
            { targetGroupArn: 'arn:tg/shop-api', containerName: 'sidecar' },
          ],
          events: Array.from({ length: 8 }, (_, i) => ({
            id: `event-${i}`,
            createdAt: minutesAgo(i * 10),
            message: `(service shop-api) event ${i}`,
          })).reverse(),
          deployments: [
            {
              id: 'ecs-svc/1',
              status: 'PRIMARY',
              rolloutState: 'FAILED',
              rolloutStateReason: 'tasks failed to start',
              taskDefinition: 'shop-api:7',
              desiredCount: 3,
              runningCount: 1,
              pendingCount: 0,
              failedTasks: 4,
              createdAt: minutesAgo(50),
            },
          ],
        },
      ],
    });
    elasticLoadBalancing.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: '10.0.0.1', Port: 8080 },
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.FailedHealthChecks',
          },
        },
      ],
    });

    const snapshot = await createReader().read(env);

    const service = snapshot.services[0];
    expect(service.events.map(e => e.id)).toEqual([
      'event-0',
      'event-1',
      'event-2',
      'event-3',
      'event-4',
    ]);
    expect(service.deployments[0]).toMatchObject({
      rolloutState: 'FAILED',
      failedTasks: 4,
      createdAt: minutesAgo(50).toISOString(),
    });
    expect(service.targetGroupArns).toEqual(['arn:tg/shop-api']);
    expect(elasticLoadBalancing).toHaveReceivedCommandTimes(
      DescribeTargetHealthCommand,
      1,
    );
    expect(service.targetHealth).toEqual([
      {
        targetGroupArn: 'arn:tg/shop-api',
        targetId: '10.0.0.1',
        port: 8080,
        state: 'unhealthy',
        reason: 'Target.FailedHealthChecks',
        description: undefined,
      },
    ]);
  });

  it('fails the whole read when ECS cannot be read', async () => {
    ecs
      .on(DescribeClustersCommand)
      .rejects(accessDenied('ecs:DescribeClusters'));
    await expect(createReader().read(env)).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('fails the whole read when the cluster does not exist', async () => {
    ecs.on(DescribeClustersCommand).resolves({
      clusters: [],
      failures: [{ arn: 'kler-production', reason: 'MISSING' }],
    });
    await expect(createReader().read(env)).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
      message: expect.stringContaining('kler-production'),
    });
  });
});

describe('AwsEnvironmentReader: load balancer targets', () => {
  const targetGroupArn = (name: string) =>
    `arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup/${name}/0123456789abcdef`;
  const loadBalancerArn =
    'arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer/app/kler-production/fedcba9876543210';

  function mockServicesBehindTargetGroups(names: string[]) {
    mockServices(names);
    ecs.on(DescribeServicesCommand).callsFake(input => ({
      services: (input.services as string[]).map(arn => {
        const name = arn.split('/').pop()!;
        return {
          serviceArn: arn,
          serviceName: name,
          status: 'ACTIVE',
          desiredCount: 2,
          runningCount: 2,
          pendingCount: 0,
          loadBalancers: [{ targetGroupArn: targetGroupArn(name) }],
        };
      }),
    }));
  }

  function mockTargetGroups(names: string[]) {
    elasticLoadBalancing.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: names.map(name => ({
        TargetGroupArn: targetGroupArn(name),
        LoadBalancerArns: [loadBalancerArn],
      })),
    });
  }

  /** Per target group name: [healthy, unhealthy] at the latest minute, or none. */
  function mockCounts(counts: Record<string, [number, number] | undefined>) {
    cloudWatch.on(GetMetricDataCommand).callsFake(input => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map(
        (query: MetricDataQuery) => {
          const dimension = query.MetricStat!.Metric!.Dimensions!.find(
            d => d.Name === 'TargetGroup',
          )!.Value!;
          const name = dimension.split('/')[1];
          const count = counts[name];
          const index =
            query.MetricStat!.Metric!.MetricName === 'HealthyHostCount' ? 0 : 1;
          return {
            Id: query.Id,
            StatusCode: 'Complete',
            Timestamps: count ? [minutesAgo(2), minutesAgo(3)] : [],
            Values: count ? [count[index], 0] : [],
          };
        },
      ),
    }));
  }

  function mockDescribedTargets(state: 'healthy' | 'unhealthy') {
    elasticLoadBalancing.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: '10.0.0.1', Port: 8080 },
          TargetHealth: {
            State: state,
            Reason:
              state === 'unhealthy' ? 'Target.ResponseCodeMismatch' : undefined,
          },
        },
        {
          Target: { Id: `10.0.0.2`, Port: 8080 },
          TargetHealth: { State: 'healthy' },
        },
      ],
    });
  }

  it('counts targets from CloudWatch and describes only the target groups with an unhealthy target or no metrics', async () => {
    mockServicesBehindTargetGroups(['healthy', 'failing', 'new', 'detached']);
    mockTargetGroups(['healthy', 'failing', 'new']);
    mockCounts({ healthy: [2, 0], failing: [1, 1], new: undefined });
    mockDescribedTargets('unhealthy');

    const snapshot = await createReader().read(env);

    const metricQueries = cloudWatch
      .commandCalls(GetMetricDataCommand)
      .flatMap(call => call.args[0].input.MetricDataQueries ?? []);
    // The detached target group has no load balancer, hence no metrics to ask.
    expect(metricQueries).toHaveLength(6);
    expect(metricQueries[0]).toEqual({
      Id: expect.stringMatching(/^h\d+$/),
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HealthyHostCount',
          Dimensions: [
            {
              Name: 'TargetGroup',
              Value: expect.stringMatching(
                /^targetgroup\/\w+\/0123456789abcdef$/,
              ),
            },
            {
              Name: 'LoadBalancer',
              Value: 'app/kler-production/fedcba9876543210',
            },
          ],
        },
        Period: 60,
        Stat: 'Minimum',
      },
      ReturnData: true,
    });
    const described = elasticLoadBalancing
      .commandCalls(DescribeTargetHealthCommand)
      .map(call => call.args[0].input.TargetGroupArn)
      .sort();
    expect(described).toEqual(
      ['detached', 'failing', 'new'].map(targetGroupArn),
    );

    const byName = new Map(snapshot.services.map(s => [s.serviceName, s]));
    expect(byName.get('healthy')!.targetHealth).toEqual([]);
    expect(byName.get('healthy')!.targetGroups).toEqual([
      {
        targetGroupArn: targetGroupArn('healthy'),
        healthy: 2,
        unhealthy: 0,
        source: 'CloudWatch',
        at: minutesAgo(2).toISOString(),
      },
    ]);
    expect(byName.get('failing')!.targetGroups).toEqual([
      {
        targetGroupArn: targetGroupArn('failing'),
        healthy: 1,
        unhealthy: 1,
        source: 'DescribeTargetHealth',
      },
    ]);
    expect(byName.get('failing')!.targetHealth[0]).toMatchObject({
      targetId: '10.0.0.1',
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
    });
    expect(snapshot.readErrors).toEqual([]);
  });

  it('asks CloudWatch for 250 target groups a call', async () => {
    const names = Array.from({ length: 260 }, (_, i) => `service-${i}`);
    mockServicesBehindTargetGroups(names);
    mockTargetGroups(names);
    mockCounts(Object.fromEntries(names.map(name => [name, [2, 0]])));

    const snapshot = await createReader().read(env);

    expect(
      cloudWatch
        .commandCalls(GetMetricDataCommand)
        .map(call => call.args[0].input.MetricDataQueries?.length)
        .sort(),
    ).toEqual([20, 500]);
    expect(elasticLoadBalancing).toHaveReceivedCommandTimes(
      DescribeTargetHealthCommand,
      0,
    );
    expect(
      snapshot.services.every(s => s.targetGroups?.[0]?.healthy === 2),
    ).toBe(true);
  });

  it('describes every target group when CloudWatch cannot be read, and says why', async () => {
    mockServicesBehindTargetGroups(['shop-api', 'storefront']);
    mockTargetGroups(['shop-api', 'storefront']);
    cloudWatch
      .on(GetMetricDataCommand)
      .rejects(accessDenied('cloudwatch:GetMetricData'));
    mockDescribedTargets('healthy');

    const snapshot = await createReader().read(env);

    expect(elasticLoadBalancing).toHaveReceivedCommandTimes(
      DescribeTargetHealthCommand,
      2,
    );
    expect(snapshot.services.map(s => s.targetGroups?.[0])).toEqual([
      expect.objectContaining({ healthy: 2, source: 'DescribeTargetHealth' }),
      expect.objectContaining({ healthy: 2, source: 'DescribeTargetHealth' }),
    ]);
    expect(snapshot.readErrors).toEqual([
      {
        area: 'health',
        name: 'AccessDeniedException',
        message: expect.stringMatching(
          /^Target counts from CloudWatch: .*cloudwatch:GetMetricData/,
        ),
      },
    ]);
  });
});

describe('AwsEnvironmentReader: capacity and scaling', () => {
  it('describes the non-Fargate capacity providers and their Auto Scaling groups', async () => {
    mockEmptyAccount({
      capacityProviders: ['FARGATE', 'FARGATE_SPOT', 'kler-production-ec2'],
    });
    ecs.on(DescribeCapacityProvidersCommand).resolves({
      capacityProviders: [
        {
          name: 'kler-production-ec2',
          status: 'ACTIVE',
          autoScalingGroupProvider: {
            autoScalingGroupArn:
              'arn:aws:autoscaling:eu-west-1:222222222222:autoScalingGroup:uuid:autoScalingGroupName/kler-production-asg',
            managedScaling: { status: 'ENABLED', targetCapacity: 100 },
          },
        },
      ],
    });
    autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'kler-production-asg',
          MinSize: 2,
          MaxSize: 6,
          DesiredCapacity: 6,
          Instances: [
            {
              InstanceId: 'i-1',
              LifecycleState: 'InService',
              HealthStatus: 'Healthy',
              AvailabilityZone: 'eu-west-1a',
              LaunchConfigurationName: undefined,
              ProtectedFromScaleIn: false,
            },
          ],
          AvailabilityZones: ['eu-west-1a'],
          DefaultCooldown: 300,
          HealthCheckType: 'EC2',
          CreatedTime: minutesAgo(1000),
        },
      ],
    });

    const snapshot = await createReader().read(env);

    expect(ecs).toHaveReceivedCommandWith(DescribeCapacityProvidersCommand, {
      capacityProviders: ['kler-production-ec2'],
    });
    expect(autoScaling).toHaveReceivedCommandWith(
      DescribeAutoScalingGroupsCommand,
      { AutoScalingGroupNames: ['kler-production-asg'] },
    );
    expect(snapshot.cluster?.capacityProviders).toEqual([
      {
        name: 'kler-production-ec2',
        status: 'ACTIVE',
        autoScalingGroupArn: expect.stringContaining('kler-production-asg'),
        autoScalingGroupName: 'kler-production-asg',
        managedScalingStatus: 'ENABLED',
        targetCapacity: 100,
        autoScalingGroup: {
          autoScalingGroupName: 'kler-production-asg',
          minSize: 2,
          maxSize: 6,
          desiredCapacity: 6,
          instances: [
            {
              instanceId: 'i-1',
              instanceType: undefined,
              availabilityZone: 'eu-west-1a',
              lifecycleState: 'InService',
              healthStatus: 'Healthy',
            },
          ],
        },
      },
    ]);
  });

  it('does not call DescribeCapacityProviders for a Fargate-only cluster', async () => {
    await createReader().read(env);
    expect(ecs).not.toHaveReceivedCommand(DescribeCapacityProvidersCommand);
  });

  it('reads scalable targets 50 resource ids at a time, the namespace policies in pages of 10 and the last 24 h of activities', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `service-${i}`);
    mockServices(names);
    applicationAutoScaling
      .on(DescribeScalableTargetsCommand)
      .callsFake(input => {
        const ids = input.ResourceIds as string[];
        // The first batch answers in two pages.
        const isFirstBatch = ids[0].endsWith('/service-0');
        let pageIds = ids;
        if (isFirstBatch) {
          pageIds = input.NextToken ? ids.slice(25) : ids.slice(0, 25);
        }
        return {
          ScalableTargets: pageIds
            .filter(id => /\/service-(0|30|60)$/.test(id))
            .map(id => ({
              ServiceNamespace: 'ecs',
              ResourceId: id,
              ScalableDimension: 'ecs:service:DesiredCount',
              MinCapacity: 2,
              MaxCapacity: 10,
              RoleARN: 'arn:role',
              CreationTime: minutesAgo(1000),
            })),
          NextToken: isFirstBatch && !input.NextToken ? 'more' : undefined,
        };
      });
    const policy = (resourceId: string, kind: 'cpu' | 'memory') => ({
      PolicyName: kind,
      PolicyARN: `arn:policy:${resourceId}:${kind}`,
      ServiceNamespace: 'ecs' as const,
      ResourceId: resourceId,
      ScalableDimension: 'ecs:service:DesiredCount' as const,
      PolicyType: 'TargetTrackingScaling' as const,
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: kind === 'memory' ? 70 : 60,
        PredefinedMetricSpecification: {
          PredefinedMetricType:
            kind === 'memory'
              ? ('ECSServiceAverageMemoryUtilization' as const)
              : ('ECSServiceAverageCPUUtilization' as const),
        },
      },
      CreationTime: minutesAgo(1000),
    });
    // The namespace holds another cluster's policies too (same service names),
    // and this cluster's policies are spread over three pages of 10.
    const otherCluster = Array.from({ length: 20 }, (_, i) =>
      policy(`service/kler-development/service-${i}`, 'cpu'),
    );
    const policyPage = pages(
      [
        policy('service/kler-production/service-0', 'cpu'),
        ...otherCluster.slice(0, 12),
        policy('service/kler-production/service-30', 'cpu'),
        ...otherCluster.slice(12),
        policy('service/kler-production/service-0', 'memory'),
        policy('service/kler-production/service-60', 'memory'),
      ],
      10,
    );
    applicationAutoScaling
      .on(DescribeScalingPoliciesCommand)
      .callsFake(input => {
        const page = policyPage(input.NextToken);
        return { ScalingPolicies: page.items, NextToken: page.next };
      });
    applicationAutoScaling
      .on(DescribeScalingActivitiesCommand)
      .callsFake(input => ({
        ScalingActivities: [
          {
            ActivityId: input.NextToken ? 'old' : 'recent',
            ServiceNamespace: 'ecs',
            ResourceId: 'service/kler-production/service-0',
            ScalableDimension: 'ecs:service:DesiredCount',
            Description: 'Setting desired count to 10.',
            Cause: 'monitor alarm high',
            StatusCode: input.NextToken ? 'Successful' : 'Failed',
            StatusMessage: input.NextToken ? undefined : 'capacity unavailable',
            StartTime: input.NextToken ? minutesAgo(26 * 60) : minutesAgo(30),
          },
        ],
        NextToken: input.NextToken ? undefined : 'older',
      }));

    const snapshot = await createReader().read(env);

    const targetCalls = applicationAutoScaling.commandCalls(
      DescribeScalableTargetsCommand,
    );
    const targetInputs = targetCalls.map(c => c.args[0].input);
    expect(targetInputs.map(input => input.ResourceIds?.length).sort()).toEqual(
      [20, 50, 50, 50],
    );
    expect(targetInputs.every(input => input.ServiceNamespace === 'ecs')).toBe(
      true,
    );
    const followUp = targetInputs.find(input => input.NextToken === 'more');
    expect(followUp?.ResourceIds?.[0]).toBe(
      'service/kler-production/service-0',
    );
    const policyInputs = applicationAutoScaling
      .commandCalls(DescribeScalingPoliciesCommand)
      .map(c => c.args[0].input);
    expect(policyInputs).toEqual([
      {
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        MaxResults: 10,
        NextToken: undefined,
      },
      {
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        MaxResults: 10,
        NextToken: 'page-1',
      },
      {
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        MaxResults: 10,
        NextToken: 'page-2',
      },
    ]);
    expect(applicationAutoScaling).toHaveReceivedCommandTimes(
      DescribeScalingActivitiesCommand,
      2,
    );
    for (const call of applicationAutoScaling.commandCalls(
      DescribeScalingActivitiesCommand,
    )) {
      expect(call.args[0].input.ServiceNamespace).toBe('ecs');
      expect(call.args[0].input.ResourceId).toBeUndefined();
    }

    const service0 = snapshot.services.find(
      s => s.serviceName === 'service-0',
    )!;
    // kler-development/service-0's policy (first page) is not service-0's.
    expect(service0.scaling).toEqual({
      resourceId: 'service/kler-production/service-0',
      minCapacity: 2,
      maxCapacity: 10,
      policies: [
        {
          policyName: 'cpu',
          policyType: 'TargetTrackingScaling',
          targetValue: 60,
          metric: 'ECSServiceAverageCPUUtilization',
        },
        {
          policyName: 'memory',
          policyType: 'TargetTrackingScaling',
          targetValue: 70,
          metric: 'ECSServiceAverageMemoryUtilization',
        },
      ],
      activities: [
        expect.objectContaining({ activityId: 'recent', statusCode: 'Failed' }),
      ],
    });
    const policyNames = (name: string) =>
      snapshot.services
        .find(s => s.serviceName === name)
        ?.scaling?.policies.map(p => p.policyName);
    expect(policyNames('service-30')).toEqual(['cpu']);
    expect(policyNames('service-60')).toEqual(['memory']);
    expect(
      snapshot.services.find(s => s.serviceName === 'service-1')?.scaling,
    ).toBeUndefined();
  });
});

describe('AwsEnvironmentReader: alarms', () => {
  it('pages through alarms and maps them to the cluster and its services', async () => {
    mockServices(['shop-api']);
    const alarm = (name: string, dimensions: Record<string, string>) => ({
      AlarmName: name,
      StateValue: 'ALARM' as const,
      StateReason: 'Threshold crossed',
      StateUpdatedTimestamp: minutesAgo(5),
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({
        Name,
        Value,
      })),
    });
    cloudWatch.on(DescribeAlarmsCommand).callsFake(input =>
      input.NextToken
        ? {
            MetricAlarms: [
              alarm('cluster-cpu', { ClusterName: 'kler-production' }),
              alarm('other-cluster', {
                ClusterName: 'kler-development',
                ServiceName: 'shop-api',
              }),
            ],
          }
        : {
            MetricAlarms: [
              alarm('shop-api-cpu', {
                ClusterName: 'kler-production',
                ServiceName: 'shop-api',
              }),
            ],
            NextToken: 'second',
          },
    );

    const snapshot = await createReader().read(env);

    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 2);
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      MaxRecords: 100,
    });
    expect(snapshot.services[0].alarms.map(a => a.alarmName)).toEqual([
      'shop-api-cpu',
    ]);
    expect(snapshot.services[0].alarms[0]).toMatchObject({
      stateValue: 'ALARM',
      stateUpdatedTimestamp: minutesAgo(5).toISOString(),
      dimensions: [
        { name: 'ClusterName', value: 'kler-production' },
        { name: 'ServiceName', value: 'shop-api' },
      ],
    });
    expect(snapshot.cluster?.alarms.map(a => a.alarmName)).toEqual([
      'cluster-cpu',
    ]);
  });
});

describe('AwsEnvironmentReader: backup', () => {
  const efsArn =
    'arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-shop-media';
  const rdsArn = 'arn:aws:rds:eu-west-1:222222222222:db:shop-database';

  function mockBackup() {
    backup.on(ListBackupPlansCommand).callsFake(input =>
      input.NextToken
        ? {
            BackupPlansList: [
              { BackupPlanId: 'plan-2', BackupPlanName: 'weekly' },
            ],
          }
        : {
            BackupPlansList: [
              { BackupPlanId: 'plan-1', BackupPlanName: 'daily' },
            ],
            NextToken: 'plans-2',
          },
    );
    backup.on(GetBackupPlanCommand).callsFake(input => ({
      BackupPlanId: input.BackupPlanId,
      BackupPlan: {
        BackupPlanName: input.BackupPlanId === 'plan-1' ? 'daily' : 'weekly',
        Rules: [
          {
            RuleName: 'rule',
            TargetBackupVaultName: 'kler-production',
            ScheduleExpression:
              input.BackupPlanId === 'plan-1'
                ? 'cron(0 5 ? * * *)'
                : 'cron(0 5 ? * SUN *)',
            Lifecycle: { DeleteAfterDays: 35 },
          },
        ],
      },
    }));
    backup.on(ListBackupSelectionsCommand).callsFake(input => ({
      BackupSelectionsList:
        input.BackupPlanId === 'plan-1'
          ? [{ SelectionId: 'selection-1', BackupPlanId: 'plan-1' }]
          : [],
    }));
    backup.on(GetBackupSelectionCommand).resolves({
      BackupSelection: {
        SelectionName: 'data',
        IamRoleArn: 'arn:role',
        Resources: [efsArn],
      },
    });
    backup.on(ListProtectedResourcesByBackupVaultCommand).resolves({
      Results: [
        {
          ResourceArn: efsArn,
          ResourceType: 'EFS',
          ResourceName: 'shop-media',
          LastBackupTime: minutesAgo(300),
        },
      ],
    });
    backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({
      RecoveryPoints: [
        {
          ResourceArn: efsArn,
          Status: 'COMPLETED',
          CreationDate: minutesAgo(1740),
        },
        {
          ResourceArn: efsArn,
          Status: 'COMPLETED',
          CreationDate: minutesAgo(300),
        },
        {
          ResourceArn: efsArn,
          Status: 'PARTIAL',
          CreationDate: minutesAgo(10),
        },
      ],
    });
    backup.on(ListBackupJobsCommand).callsFake(input =>
      input.NextToken
        ? {
            BackupJobs: [
              {
                BackupJobId: 'job-new',
                ResourceArn: rdsArn,
                ResourceType: 'RDS',
                State: 'FAILED',
                StatusMessage: 'Access denied to KMS key',
                CreationDate: minutesAgo(60),
              },
            ],
          }
        : {
            BackupJobs: [
              {
                BackupJobId: 'job-old',
                ResourceArn: efsArn,
                ResourceType: 'EFS',
                State: 'COMPLETED',
                CreationDate: minutesAgo(300),
                CompletionDate: minutesAgo(290),
                CreatedBy: { BackupPlanId: 'plan-1' },
              },
            ],
            NextToken: 'jobs-2',
          },
    );
    tagging.on(GetResourcesCommand).callsFake(input =>
      input.PaginationToken
        ? { ResourceTagMappingList: [{ ResourceARN: rdsArn, Tags: [] }] }
        : {
            ResourceTagMappingList: [
              {
                ResourceARN: efsArn,
                Tags: [{ Key: 'Name', Value: 'shop-media' }],
              },
            ],
            PaginationToken: 'tagged-2',
          },
    );
  }

  it('reads plans, selections, protected resources, recovery points, jobs and candidates', async () => {
    mockBackup();
    const snapshot = await createReader().read(env);

    expect(backup).toHaveReceivedCommandWith(ListBackupJobsCommand, {
      ByCreatedAfter: new Date(NOW.getTime() - 7 * 24 * 60 * 60 * 1000),
    });
    expect(backup).toHaveReceivedCommandWith(
      ListProtectedResourcesByBackupVaultCommand,
      { BackupVaultName: 'kler-production' },
    );
    expect(tagging).toHaveReceivedCommandWith(GetResourcesCommand, {
      TagFilters: [{ Key: 'kler:environment', Values: ['production'] }],
      ResourceTypeFilters: ['elasticfilesystem:file-system', 'rds:db'],
    });
    expect(tagging).toHaveReceivedCommandTimes(GetResourcesCommand, 2);
    expect(snapshot.readErrors).toEqual([]);
    expect(snapshot.backup).toEqual({
      vaultName: 'kler-production',
      plans: [
        {
          backupPlanId: 'plan-1',
          backupPlanName: 'daily',
          rules: [
            {
              ruleName: 'rule',
              scheduleExpression: 'cron(0 5 ? * * *)',
              frequencyHours: 24,
              retentionDays: 35,
              targetBackupVaultName: 'kler-production',
            },
          ],
          resourceArns: [efsArn],
        },
        {
          backupPlanId: 'plan-2',
          backupPlanName: 'weekly',
          rules: [
            expect.objectContaining({
              scheduleExpression: 'cron(0 5 ? * SUN *)',
              frequencyHours: 168,
            }),
          ],
          resourceArns: [],
        },
      ],
      protectedResources: [
        {
          resourceArn: efsArn,
          resourceType: 'EFS',
          resourceName: 'shop-media',
          lastBackupTime: minutesAgo(300).toISOString(),
          latestRecoveryPointAt: minutesAgo(300).toISOString(),
          backupPlanId: 'plan-1',
        },
      ],
      jobs: [
        expect.objectContaining({ backupJobId: 'job-new', state: 'FAILED' }),
        expect.objectContaining({
          backupJobId: 'job-old',
          backupPlanId: 'plan-1',
        }),
      ],
      candidates: [
        {
          resourceArn: efsArn,
          resourceType: 'EFS',
          resourceName: 'shop-media',
        },
        {
          resourceArn: rdsArn,
          resourceType: 'RDS',
          resourceName: 'shop-database',
        },
      ],
    });
  });

  it('reports AccessDenied on Backup as a read error of the backup area and keeps the rest', async () => {
    mockServices(['shop-api']);
    backup
      .on(ListBackupPlansCommand)
      .rejects(accessDenied('backup:ListBackupPlans'));
    backup
      .on(ListProtectedResourcesByBackupVaultCommand)
      .rejects(accessDenied('backup:ListProtectedResourcesByBackupVault'));
    backup
      .on(ListRecoveryPointsByBackupVaultCommand)
      .rejects(accessDenied('backup:ListRecoveryPointsByBackupVault'));
    backup
      .on(ListBackupJobsCommand)
      .rejects(accessDenied('backup:ListBackupJobs'));
    tagging.on(GetResourcesCommand).rejects(accessDenied('tag:GetResources'));

    const snapshot = await createReader().read(env);

    expect(snapshot.backup).toBeUndefined();
    expect(snapshot.readErrors).toEqual([
      {
        area: 'backup',
        name: 'AccessDeniedException',
        message: expect.stringContaining('backup:ListBackupJobs'),
      },
    ]);
    expect(snapshot.services.map(s => s.serviceName)).toEqual(['shop-api']);
    expect(snapshot.wellArchitected?.workloadName).toBe('KLER production');
  });

  it('keeps the readable parts of the backup area when one call fails', async () => {
    mockBackup();
    backup.on(ListBackupJobsCommand).rejects(
      Object.assign(new Error('Not implemented'), {
        name: 'NotImplementedError',
      }),
    );

    const snapshot = await createReader().read(env);

    expect(snapshot.backup?.plans).toHaveLength(2);
    expect(snapshot.backup?.jobs).toEqual([]);
    expect(snapshot.backup?.candidates).toHaveLength(2);
    expect(snapshot.readErrors).toEqual([
      {
        area: 'backup',
        name: 'NotImplementedError',
        message: 'ListBackupJobs: Not implemented',
      },
    ]);
  });

  it('reads no vault when the environment names none', async () => {
    const { backupVault: _vault, ...withoutVault } = env;
    await createReader().read(withoutVault);
    expect(backup).not.toHaveReceivedCommand(
      ListProtectedResourcesByBackupVaultCommand,
    );
    expect(backup).not.toHaveReceivedCommand(
      ListRecoveryPointsByBackupVaultCommand,
    );
    expect(backup).toHaveReceivedCommand(ListBackupPlansCommand);
  });
});

describe('AwsEnvironmentReader: Well-Architected', () => {
  it('reads the workload, its lens review and every page of improvements', async () => {
    wellArchitected.on(GetLensReviewCommand).resolves({
      WorkloadId: 'kler-production',
      LensReview: {
        LensAlias: 'wellarchitected',
        LensName: 'AWS Well-Architected Framework',
        UpdatedAt: minutesAgo(60 * 24 * 100),
        RiskCounts: { HIGH: 3, MEDIUM: 4, NONE: 20, UNANSWERED: 30 },
        PillarReviewSummaries: [
          {
            PillarId: 'reliability',
            PillarName: 'Reliability',
            RiskCounts: { HIGH: 2, MEDIUM: 1, NONE: 5, UNANSWERED: 5 },
          },
        ],
      },
    });
    wellArchitected.on(ListLensReviewImprovementsCommand).callsFake(input => ({
      ImprovementSummaries: [
        {
          QuestionId: input.NextToken ? 'rel-2' : 'rel-1',
          PillarId: 'reliability',
          QuestionTitle: 'How do you back up data?',
          Risk: 'HIGH',
          ImprovementPlanUrl: 'https://docs.aws.amazon.com/rel',
        },
      ],
      NextToken: input.NextToken ? undefined : 'more',
    }));

    const snapshot = await createReader().read(env);

    expect(wellArchitected).toHaveReceivedCommandWith(GetLensReviewCommand, {
      WorkloadId: 'kler-production',
      LensAlias: 'wellarchitected',
    });
    expect(snapshot.wellArchitected).toEqual({
      workloadId: 'kler-production',
      workloadName: 'KLER production',
      lensAlias: 'wellarchitected',
      lensName: 'AWS Well-Architected Framework',
      updatedAt: minutesAgo(60 * 24 * 100).toISOString(),
      riskCounts: {
        HIGH: 3,
        MEDIUM: 4,
        NONE: 20,
        UNANSWERED: 30,
        NOT_APPLICABLE: undefined,
      },
      pillars: [
        {
          pillarId: 'reliability',
          pillarName: 'Reliability',
          riskCounts: {
            HIGH: 2,
            MEDIUM: 1,
            NONE: 5,
            UNANSWERED: 5,
            NOT_APPLICABLE: undefined,
          },
        },
      ],
      improvements: [
        expect.objectContaining({ questionId: 'rel-1', risk: 'HIGH' }),
        expect.objectContaining({ questionId: 'rel-2' }),
      ],
    });
  });

  it('reports a Well-Architected failure in its area only', async () => {
    wellArchitected.on(GetWorkloadCommand).rejects(
      Object.assign(new Error('Workload not found'), {
        name: 'ResourceNotFoundException',
      }),
    );
    const snapshot = await createReader().read(env);
    expect(snapshot.wellArchitected).toBeUndefined();
    expect(snapshot.readErrors).toEqual([
      {
        area: 'wellArchitected',
        name: 'ResourceNotFoundException',
        message: 'Well-Architected: Workload not found',
      },
    ]);
  });

  it('skips Well-Architected when the environment has no workload', async () => {
    const { wellArchitectedWorkloadId: _id, ...withoutWorkload } = env;
    const snapshot = await createReader().read(withoutWorkload);
    expect(wellArchitected).not.toHaveReceivedCommand(GetWorkloadCommand);
    expect(snapshot.wellArchitected).toBeUndefined();
    expect(snapshot.readErrors).toEqual([]);
  });
});

describe('AwsEnvironmentReader: bounded concurrency', () => {
  it('never has more calls in flight than the configured limit', async () => {
    mockServices(Array.from({ length: 95 }, (_, i) => `service-${i}`));
    let inFlight = 0;
    let maxInFlight = 0;
    ecs.on(DescribeServicesCommand).callsFake(async input => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise(resolve => setTimeout(resolve, 5));
      inFlight -= 1;
      return {
        services: (input.services as string[]).map(arn => ({
          serviceArn: arn,
          serviceName: arn.split('/').pop(),
        })),
      };
    });

    const snapshot = await createReader(3).read(env);

    expect(ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 10);
    expect(maxInFlight).toBe(3);
    expect(snapshot.services).toHaveLength(95);
  });
});
