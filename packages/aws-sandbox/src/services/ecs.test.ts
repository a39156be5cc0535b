import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
  paginateListTasks,
  Service,
  Task,
} from '@aws-sdk/client-ecs';
import { loadScenarioFile } from '../scenario/load';
import type { RunningSandbox } from '../server';
import { EnvironmentWorld } from '../world/simulation';
import { imageDigest } from './ecsShapes';
import {
  clientConfig,
  DEVELOPMENT,
  KLER_SCENARIO,
  NIGHT,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from '../testUtils';

async function allTasks(
  ecs: ECSClient,
  cluster: string,
  desiredStatus: 'RUNNING' | 'STOPPED',
) {
  const arns: string[] = [];
  for await (const page of paginateListTasks(
    { client: ecs },
    { cluster, desiredStatus, maxResults: 100 },
  )) {
    arns.push(...(page.taskArns ?? []));
  }
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const out = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }),
    );
    tasks.push(...(out.tasks ?? []));
  }
  return tasks;
}

describe('ECS', () => {
  let sandbox: RunningSandbox;
  let production: ECSClient;
  let development: ECSClient;

  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
    production = new ECSClient(clientConfig(sandbox.url, PRODUCTION));
    development = new ECSClient(clientConfig(sandbox.url, DEVELOPMENT));
  });
  afterAll(() => sandbox.close());

  it('describes the cluster with its capacity providers', async () => {
    const out = await production.send(
      new DescribeClustersCommand({ clusters: ['kler-production', 'nope'] }),
    );
    expect(out.clusters).toHaveLength(1);
    const [cluster] = out.clusters!;
    expect(cluster.clusterArn).toBe(
      'arn:aws:ecs:eu-west-1:222222222222:cluster/kler-production',
    );
    expect(cluster.status).toBe('ACTIVE');
    expect(cluster.capacityProviders).toEqual([
      'kler-production-ec2',
      'FARGATE',
      'FARGATE_SPOT',
    ]);
    expect(cluster.activeServicesCount).toBe(5);
    expect(cluster.runningTasksCount).toBeGreaterThan(10);
    expect(out.failures).toEqual([
      {
        arn: 'arn:aws:ecs:eu-west-1:222222222222:cluster/nope',
        reason: 'MISSING',
      },
    ]);
  });

  it('lists the five services, paginating with maxResults', async () => {
    const first = await production.send(
      new ListServicesCommand({ cluster: 'kler-production', maxResults: 2 }),
    );
    expect(first.serviceArns).toHaveLength(2);
    expect(first.nextToken).toBeDefined();
    const arns = [...first.serviceArns!];
    let token = first.nextToken;
    while (token) {
      const page = await production.send(
        new ListServicesCommand({
          cluster: 'kler-production',
          maxResults: 2,
          nextToken: token,
        }),
      );
      arns.push(...page.serviceArns!);
      token = page.nextToken;
    }
    expect(arns.map(a => a.split('/').pop())).toEqual([
      'storefront',
      'shop-api',
      'admin-panel',
      'image-service',
      'order-worker',
    ]);
  });

  it('answers ClusterNotFoundException for an unknown cluster', async () => {
    await expect(
      production.send(new ListServicesCommand({ cluster: 'kler-development' })),
    ).rejects.toMatchObject({
      name: 'ClusterNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('describes services with deployments and reports missing ones in failures', async () => {
    const out = await production.send(
      new DescribeServicesCommand({
        cluster: 'kler-production',
        services: ['storefront', 'ghost'],
      }),
    );
    const [storefront] = out.services!;
    expect(storefront.serviceName).toBe('storefront');
    // evening peak: storefront is at its maximum
    expect(storefront.desiredCount).toBe(12);
    expect(storefront.runningCount).toBe(12);
    expect(storefront.createdAt).toBeInstanceOf(Date);
    expect(storefront.loadBalancers![0].targetGroupArn).toMatch(
      /^arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup\/kler-production-storefront\//,
    );
    expect(storefront.deployments![0]).toMatchObject({ status: 'PRIMARY' });
    expect(out.failures).toEqual([
      {
        arn: 'arn:aws:ecs:eu-west-1:222222222222:service/kler-production/ghost',
        reason: 'MISSING',
      },
    ]);
  });

  it('rejects more than 10 services per DescribeServices', async () => {
    await expect(
      production.send(
        new DescribeServicesCommand({
          cluster: 'kler-production',
          services: Array.from({ length: 11 }, (_, i) => `s${i}`),
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('rejects more than 100 tasks per DescribeTasks and maxResults above 100', async () => {
    await expect(
      production.send(
        new DescribeTasksCommand({
          cluster: 'kler-production',
          tasks: Array.from({ length: 101 }, (_, i) => `t${i}`),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      production.send(
        new ListTasksCommand({ cluster: 'kler-production', maxResults: 101 }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('lists running tasks grouped by service, matching the services running counts', async () => {
    const tasks = await allTasks(production, 'kler-production', 'RUNNING');
    const services = await production.send(
      new DescribeServicesCommand({
        cluster: 'kler-production',
        services: [
          'storefront',
          'shop-api',
          'admin-panel',
          'image-service',
          'order-worker',
        ],
      }),
    );
    for (const service of services.services!) {
      const group = tasks.filter(
        t => t.group === `service:${service.serviceName}`,
      );
      expect(group.length).toBe(service.runningCount! + service.pendingCount!);
    }
    const task = tasks[0];
    expect(task.lastStatus).toBe('RUNNING');
    expect(task.startedAt).toBeInstanceOf(Date);
    expect(task.taskDefinitionArn).toMatch(
      /task-definition\/kler-production-[a-z-]+:\d+$/,
    );
    expect(
      task.containers![0].networkInterfaces![0].privateIpv4Address,
    ).toMatch(/^10\./);
  });

  it('shows image-service in development killed by the OOM killer', async () => {
    const stopped = await allTasks(development, 'kler-development', 'STOPPED');
    const crashed = stopped.filter(t => t.group === 'service:image-service');
    expect(crashed.length).toBeGreaterThan(0);
    expect(crashed[0]).toMatchObject({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    });
    expect(crashed[0].containers![0]).toMatchObject({
      exitCode: 137,
      reason: 'OutOfMemoryError: Container killed due to memory usage',
    });
    expect(crashed[0].stoppedAt).toBeInstanceOf(Date);
  });

  it("shows development shop-api's rollout failing and rolled back by the circuit breaker", async () => {
    // 4 hours of a frozen clock past the scheduled rollouts: look for a FAILED one
    const times = Array.from(
      { length: 16 },
      (_, i) => Date.parse(PEAK) + i * 30 * 60 * 1000,
    );
    const states = new Set<string>();
    let afterFailure: Service | undefined;
    let failureSeenAt = 0;
    for (const time of times) {
      sandbox.admin.setClock({ set: time, speed: 0 });
      const out = await development.send(
        new DescribeServicesCommand({
          cluster: 'kler-development',
          services: ['shop-api'],
        }),
      );
      const service = out.services![0];
      for (const d of service.deployments!)
        states.add(`${d.status}:${d.rolloutState}`);
      if (service.deployments!.some(d => d.rolloutState === 'FAILED')) {
        afterFailure = service;
        failureSeenAt = time;
      }
    }
    expect(states).toContain('ACTIVE:FAILED');
    expect(states).toContain('PRIMARY:IN_PROGRESS');
    const [primary, failed] = afterFailure!.deployments!;
    expect(primary).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
    });
    expect(failed).toMatchObject({
      status: 'ACTIVE',
      rolloutState: 'FAILED',
      runningCount: 0,
    });
    expect(failed.rolloutStateReason).toMatch(/circuit breaker/);
    expect(
      afterFailure!.events!.some(e => /deployment failed/.test(e.message!)),
    ).toBe(true);

    // the new revision's tasks exited; those of the last hour are still listed
    sandbox.admin.setClock({
      set: failed.updatedAt!.getTime() + 10 * 60 * 1000,
    });
    const stopped = await allTasks(development, 'kler-development', 'STOPPED');
    const attempts = stopped.filter(
      t => t.taskDefinitionArn === failed.taskDefinition,
    );
    expect(attempts).toHaveLength(failed.failedTasks!);
    expect(attempts[0]).toMatchObject({
      group: 'service:shop-api',
      stopCode: 'EssentialContainerExited',
    });
    expect(attempts[0].containers![0].exitCode).toBe(1);
    expect(failureSeenAt).toBeGreaterThan(0);
    sandbox.admin.setClock({ set: PEAK, speed: 0 });
  });

  it("describes a service's task definition with its image, size, ports, logs, variables and secrets", async () => {
    const described = await development.send(
      new DescribeServicesCommand({
        cluster: 'kler-development',
        services: ['shop-api'],
      }),
    );
    const arn = described.services![0].deployments![0].taskDefinition!;
    const out = await development.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: arn }),
    );
    expect(out.tags).toBeUndefined();
    const definition = out.taskDefinition!;
    expect(definition).toMatchObject({
      taskDefinitionArn: arn,
      family: 'kler-development-shop-api',
      status: 'ACTIVE',
      networkMode: 'awsvpc',
      cpu: '1024',
      memory: '2048',
    });
    expect(definition.revision).toBe(Number(arn.split(':').pop()));
    expect(definition.registeredAt).toBeInstanceOf(Date);
    expect(definition.containerDefinitions).toEqual([
      expect.objectContaining({
        name: 'shop-api',
        image:
          '111111111111.dkr.ecr.eu-west-1.amazonaws.com/kler/shop-api:2026.11.6-rc2',
        cpu: 1024,
        memory: 2048,
        essential: true,
        portMappings: [
          { containerPort: 8080, hostPort: 8080, protocol: 'tcp' },
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/ecs/kler-development/shop-api',
            'awslogs-region': 'eu-west-1',
            'awslogs-stream-prefix': 'shop-api',
          },
        },
        environment: [
          { name: 'LOG_LEVEL', value: 'debug' },
          { name: 'DB_HOST', value: 'shop-database.kler-development.internal' },
          { name: 'DB_PASSWORD', value: 'kler-canary-7f3a9c' },
        ],
        secrets: [
          {
            name: 'STRIPE_API_KEY',
            valueFrom:
              'arn:aws:ssm:eu-west-1:111111111111:parameter/kler/development/stripe-api-key',
          },
          {
            name: 'STRIPE_WEBHOOK_SECRET',
            valueFrom:
              'arn:aws:secretsmanager:eu-west-1:111111111111:secret:kler/development/stripe-webhook-Zx9Yw8:signing_key::',
          },
        ],
      }),
    ]);
  });

  it('names a task definition by family (the latest revision), family:revision or ARN, with tags when asked', async () => {
    const latest = await production.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: 'kler-production-storefront',
        include: ['TAGS'],
      }),
    );
    expect(latest.tags).toEqual([]);
    const revision = latest.taskDefinition!.revision!;
    const service = await production.send(
      new DescribeServicesCommand({
        cluster: 'kler-production',
        services: ['storefront'],
      }),
    );
    expect(service.services![0].taskDefinition).toBe(
      latest.taskDefinition!.taskDefinitionArn,
    );
    const earlier = await production.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: `kler-production-storefront:${revision - 1}`,
      }),
    );
    expect(earlier.taskDefinition!.revision).toBe(revision - 1);
    expect(earlier.taskDefinition!.registeredAt!.getTime()).toBeLessThan(
      latest.taskDefinition!.registeredAt!.getTime(),
    );
  });

  it('answers ClientException for a task definition that does not exist, and InvalidParameterException for a bad request', async () => {
    const latest = await production.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: 'kler-production-shop-api',
      }),
    );
    const next = `kler-production-shop-api:${
      latest.taskDefinition!.revision! + 1
    }`;
    for (const taskDefinition of [
      'kler-production-nope',
      next,
      // another account's ARN
      'arn:aws:ecs:eu-west-1:111111111111:task-definition/kler-production-shop-api:1',
      // development's family, asked in production's account
      'kler-development-shop-api',
    ]) {
      await expect(
        production.send(new DescribeTaskDefinitionCommand({ taskDefinition })),
      ).rejects.toMatchObject({
        name: 'ClientException',
        message: 'Unable to describe task definition.',
      });
    }
    for (const input of [
      { taskDefinition: undefined },
      { taskDefinition: 'kler-production-shop-api:x' },
      { taskDefinition: 'kler-production-shop-api', include: ['NOPE'] },
    ]) {
      await expect(
        production.send(new DescribeTaskDefinitionCommand(input as any)),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    }
  });

  it("runs tasks in their service's zones, with the image and its digest", async () => {
    const tasks = await allTasks(production, 'kler-production', 'RUNNING');
    const zonesOf = (service: string) =>
      new Set(
        tasks
          .filter(t => t.group === `service:${service}`)
          .map(t => t.availabilityZone),
      );
    expect(zonesOf('admin-panel')).toEqual(new Set(['eu-west-1a']));
    expect(zonesOf('shop-api')).toEqual(
      new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']),
    );
    const shopApi = tasks.filter(t => t.group === 'service:shop-api');
    expect(shopApi[0].containers![0].image).toBe(
      '222222222222.dkr.ecr.eu-west-1.amazonaws.com/kler/shop-api:2026.11.5',
    );
    expect(shopApi[0].containers![0].imageDigest).toMatch(
      /^sha256:[0-9a-f]{64}$/,
    );
  });

  it('describes the capacity providers named by the cluster', async () => {
    const out = await production.send(
      new DescribeCapacityProvidersCommand({
        capacityProviders: ['kler-production-ec2', 'missing'],
      }),
    );
    expect(out.capacityProviders).toHaveLength(1);
    expect(
      out.capacityProviders![0].autoScalingGroupProvider!.autoScalingGroupArn,
    ).toMatch(/autoScalingGroupName\/kler-production-ecs$/);
    expect(out.failures![0]).toMatchObject({ reason: 'MISSING' });
    const all = await production.send(new DescribeCapacityProvidersCommand({}));
    expect(all.capacityProviders!.map(c => c.name)).toEqual([
      'kler-production-ec2',
      'FARGATE',
      'FARGATE_SPOT',
    ]);
  });

  it('scales with the daily traffic curve', async () => {
    const night = await startKlerSandbox(NIGHT);
    try {
      const ecs = new ECSClient(clientConfig(night.url, PRODUCTION));
      const out = await ecs.send(
        new DescribeServicesCommand({
          cluster: 'kler-production',
          services: ['storefront'],
        }),
      );
      expect(out.services![0].desiredCount).toBe(3);
    } finally {
      await night.close();
    }
  });
});

describe('image digests', () => {
  const scenario = loadScenarioFile(KLER_SCENARIO);
  const worldOf = (name: string) =>
    new EnvironmentWorld(
      scenario.seed,
      scenario.environments.find(e => e.name === name)!,
    );

  it('resolve a fixed tag to one digest, and latest to another digest per revision', () => {
    const development = worldOf('development');
    const orderWorker = development.service('order-worker')!;
    expect(orderWorker.image).toMatch(/:latest$/);
    expect(imageDigest(development, orderWorker, 7)).not.toBe(
      imageDigest(development, orderWorker, 8),
    );
    const shopApi = development.service('shop-api')!;
    expect(imageDigest(development, shopApi, 7)).toBe(
      imageDigest(development, shopApi, 8),
    );
    expect(imageDigest(development, shopApi, 7)).toMatch(
      /^sha256:[0-9a-f]{64}$/,
    );
  });

  it('keep the digest a reference pins', () => {
    const production = worldOf('production');
    const digest = `sha256:${'d'.repeat(64)}`;
    const pinned = {
      ...production.service('shop-api')!,
      image: `222222222222.dkr.ecr.eu-west-1.amazonaws.com/kler/shop-api@${digest}`,
    };
    expect(imageDigest(production, pinned, 3)).toBe(digest);
  });
});
