import {
  CloudWatchClient,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  isMotoInstalled,
  isMotoRequired,
  MotoServer,
  seedMotoEnvironment,
  startMoto,
} from '@kler/aws-sandbox';
import {
  EnvironmentDetailsResponse,
  EnvironmentSnapshot,
} from '@kler/plugin-environments-common';
import request from 'supertest';
import { environmentEntity } from '../../__testUtils__/fixtures';
import { environmentsPlugin } from '../../plugin';
import { AwsEnvironmentReader } from './AwsEnvironmentReader';
import { createAwsClientsFactory } from './clients';
import { AwsEnvironment } from './types';

/** This package's moto ports. */
const MOTO_PORTS = [5201, 5202, 5203, 5204, 5205, 5206, 5207, 5208, 5209];
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

async function seed() {
  const server = moto!;
  const seededEnvironment = await seedMotoEnvironment(server, {
    cluster: CLUSTER,
    capacityProvider: {
      name: 'kler-moto-ec2',
      autoScalingGroup: { name: 'kler-moto-asg', min: 1, max: 4, desired: 2 },
    },
    containerName: 'app',
    services: SERVICE_NAMES.map(name => ({
      name,
      desiredCount: name === 'shop-api' ? 3 : RUNNING_PER_SERVICE,
      runningTasks: ['shop-api', 'storefront'].includes(name)
        ? RUNNING_PER_SERVICE
        : 0,
      ...(name === 'shop-api' && {
        targetGroup: { name: 'shop-api', targetIps: ['172.31.0.10'] },
        scaling: {
          min: 2,
          max: 3,
          cpuTargetTracking: [
            { policyName: 'cpu-target-tracking', targetValue: 60 },
          ],
        },
      }),
    })),
    alarms: [
      { name: 'shop-api-cpu-high', service: 'shop-api' },
      { name: 'kler-moto-memory' },
      { name: 'elsewhere', cluster: 'other-cluster' },
    ],
    fileSystems: [{ name: 'shop-media', tags: { 'kler:environment': 'moto' } }],
    backupPlan: {
      vault: 'kler-moto',
      name: 'kler-moto-daily',
      schedule: 'cron(0 5 ? * * *)',
    },
  });
  seeded.targetGroupArn = seededEnvironment.targetGroupArns['shop-api'];
  seeded.efsArn = seededEnvironment.fileSystemArns['shop-media'];
  seeded.stoppedTaskArn = seededEnvironment.taskArns.storefront[0];

  await new ECSClient(server.clientConfig).send(
    new StopTaskCommand({
      cluster: CLUSTER,
      task: seeded.stoppedTaskArn,
      reason: 'Essential container in task exited',
    }),
  );
  await new CloudWatchClient(server.clientConfig).send(
    new SetAlarmStateCommand({
      AlarmName: 'shop-api-cpu-high',
      StateValue: 'ALARM',
      StateReason: 'Threshold Crossed: 1 datapoint (93.0) > 80',
    }),
  );
}

beforeAll(async () => {
  if (!isMotoInstalled()) {
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
  moto = await startMoto({
    ports: MOTO_PORTS,
    env: { MOTO_ECS_SERVICE_RUNNING: String(RUNNING_PER_SERVICE) },
  });
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
      limits: { concurrency: 4, callsPerSecond: 20, burst: 40 },
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

  it("reads the services' task definitions", () => {
    if (!moto) {
      return;
    }
    const shopApi = snapshot.services.find(s => s.serviceName === 'shop-api')!;
    expect(shopApi.taskDefinitions).toEqual([
      expect.objectContaining({
        family: 'shop-api',
        revision: 1,
        cpu: '256',
        memory: '512',
        containers: [
          expect.objectContaining({
            name: 'app',
            image: expect.objectContaining({
              registry: 'docker.io',
              repository: 'kler/shop-api',
              tag: '1',
            }),
            ports: [8080],
            logDriver: 'awslogs',
            environmentNames: ['LOG_LEVEL'],
            secrets: [
              {
                name: 'DB_PASSWORD',
                source: 'ssm',
                reference: '/kler/shop-api/db-password',
              },
            ],
          }),
        ],
      }),
    ]);
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
        // no selection tests a tag (moto has no selections): none is kept
        tags: {},
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
