import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { RunningSandbox, startSandbox } from '@kler/aws-sandbox';
import {
  backupPlanSelects,
  EnvironmentSnapshot,
  evaluateEnvironment,
} from '@kler/plugin-environments-common';
import path from 'node:path';
import { AwsEnvironmentReader } from './AwsEnvironmentReader';
import { createAwsClientsFactory } from './clients';
import { ListingThread } from './listingThread';
import { AwsEnvironment } from './types';

jest.setTimeout(60_000);

const KLER_SCENARIO = path.join(
  path.dirname(require.resolve('@kler/aws-sandbox/package.json')),
  'scenarios',
  'kler.yaml',
);
const KLER_SERVICES = [
  'admin-panel',
  'image-service',
  'order-worker',
  'shop-api',
  'storefront',
];

// The sandbox acts in the account whose id is in the access key id.
const awsConfig = {
  aws: {
    accounts: ['111111111111', '222222222222'].map(accountId => ({
      accountId,
      accessKeyId: `SANDBOX${accountId}`,
      secretAccessKey: 'sandbox',
    })),
  },
};

let sandbox: RunningSandbox;

function environment(name: 'production' | 'development'): AwsEnvironment {
  return {
    name,
    tier: name,
    accountId: name === 'production' ? '222222222222' : '111111111111',
    region: 'eu-west-1',
    cluster: `kler-${name}`,
    backupVault: `kler-${name}`,
    wellArchitectedWorkloadId: `kler-${name}`,
    endpoint: sandbox.url,
  };
}

function createReader(maxAttempts = 5, listingThread?: ListingThread) {
  return new AwsEnvironmentReader({
    listingThread,
    limits: { concurrency: 8, callsPerSecond: 20, burst: 40 },
    clientsFactory: createAwsClientsFactory({
      credentialsManager: DefaultAwsCredentialsManager.fromConfig(
        new ConfigReader(awsConfig),
      ),
      maxAttempts,
      retryMode: 'standard',
      timeoutMs: 10_000,
    }),
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, scenario: KLER_SCENARIO });
});

afterAll(async () => {
  await sandbox?.close();
});

afterEach(() => {
  sandbox.admin.clearFaults();
});

describe('AwsEnvironmentReader against the KLER sandbox', () => {
  it('reads the same scaling policies on the listing thread as on the main thread', async () => {
    const thread = new ListingThread({
      callsPerSecond: 20,
      burst: 40,
      timeoutMs: 10_000,
    });
    try {
      const scalingOf = (snapshot: EnvironmentSnapshot) =>
        snapshot.services.map(s => [s.serviceName, s.scaling?.policies]);
      const onTheThread = await createReader(5, thread).read(
        environment('production'),
      );
      const onTheMainThread = await createReader().read(
        environment('production'),
      );

      expect(onTheThread.readErrors).toEqual([]);
      expect(scalingOf(onTheThread)).toEqual(scalingOf(onTheMainThread));
      expect(
        scalingOf(onTheThread).filter(([, policies]) => policies?.length),
      ).not.toHaveLength(0);
    } finally {
      await thread.close();
    }
  });

  it("reads every area of KLER's production environment", async () => {
    const snapshot = await createReader().read(environment('production'));

    expect(snapshot.readErrors).toEqual([]);
    expect(snapshot.cluster?.clusterName).toBe('kler-production');
    expect(snapshot.services.map(s => s.serviceName)).toEqual(KLER_SERVICES);
    for (const service of snapshot.services) {
      expect(service.tasks.length).toBeGreaterThan(0);
      expect(
        service.tasks.every(t => t.group === `service:${service.serviceName}`),
      ).toBe(true);
    }
    const storefront = snapshot.services.find(
      s => s.serviceName === 'storefront',
    )!;
    // Healthy: counted from the load balancer's metrics, not described.
    expect(storefront.targetGroups).toEqual([
      expect.objectContaining({ source: 'CloudWatch', unhealthy: 0 }),
    ]);
    expect(storefront.targetGroups![0].healthy).toBeGreaterThan(0);
    expect(storefront.targetHealth).toEqual([]);
    expect(storefront.scaling).toMatchObject({
      minCapacity: 3,
      maxCapacity: 12,
      policies: [
        expect.objectContaining({
          policyName: 'storefront-cpu-target',
          targetValue: 60,
        }),
      ],
    });
    expect(storefront.alarms.map(a => a.alarmName)).toContain(
      'kler-production-storefront-cpu-high',
    );
    expect(snapshot.cluster?.alarms.map(a => a.alarmName)).toContain(
      'kler-production-cluster-cpu-reservation-high',
    );
    expect(snapshot.cluster?.capacityProviders).toEqual([
      expect.objectContaining({
        name: 'kler-production-ec2',
        autoScalingGroup: expect.objectContaining({
          autoScalingGroupName: 'kler-production-ecs',
          minSize: 3,
          maxSize: 12,
        }),
      }),
    ]);

    const plan = snapshot.backup?.plans.find(
      p => p.backupPlanName === 'kler-production-daily',
    );
    expect(plan?.rules[0]).toMatchObject({
      scheduleExpression: 'cron(0 3 * * ? *)',
      frequencyHours: 24,
      retentionDays: 35,
    });
    expect(plan?.resourceArns).toHaveLength(2);
    expect(snapshot.backup?.candidates.map(c => c.resourceName).sort()).toEqual(
      ['shop-database', 'shop-media'],
    );
    expect(snapshot.backup?.jobs.length).toBeGreaterThan(0);
    expect(snapshot.wellArchitected).toMatchObject({
      workloadId: 'kler-production',
      workloadName: 'KLER production',
    });
    expect(snapshot.wellArchitected?.pillars).toHaveLength(6);
    expect(snapshot.wellArchitected?.improvements.length).toBeGreaterThan(0);
  });

  it('reads what runs where: the task definitions in use, zones and digests, variable names but never values', async () => {
    const reader = createReader();
    const production = await reader.read(environment('production'));
    expect(production.readErrors).toEqual([]);
    for (const service of production.services) {
      const primary = service.deployments.find(d => d.status === 'PRIMARY')!;
      expect(service.taskDefinitions?.[0].taskDefinitionArn).toBe(
        primary.taskDefinition,
      );
      for (const task of service.tasks.filter(
        t => t.lastStatus === 'RUNNING',
      )) {
        expect(task.availabilityZone).toMatch(/^eu-west-1[abc]$/);
        expect(task.containers[0].imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      }
    }
    const shopApi = production.services.find(
      s => s.serviceName === 'shop-api',
    )!;
    expect(shopApi.taskDefinitions![0]).toMatchObject({
      family: 'kler-production-shop-api',
      cpu: '1024',
      memory: '2048',
      containers: [
        {
          name: 'shop-api',
          image: {
            repository: 'kler/shop-api',
            tag: '2026.11.5',
            ecrAccountId: '222222222222',
          },
          ports: [8080],
          logDriver: 'awslogs',
          environmentNames: ['DB_HOST', 'LOG_LEVEL'],
          secrets: [
            {
              name: 'DB_PASSWORD',
              source: 'ssm',
              reference: '/kler/production/shop-api/db-password',
            },
            {
              name: 'STRIPE_API_KEY',
              source: 'secretsmanager',
              reference: expect.stringMatching(/^arn:aws:secretsmanager:/),
            },
          ],
        },
      ],
    });
    const adminPanel = production.services.find(
      s => s.serviceName === 'admin-panel',
    )!;
    expect(new Set(adminPanel.tasks.map(t => t.availabilityZone))).toEqual(
      new Set(['eu-west-1a']),
    );

    const development = await reader.read(environment('development'));
    const devShopApi = development.services.find(
      s => s.serviceName === 'shop-api',
    )!;
    expect(devShopApi.taskDefinitions![0].containers[0]).toMatchObject({
      image: { tag: '2026.11.6-rc2' },
      environmentNames: ['DB_HOST', 'DB_PASSWORD', 'LOG_LEVEL'],
    });
    const stored = JSON.stringify(development);
    expect(stored).toContain('DB_PASSWORD');
    expect(stored).not.toContain('kler-canary-7f3a9c');
    expect(stored).not.toContain('shop-database.kler-development.internal');
  });

  it('reports a denied DescribeTaskDefinition as a read error of the workload area and keeps the rest', async () => {
    sandbox.admin.addFault({
      service: 'ecs',
      operation: 'DescribeTaskDefinition',
      accessDenied: true,
    });
    const snapshot = await createReader().read(environment('production'));
    expect(snapshot.readErrors).toEqual([
      expect.objectContaining({
        area: 'workload',
        name: expect.stringMatching(/AccessDenied/),
      }),
    ]);
    expect(snapshot.services.map(s => s.serviceName)).toEqual(KLER_SERVICES);
    expect(snapshot.services.every(s => s.taskDefinitions === undefined)).toBe(
      true,
    );
    expect(snapshot.services.every(s => s.tasks.length > 0)).toBe(true);
  });

  it('keeps the accounts apart', async () => {
    const snapshot = await createReader().read(environment('development'));
    expect(snapshot.cluster?.clusterName).toBe('kler-development');
    expect(snapshot.cluster?.clusterArn).toContain(':111111111111:');
    expect(snapshot.backup?.vaultName).toBe('kler-development');
  });

  it('reports AccessDenied on Backup as a read error and keeps the rest', async () => {
    sandbox.admin.addFault({ service: 'backup', accessDenied: true });
    const snapshot = await createReader().read(environment('production'));
    expect(snapshot.readErrors).toEqual([
      expect.objectContaining({
        area: 'backup',
        name: expect.stringMatching(/AccessDenied/),
      }),
    ]);
    expect(snapshot.services).toHaveLength(KLER_SERVICES.length);
    expect(snapshot.wellArchitected).toBeDefined();
  });

  it('retries through heavy throttling', async () => {
    sandbox.admin.addFault({
      service: 'ecs',
      throttle: { ratePerSecond: 2, burst: 1 },
    });
    const factory = createAwsClientsFactory({
      credentialsManager: DefaultAwsCredentialsManager.fromConfig(
        new ConfigReader(awsConfig),
      ),
      maxAttempts: 10,
      retryMode: 'standard',
      timeoutMs: 10_000,
    });
    const throttledResponses: string[] = [];
    const instrumented = new Set<unknown>();
    const reader = new AwsEnvironmentReader({
      limits: { concurrency: 8, callsPerSecond: 20, burst: 40 },
      clientsFactory: async env => {
        const clients = await factory(env);
        if (!instrumented.has(clients.ecs)) {
          instrumented.add(clients.ecs);
          // The deserialize step runs once per attempt, inside the SDK's retries.
          clients.ecs.middlewareStack.add(
            next => async args => {
              try {
                return await next(args);
              } catch (error) {
                throttledResponses.push((error as Error).name);
                throw error;
              }
            },
            { step: 'deserialize', priority: 'high' },
          );
        }
        return clients;
      },
    });

    const snapshot = await reader.read(environment('production'));

    expect(throttledResponses.length).toBeGreaterThan(0);
    expect(new Set(throttledResponses)).toEqual(
      new Set(['ThrottlingException']),
    );
    expect(snapshot.services).toHaveLength(KLER_SERVICES.length);
    expect(snapshot.services.every(s => s.tasks.length > 0)).toBe(true);
  });

  it('fails the read when ECS is denied', async () => {
    sandbox.admin.addFault({ service: 'ecs', accessDenied: true });
    await expect(
      createReader().read(environment('production')),
    ).rejects.toMatchObject({ name: expect.stringMatching(/AccessDenied/) });
  });
});

describe('AwsEnvironmentReader: what the task definitions point at, against the KLER sandbox', () => {
  it("finds production's vulnerable image and the zone its file system misses", async () => {
    const snapshot = await createReader().read(environment('production'));
    expect(snapshot.readErrors).toEqual([]);
    const resources = snapshot.workloadResources!;
    expect(resources.secretParameters).toEqual({
      checked: [
        '/kler/production/shop-api/db-password',
        '/kler/production/storefront/session-secret',
      ],
      missing: [],
    });
    expect(resources.secretsManagerSecrets).toEqual({
      checked: [
        'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/production/stripe-api-key-Q1w2E3',
      ],
      missing: [],
    });
    expect(
      resources.imageScans!.find(s => s.repositoryName === 'kler/shop-api'),
    ).toMatchObject({ status: 'complete', critical: 1, high: 3 });
    expect(resources.fileSystems).toEqual([
      expect.objectContaining({
        name: 'shop-media',
        encrypted: true,
        mountTargetZones: ['eu-west-1a', 'eu-west-1b'],
      }),
    ]);
    const ids = evaluateEnvironment(snapshot).problems.map(p => p.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'production/service/shop-api/image-vulnerabilities',
        `production/efs/${
          resources.fileSystems![0].fileSystemId
        }/efs-zone-without-mount-target`,
      ]),
    );
    expect(ids.filter(id => id.includes('missing-secret'))).toEqual([]);
  });

  it("finds development's secrets that point nowhere, its unscanned image and its unencrypted file system", async () => {
    const snapshot = await createReader().read(environment('development'));
    expect(snapshot.readErrors).toEqual([]);
    expect(snapshot.workloadResources!.secretParameters!.missing).toEqual([
      '/kler/development/storefront/session-secret',
    ]);
    // The task definition names a key of the secret; the secret is looked up.
    expect(snapshot.workloadResources!.secretsManagerSecrets).toEqual({
      checked: [
        'arn:aws:secretsmanager:eu-west-1:111111111111:secret:kler/development/stripe-webhook-Zx9Yw8',
      ],
      missing: [
        'arn:aws:secretsmanager:eu-west-1:111111111111:secret:kler/development/stripe-webhook-Zx9Yw8',
      ],
    });
    const ids = evaluateEnvironment(snapshot).problems.map(p => p.id);
    const fileSystemId =
      snapshot.workloadResources!.fileSystems![0].fileSystemId;
    expect(ids).toEqual(
      expect.arrayContaining([
        'development/service/storefront/missing-secret-parameter',
        'development/service/shop-api/missing-secret',
        'development/service/image-service/image-not-scanned',
        `development/efs/${fileSystemId}/efs-unencrypted`,
      ]),
    );
  });

  it('reports a denied DescribeParameters as a read error of the workload area and keeps the rest', async () => {
    sandbox.admin.addFault({
      service: 'ssm',
      operation: 'DescribeParameters',
      accessDenied: true,
    });
    const snapshot = await createReader().read(environment('development'));
    expect(snapshot.readErrors).toEqual([
      expect.objectContaining({
        area: 'workload',
        name: 'AccessDeniedException',
      }),
    ]);
    expect(snapshot.workloadResources!.secretParameters).toBeUndefined();
    expect(snapshot.workloadResources!.fileSystems).toHaveLength(1);
  });
});

describe('AwsEnvironmentReader: backup selections by tag, against the sandbox', () => {
  // An environment as kler:environment:provisionSandbox makes one from
  // kler-environment: its plan selects by the environment's tag, naming no
  // resource.
  let tagged: RunningSandbox;
  beforeAll(async () => {
    tagged = await startSandbox({
      port: 0,
      scenario: {
        accounts: [{ id: '111111111111', name: 'kler-development' }],
        environments: [
          {
            name: 'staging',
            account: '111111111111',
            cluster: 'kler-staging',
            vault: 'kler-staging',
            capacityProviders: [
              {
                name: 'kler-staging-ec2',
                autoScalingGroup: { name: 'kler-staging-ecs', min: 1, max: 2 },
              },
            ],
            services: [{ name: 'storefront', min: 1, max: 2 }],
            resources: [
              { type: 'efs', name: 'shop-media' },
              { type: 'rds', name: 'shop-database' },
            ],
            backupPlans: [
              {
                name: 'kler-staging-daily',
                rules: [{ name: 'daily', schedule: 'cron(0 3 * * ? *)' }],
                selections: [
                  {
                    name: 'environment',
                    tag: { key: 'kler:environment', value: 'staging' },
                  },
                ],
              },
            ],
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await tagged?.close();
  });

  it('finds every tagged resource selected, keeping only the tags the selection tests', async () => {
    const snapshot = await createReader().read({
      name: 'staging',
      tier: 'development',
      accountId: '111111111111',
      region: 'eu-west-1',
      cluster: 'kler-staging',
      backupVault: 'kler-staging',
      endpoint: tagged.url,
    });
    expect(snapshot.readErrors).toEqual([]);
    const backup = snapshot.backup!;
    expect(backup.plans).toEqual([
      expect.objectContaining({
        backupPlanName: 'kler-staging-daily',
        resourceArns: [],
        selections: [
          expect.objectContaining({
            resources: [],
            anyOfTags: [{ key: 'kler:environment', value: 'staging' }],
          }),
        ],
      }),
    ]);
    expect(backup.candidates.map(c => [c.resourceName, c.tags])).toEqual(
      expect.arrayContaining([
        ['shop-media', { 'kler:environment': 'staging' }],
        ['shop-database', { 'kler:environment': 'staging' }],
      ]),
    );
    expect(
      backup.candidates.every(candidate =>
        backupPlanSelects(backup.plans[0], candidate),
      ),
    ).toBe(true);
  });
});
