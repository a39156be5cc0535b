import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  BackupClient,
  CreateBackupPlanCommand,
  CreateBackupVaultCommand,
} from '@aws-sdk/client-backup';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EnvironmentDetailsResponse,
  EnvironmentSnapshot,
} from '@kler/plugin-environments-common';
import request from 'supertest';
import { environmentEntity } from '../../__testUtils__/fixtures';
import {
  isMotoRequired,
  MotoServer,
  startMoto,
} from '../../__testUtils__/moto';
import { environmentsPlugin } from '../../plugin';
import { AwsEnvironmentReader } from './AwsEnvironmentReader';
import { createAwsClientsFactory } from './clients';
import { AwsEnvironment } from './types';

// Ports 5201-5209 are this package's; the integration test uses the first.
const MOTO_PORT = 5201;
const RUNNING_PER_SERVICE = 2;
const MOTO_ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const CLUSTER = 'kler-moto';
const SERVICE_NAMES = [
  'shop-api',
  'storefront',
  'admin-panel',
  'image-service',
  'order-worker',
  ...Array.from({ length: 7 }, (_, i) => `batch-service-${i}`),
];

jest.setTimeout(120_000);

let moto: MotoServer | undefined;
let env: AwsEnvironment;
const seeded: {
  targetGroupArn?: string;
  efsArn?: string;
  stoppedTaskArn?: string;
} = {};

function clientConfig() {
  return {
    region: REGION,
    endpoint: moto!.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

const awsConfig = {
  aws: {
    accounts: [
      {
        accountId: MOTO_ACCOUNT,
        accessKeyId: 'testing',
        secretAccessKey: 'testing',
      },
    ],
  },
};

function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]+)</${tag}>`, 'g'))].map(
    match => match[1],
  );
}

async function seed() {
  const server = moto!;
  await fetch(`${server.endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({
      model_name: 'ecs::task',
      transition: { progression: 'manual', times: 1_000_000 },
    }),
  });

  // moto's default VPC has a subnet per zone and a default security group.
  const vpcId = xmlValues(
    await server.query('ec2', { Action: 'DescribeVpcs' }),
    'vpcId',
  )[0];
  const subnets = xmlValues(
    await server.query('ec2', { Action: 'DescribeSubnets' }),
    'subnetId',
  );
  const securityGroups = xmlValues(
    await server.query('ec2', { Action: 'DescribeSecurityGroups' }),
    'groupId',
  ).slice(0, 1);
  const network = {
    awsvpcConfiguration: { subnets, securityGroups },
  };

  const elb = new ElasticLoadBalancingV2Client(clientConfig());
  const targetGroup = await elb.send(
    new CreateTargetGroupCommand({
      Name: 'shop-api',
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: vpcId,
      TargetType: 'ip',
    }),
  );
  seeded.targetGroupArn = targetGroup.TargetGroups![0].TargetGroupArn!;
  await elb.send(
    new RegisterTargetsCommand({
      TargetGroupArn: seeded.targetGroupArn,
      Targets: [{ Id: '172.31.0.10', Port: 8080 }],
    }),
  );

  const autoScaling = new AutoScalingClient(clientConfig());
  await autoScaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: 'kler-moto-ec2',
      ImageId: 'ami-12c6146b',
      InstanceType: 't3.medium',
    }),
  );
  await autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'kler-moto-asg',
      LaunchConfigurationName: 'kler-moto-ec2',
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      VPCZoneIdentifier: subnets.join(','),
    }),
  );
  const asg = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({
      AutoScalingGroupNames: ['kler-moto-asg'],
    }),
  );

  const ecs = new ECSClient(clientConfig());
  await ecs.send(
    new CreateCapacityProviderCommand({
      name: 'kler-moto-ec2',
      autoScalingGroupProvider: {
        autoScalingGroupArn: asg.AutoScalingGroups![0].AutoScalingGroupARN!,
        managedScaling: { status: 'ENABLED', targetCapacity: 100 },
      },
    }),
  );
  await ecs.send(
    new CreateClusterCommand({
      clusterName: CLUSTER,
      capacityProviders: ['FARGATE', 'kler-moto-ec2'],
    }),
  );
  for (const serviceName of SERVICE_NAMES) {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: serviceName,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'app',
            image: `kler/${serviceName}:1`,
            memory: 512,
            portMappings: [{ containerPort: 8080 }],
          },
        ],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName,
        taskDefinition: serviceName,
        desiredCount: serviceName === 'shop-api' ? 3 : RUNNING_PER_SERVICE,
        launchType: 'FARGATE',
        networkConfiguration: network,
        loadBalancers:
          serviceName === 'shop-api'
            ? [
                {
                  targetGroupArn: seeded.targetGroupArn,
                  containerName: 'app',
                  containerPort: 8080,
                },
              ]
            : undefined,
      }),
    );
  }
  // moto's services start no tasks; start them as the service scheduler would.
  for (const serviceName of ['shop-api', 'storefront']) {
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: serviceName,
        count: RUNNING_PER_SERVICE,
        group: `service:${serviceName}`,
        launchType: 'FARGATE',
        networkConfiguration: network,
      }),
    );
    if (serviceName === 'storefront') {
      seeded.stoppedTaskArn = run.tasks![0].taskArn!;
    }
  }
  await ecs.send(
    new StopTaskCommand({
      cluster: CLUSTER,
      task: seeded.stoppedTaskArn,
      reason: 'Essential container in task exited',
    }),
  );

  const scaling = new ApplicationAutoScalingClient(clientConfig());
  await scaling.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: 'ecs',
      ResourceId: `service/${CLUSTER}/shop-api`,
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 2,
      MaxCapacity: 3,
    }),
  );
  await scaling.send(
    new PutScalingPolicyCommand({
      ServiceNamespace: 'ecs',
      ResourceId: `service/${CLUSTER}/shop-api`,
      ScalableDimension: 'ecs:service:DesiredCount',
      PolicyName: 'cpu-target-tracking',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 60,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ECSServiceAverageCPUUtilization',
        },
      },
    }),
  );

  const cloudWatch = new CloudWatchClient(clientConfig());
  const putAlarm = (name: string, dimensions: Record<string, string>) =>
    cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 80,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({
          Name,
          Value,
        })),
      }),
    );
  await putAlarm('shop-api-cpu-high', {
    ClusterName: CLUSTER,
    ServiceName: 'shop-api',
  });
  await putAlarm('kler-moto-memory', { ClusterName: CLUSTER });
  await putAlarm('elsewhere', { ClusterName: 'other-cluster' });
  await cloudWatch.send(
    new SetAlarmStateCommand({
      AlarmName: 'shop-api-cpu-high',
      StateValue: 'ALARM',
      StateReason: 'Threshold Crossed: 1 datapoint (93.0) > 80',
    }),
  );

  const fileSystem = await server.restJson(
    'elasticfilesystem',
    '/2015-02-01/file-systems',
    {
      CreationToken: 'shop-media',
      Tags: [
        { Key: 'kler:environment', Value: 'moto' },
        { Key: 'Name', Value: 'shop-media' },
      ],
    },
  );
  seeded.efsArn = fileSystem.FileSystemArn;

  const backup = new BackupClient(clientConfig());
  await backup.send(
    new CreateBackupVaultCommand({ BackupVaultName: 'kler-moto' }),
  );
  await backup.send(
    new CreateBackupPlanCommand({
      BackupPlan: {
        BackupPlanName: 'kler-moto-daily',
        Rules: [
          {
            RuleName: 'daily',
            TargetBackupVaultName: 'kler-moto',
            ScheduleExpression: 'cron(0 5 ? * * *)',
            Lifecycle: { DeleteAfterDays: 35 },
          },
        ],
      },
    }),
  );
}

beforeAll(async () => {
  moto = await startMoto(MOTO_PORT, {
    MOTO_ECS_SERVICE_RUNNING: String(RUNNING_PER_SERVICE),
  });
  if (!moto) {
    if (isMotoRequired()) {
      throw new Error(
        'moto_server is not on PATH, and KLER_REQUIRE_MOTO=1 requires it',
      );
    }
    // eslint-disable-next-line no-console
    console.warn(
      '!!! moto_server is not on PATH: the moto integration test of the environments reader did NOT run. Set KLER_REQUIRE_MOTO=1 to make this an error. !!!',
    );
    return;
  }
  env = {
    name: 'moto',
    tier: 'production',
    accountId: MOTO_ACCOUNT,
    region: REGION,
    cluster: CLUSTER,
    backupVault: 'kler-moto',
    wellArchitectedWorkloadId: 'kler-moto',
    endpoint: moto.endpoint,
  };
  await seed();
});

afterAll(async () => {
  await moto?.stop();
});

describe('AwsEnvironmentReader against moto', () => {
  let snapshot: EnvironmentSnapshot;

  beforeAll(async () => {
    if (!moto) {
      return;
    }
    const reader = new AwsEnvironmentReader({
      concurrency: 4,
      clientsFactory: createAwsClientsFactory({
        credentialsManager: DefaultAwsCredentialsManager.fromConfig(
          new ConfigReader(awsConfig),
        ),
        maxAttempts: 2,
        retryMode: 'standard',
        timeoutMs: 10_000,
      }),
    });
    snapshot = await reader.read(env);
  });

  it('reads the cluster, its capacity provider and Auto Scaling group', () => {
    if (!moto) {
      return;
    }
    expect(snapshot.cluster).toMatchObject({
      clusterName: CLUSTER,
      status: 'ACTIVE',
      capacityProviders: [
        {
          name: 'kler-moto-ec2',
          autoScalingGroupName: 'kler-moto-asg',
          managedScalingStatus: 'ENABLED',
          targetCapacity: 100,
          autoScalingGroup: {
            autoScalingGroupName: 'kler-moto-asg',
            minSize: 1,
            maxSize: 4,
            desiredCapacity: 2,
          },
        },
      ],
    });
    expect(
      snapshot.cluster?.capacityProviders[0].autoScalingGroup?.instances,
    ).toHaveLength(2);
    expect(snapshot.cluster?.alarms.map(a => a.alarmName)).toEqual([
      'kler-moto-memory',
    ]);
  });

  it('reads every service, over more than one DescribeServices batch', () => {
    if (!moto) {
      return;
    }
    expect(snapshot.services.map(s => s.serviceName)).toEqual(
      [...SERVICE_NAMES].sort(),
    );
    const shopApi = snapshot.services.find(s => s.serviceName === 'shop-api')!;
    expect(shopApi).toMatchObject({
      status: 'ACTIVE',
      desiredCount: 3,
      runningCount: RUNNING_PER_SERVICE,
      targetGroupArns: [seeded.targetGroupArn],
    });
    expect(shopApi.deployments[0]).toMatchObject({ status: 'PRIMARY' });
  });

  it('groups the tasks by service, with the recently stopped ones', () => {
    if (!moto) {
      return;
    }
    const tasksOf = (name: string) =>
      snapshot.services.find(s => s.serviceName === name)!.tasks;
    expect(tasksOf('shop-api')).toHaveLength(RUNNING_PER_SERVICE);
    expect(tasksOf('shop-api').every(t => t.group === 'service:shop-api')).toBe(
      true,
    );
    const storefront = tasksOf('storefront');
    expect(storefront).toHaveLength(RUNNING_PER_SERVICE);
    expect(
      storefront.find(t => t.taskArn === seeded.stoppedTaskArn),
    ).toMatchObject({
      lastStatus: 'STOPPED',
      stoppedReason: 'Essential container in task exited',
    });
    expect(tasksOf('admin-panel')).toEqual([]);
  });

  it('reads target health, scaling and alarms of a service', () => {
    if (!moto) {
      return;
    }
    const shopApi = snapshot.services.find(s => s.serviceName === 'shop-api')!;
    expect(shopApi.targetHealth).toEqual([
      expect.objectContaining({
        targetGroupArn: seeded.targetGroupArn,
        targetId: '172.31.0.10',
        port: 8080,
        state: 'healthy',
      }),
    ]);
    expect(shopApi.scaling).toMatchObject({
      resourceId: `service/${CLUSTER}/shop-api`,
      minCapacity: 2,
      maxCapacity: 3,
      policies: [
        {
          policyName: 'cpu-target-tracking',
          policyType: 'TargetTrackingScaling',
          targetValue: 60,
          metric: 'ECSServiceAverageCPUUtilization',
        },
      ],
    });
    // The target-tracking policy made its own alarms, as in AWS.
    expect(shopApi.alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          alarmName: 'shop-api-cpu-high',
          stateValue: 'ALARM',
        }),
        expect.objectContaining({
          alarmName: expect.stringMatching(
            /^TargetTracking-service\/kler-moto\/shop-api-AlarmHigh/,
          ),
        }),
      ]),
    );
    expect(
      snapshot.services.find(s => s.serviceName === 'storefront')!.scaling,
    ).toBeUndefined();
  });

  it('reads the backup plan and the tagged resources, and says which calls moto lacks', () => {
    if (!moto) {
      return;
    }
    expect(snapshot.backup?.plans).toEqual([
      expect.objectContaining({
        backupPlanName: 'kler-moto-daily',
        rules: [
          expect.objectContaining({
            scheduleExpression: 'cron(0 5 ? * * *)',
            frequencyHours: 24,
            targetBackupVaultName: 'kler-moto',
          }),
        ],
        // moto has no backup selections: ListBackupSelections is a read error.
        resourceArns: [],
      }),
    ]);
    expect(snapshot.backup?.candidates).toEqual([
      {
        resourceArn: seeded.efsArn,
        resourceType: 'EFS',
        resourceName: 'shop-media',
      },
    ]);
    // moto implements neither Well-Architected nor these Backup and scaling calls.
    expect(snapshot.readErrors.map(e => e.area).sort()).toEqual([
      'backup',
      'scaling',
      'wellArchitected',
    ]);
    const scalingError = snapshot.readErrors.find(e => e.area === 'scaling');
    expect(scalingError?.message).toContain('DescribeScalingActivities');
  });
});

describe('environments backend against moto', () => {
  it('serves the moto environment over HTTP, marked as sandbox', async () => {
    if (!moto) {
      return;
    }
    const { server } = await startTestBackend({
      features: [
        environmentsPlugin,
        mockServices.rootConfig.factory({
          data: {
            ...awsConfig,
            environments: {
              environments: [
                {
                  name: 'moto',
                  endpoint: moto.endpoint,
                  accountId: MOTO_ACCOUNT,
                  cluster: CLUSTER,
                  backupVault: 'kler-moto',
                },
              ],
            },
          },
        }),
        catalogServiceMock.factory({ entities: [environmentEntity('moto')] }),
      ],
    });

    const response = await request(server).get(
      '/api/environments/v1/environments/moto',
    );

    expect(response.status).toBe(200);
    const body = response.body as EnvironmentDetailsResponse;
    expect(body.summary).toMatchObject({
      name: 'moto',
      accountId: MOTO_ACCOUNT,
      cluster: CLUSTER,
      source: 'sandbox',
      stale: false,
      counts: { services: SERVICE_NAMES.length },
    });
    expect(body.snapshot?.services).toHaveLength(SERVICE_NAMES.length);
    expect(
      body.evaluation?.services.find(s => s.serviceName === 'shop-api'),
    ).toBeDefined();
  });
});
