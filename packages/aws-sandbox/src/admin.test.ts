import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  BackupClient,
  ListProtectedResourcesByBackupVaultCommand,
} from '@aws-sdk/client-backup';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import type { RunningSandbox } from './server';
import {
  clientConfig,
  DEVELOPMENT,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from './testUtils';

/** An environment as the portal's sandbox provisioning posts it. */
const staging = {
  name: 'staging',
  account: DEVELOPMENT,
  region: 'eu-central-1',
  cluster: 'kler-staging',
  vault: 'kler-staging',
  availabilityZones: ['eu-central-1a', 'eu-central-1b'],
  capacityProviders: [
    {
      name: 'kler-staging-ec2',
      autoScalingGroup: {
        name: 'kler-staging-ecs',
        instanceType: 't3.large',
        instanceCpu: 2048,
        min: 2,
        max: 4,
      },
    },
  ],
  services: [
    {
      name: 'storefront',
      min: 2,
      max: 6,
      cpu: 512,
      memory: 1024,
      image:
        '111111111111.dkr.ecr.eu-central-1.amazonaws.com/kler/staging/storefront:2.3.1',
      containerPort: 3000,
      targetGroup: 'kler-staging-storefront',
      scalingPolicies: [{ name: 'storefront-cpu', targetValue: 60 }],
    },
  ],
  resources: [{ type: 'efs', name: 'kler-staging-shared' }],
  backupPlans: [
    {
      name: 'kler-staging',
      rules: [
        {
          name: 'daily-7d',
          schedule: 'cron(0 3 * * ? *)',
          deleteAfterDays: 7,
        },
      ],
      selections: [
        {
          name: 'kler-staging-tagged',
          tag: { key: 'kler:environment', value: 'staging' },
        },
      ],
    },
  ],
};

describe('admin API', () => {
  let sandbox: RunningSandbox;
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${sandbox.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async r => ({ status: r.status, body: await r.json() }));

  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
  });
  afterAll(() => sandbox.close());

  it('reports the state of the environments', async () => {
    const { status, body } = await call('GET', '/_sandbox/state');
    expect(status).toBe(200);
    expect(body.now).toBe('2026-11-26T19:30:00.000Z');
    expect(body.environments.map((e: any) => e.name)).toEqual([
      'production',
      'development',
    ]);
    const storefront = body.environments[0].services.find(
      (s: any) => s.name === 'storefront',
    );
    expect(storefront).toEqual({
      name: 'storefront',
      desired: 12,
      running: 12,
    });
  });

  it('sets, lists and removes faults', async () => {
    const put = await call('PUT', '/_sandbox/faults', {
      faults: [{ id: 'deny-ecs', service: 'ecs', accessDenied: true }],
    });
    expect(put.status).toBe(200);
    const ecs = new ECSClient(clientConfig(sandbox.url, PRODUCTION));
    await expect(
      ecs.send(new ListServicesCommand({ cluster: 'kler-production' })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect((await call('GET', '/_sandbox/faults')).body.faults).toHaveLength(1);
    expect((await call('DELETE', '/_sandbox/faults/deny-ecs')).status).toBe(
      200,
    );
    await expect(
      ecs.send(new ListServicesCommand({ cluster: 'kler-production' })),
    ).resolves.toBeDefined();
    const added = await call('POST', '/_sandbox/faults', {
      service: 'ecs',
      latencyMs: 5,
    });
    expect(added.status).toBe(201);
    expect((await call('DELETE', '/_sandbox/faults')).body.faults).toEqual([]);
  });

  it('rejects a bad fault naming the key', async () => {
    const { status, body } = await call('PUT', '/_sandbox/faults', {
      faults: [{ serverError: 404 }],
    });
    expect(status).toBe(400);
    expect(body.error).toMatch(/serverError/);
  });

  it('moves and speeds up the clock, and resets it', async () => {
    const set = await call('POST', '/_sandbox/clock', {
      set: '2026-11-26T04:00:00Z',
      speed: 0,
    });
    expect(set.body).toEqual({ now: '2026-11-26T04:00:00.000Z', speed: 0 });
    const state = await call('GET', '/_sandbox/state');
    expect(state.body.environments[0].services[0].desired).toBe(3);
    await call('POST', '/_sandbox/clock', { speed: 3600 });
    await new Promise(resolve => setTimeout(resolve, 100));
    const later = await call('GET', '/_sandbox/state');
    expect(
      Date.parse(later.body.now) - Date.parse('2026-11-26T04:00:00Z'),
    ).toBeGreaterThanOrEqual(300_000);
    expect((await call('POST', '/_sandbox/clock', { speed: -1 })).status).toBe(
      400,
    );
    const reset = await call('POST', '/_sandbox/reset');
    expect(reset.body.now).toBe('2026-11-26T19:30:00.000Z');
    expect(reset.body.speed).toBe(0);
  });

  it('toggles the default throttling', async () => {
    const { body } = await call('PUT', '/_sandbox/throttling', {
      enabled: false,
    });
    expect(body).toEqual({ enabled: false, ratePerSecond: 20, burst: 40 });
    await call('POST', '/_sandbox/reset');
  });

  it('answers 404 for unknown admin routes', async () => {
    expect((await call('GET', '/_sandbox/nothing')).status).toBe(404);
  });
});

describe('admin API: environments', () => {
  let sandbox: RunningSandbox;
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${sandbox.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async r => ({ status: r.status, body: await r.json() }));
  const development = (region = 'eu-central-1') =>
    clientConfig(sandbox.url, DEVELOPMENT, { region });

  beforeEach(async () => {
    sandbox = await startKlerSandbox(PEAK);
  });
  afterEach(() => sandbox.close());

  it('adds an environment that the SDK reads like the scenario ones', async () => {
    const added = await call('POST', '/_sandbox/environments', staging);
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      created: true,
      environment: {
        name: 'staging',
        account: DEVELOPMENT,
        region: 'eu-central-1',
        cluster: 'kler-staging',
        origin: 'admin',
        services: [
          {
            name: 'storefront',
            desired: expect.any(Number),
            running: expect.any(Number),
          },
        ],
      },
    });
    const [service] = added.body.environment.services;
    expect(service.desired).toBeGreaterThanOrEqual(2);
    expect(service.desired).toBeLessThanOrEqual(6);

    const ecs = new ECSClient(development());
    const clusters = await ecs.send(
      new DescribeClustersCommand({ clusters: ['kler-staging'] }),
    );
    expect(clusters.clusters?.[0]).toMatchObject({
      clusterArn: 'arn:aws:ecs:eu-central-1:111111111111:cluster/kler-staging',
      activeServicesCount: 1,
      capacityProviders: ['kler-staging-ec2', 'FARGATE', 'FARGATE_SPOT'],
    });
    const services = await ecs.send(
      new DescribeServicesCommand({
        cluster: 'kler-staging',
        services: ['storefront'],
      }),
    );
    expect(services.services?.[0]).toMatchObject({
      serviceName: 'storefront',
      desiredCount: service.desired,
      runningCount: service.running,
    });
    const groups = await new AutoScalingClient(development()).send(
      new DescribeAutoScalingGroupsCommand({
        AutoScalingGroupNames: ['kler-staging-ecs'],
      }),
    );
    expect(groups.AutoScalingGroups?.[0]).toMatchObject({
      MinSize: 2,
      MaxSize: 4,
    });
    const protectedResources = await new BackupClient(development()).send(
      new ListProtectedResourcesByBackupVaultCommand({
        BackupVaultName: 'kler-staging',
      }),
    );
    expect(protectedResources.Results?.map(r => r.ResourceName)).toEqual([
      'kler-staging-shared',
    ]);

    // The account's other region does not see it.
    await expect(
      ecs.send(new ListServicesCommand({ cluster: 'kler-staging' })),
    ).resolves.toBeDefined();
    await expect(
      new ECSClient(development('eu-west-1')).send(
        new ListServicesCommand({ cluster: 'kler-staging' }),
      ),
    ).rejects.toMatchObject({ name: 'ClusterNotFoundException' });

    const state = await call('GET', '/_sandbox/state');
    expect(state.body.environments.map((e: any) => [e.name, e.origin])).toEqual(
      [
        ['production', 'scenario'],
        ['development', 'scenario'],
        ['staging', 'admin'],
      ],
    );
  });

  it('takes the same environment again without change, and refuses a different one', async () => {
    expect((await call('POST', '/_sandbox/environments', staging)).status).toBe(
      201,
    );
    const again = await call('POST', '/_sandbox/environments', staging);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);

    const bigger = await call('POST', '/_sandbox/environments', {
      ...staging,
      capacityProviders: [
        {
          ...staging.capacityProviders[0],
          autoScalingGroup: {
            ...staging.capacityProviders[0].autoScalingGroup,
            max: 8,
          },
        },
      ],
    });
    expect(bigger.status).toBe(409);
    expect(bigger.body.error).toMatch(/different environment staging/);

    const production = await call('POST', '/_sandbox/environments', {
      ...staging,
      name: 'production',
    });
    expect(production.status).toBe(409);
    expect(production.body.error).toContain('(from the scenario)');
  });

  it('rejects a bad environment naming every bad key', async () => {
    const bad = await call('POST', '/_sandbox/environments', {
      ...staging,
      account: '999999999999',
      cluster: 'kler-development',
      region: 'eu-west-1',
      services: [{ ...staging.services[0], cpuu: 1 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([
      'environment.services[0].cpuu: unknown key',
    ]);
    const clash = await call('POST', '/_sandbox/environments', {
      ...staging,
      region: 'eu-west-1',
      cluster: 'kler-development',
    });
    expect(clash.status).toBe(400);
    expect(clash.body.problems).toEqual([
      'environment.cluster: cluster kler-development exists in 111111111111 eu-west-1',
    ]);
  });

  it('lists, removes and forgets added environments on reset', async () => {
    await call('POST', '/_sandbox/environments', staging);
    await call('POST', '/_sandbox/environments', {
      ...staging,
      name: 'preview',
      cluster: 'kler-preview',
      vault: 'kler-preview',
      services: [],
      backupPlans: [],
    });
    const listed = await call('GET', '/_sandbox/environments');
    expect(listed.body.environments).toEqual([
      expect.objectContaining({ name: 'production', origin: 'scenario' }),
      expect.objectContaining({ name: 'development', origin: 'scenario' }),
      {
        name: 'staging',
        account: DEVELOPMENT,
        region: 'eu-central-1',
        cluster: 'kler-staging',
        origin: 'admin',
      },
      expect.objectContaining({ name: 'preview', origin: 'admin' }),
    ]);
    expect(
      (await call('DELETE', '/_sandbox/environments/preview')).status,
    ).toBe(200);
    expect(
      (await call('DELETE', '/_sandbox/environments/preview')).status,
    ).toBe(404);
    expect(
      (await call('DELETE', '/_sandbox/environments/production')).status,
    ).toBe(409);

    await call('POST', '/_sandbox/reset');
    expect(
      (await call('GET', '/_sandbox/environments')).body.environments.map(
        (e: any) => e.name,
      ),
    ).toEqual(['production', 'development']);
    await expect(
      new ECSClient(development()).send(
        new ListServicesCommand({ cluster: 'kler-staging' }),
      ),
    ).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
  });

  it('adds environments in process too (SandboxAdmin)', () => {
    expect(sandbox.admin.addEnvironment(staging).created).toBe(true);
    expect(sandbox.admin.removeEnvironment('staging')).toBe(true);
    expect(sandbox.admin.removeEnvironment('production')).toBe(false);
  });
});
