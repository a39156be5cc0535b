import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  accessDenied,
  clearAwsCalls,
  createReader,
  ecs,
  env,
  mockCluster,
  mockServices,
  NOW,
  serviceArn,
  taskArn,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';
import { CacheService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import {
  EnvironmentSnapshot,
  pendingAreas,
} from '@kler/plugin-environments-common';
import {
  parseImageReference,
  secretReference,
  taskDefinitionArnsInUse,
} from './taskDefinitions';

useAwsMocks();

/** The plugin's cache as a map (the memory store serializes the same way). */
class MapCache implements CacheService {
  readonly entries = new Map<string, JsonValue>();
  failing = false;

  async get<T extends JsonValue>(key: string): Promise<T | undefined> {
    this.check();
    const value = this.entries.get(key);
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  async set(key: string, value: JsonValue): Promise<void> {
    this.check();
    this.entries.set(key, JSON.parse(JSON.stringify(value)));
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  withOptions(): CacheService {
    return this;
  }

  private check() {
    if (this.failing) {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    }
  }
}

const taskDefinitionArn = (family: string, revision: number) =>
  `arn:aws:ecs:eu-west-1:222222222222:task-definition/kler-production-${family}:${revision}`;

/** Values the SDK answers that the snapshot must never hold. */
const SECRET_VALUES = [
  'hunter2-plaintext-password',
  'postgres://app:s3cret@db.internal:5432/shop',
  'sk_live_51Hx9-canary',
];

/** A task definition as DescribeTaskDefinition answers it, with values in it. */
function describedTaskDefinition(
  arn: string,
  image: string,
): DescribeTaskDefinitionCommandOutput['taskDefinition'] {
  const [, family, revision] = arn.match(/task-definition\/(.+):(\d+)$/)!;
  return {
    taskDefinitionArn: arn,
    family,
    revision: Number(revision),
    cpu: '512',
    memory: '1024',
    status: 'ACTIVE',
    containerDefinitions: [
      {
        name: 'app',
        image,
        cpu: 256,
        memoryReservation: 768,
        essential: true,
        portMappings: [
          { containerPort: 9090, hostPort: 9090, protocol: 'tcp' },
          { containerPort: 8080, hostPort: 8080, protocol: 'tcp' },
        ],
        environment: [
          { name: 'DB_PASSWORD', value: SECRET_VALUES[0] },
          { name: 'DATABASE_URL', value: SECRET_VALUES[1] },
          { name: 'STRIPE_KEY', value: SECRET_VALUES[2] },
        ],
        secrets: [
          {
            name: 'SESSION_SECRET',
            valueFrom:
              'arn:aws:ssm:eu-west-1:222222222222:parameter/kler/production/session',
          },
          {
            name: 'API_TOKEN',
            valueFrom:
              'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/api-token-AbCdEf',
          },
        ],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': '/ecs/kler-production/app' },
        },
      },
      {
        name: 'log-router',
        image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
        memory: 64,
        essential: false,
        environment: [{ name: 'FLB_TOKEN', value: SECRET_VALUES[2] }],
      },
    ],
  };
}

/**
 * Services whose deployments use the given task definitions (the first one
 * PRIMARY, the others ACTIVE), plus an INACTIVE deployment that must not be
 * described; DescribeTaskDefinition answers every ARN.
 */
function mockWorkload(deployments: Record<string, string[]>) {
  const names = Object.keys(deployments);
  mockCluster({ activeServicesCount: names.length });
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
        taskDefinition: deployments[name][0],
        deployments: [
          ...deployments[name].map((taskDefinition, i) => ({
            id: `ecs-svc/${name}-${i}`,
            status: i === 0 ? 'PRIMARY' : 'ACTIVE',
            taskDefinition,
          })),
          {
            id: `ecs-svc/${name}-old`,
            status: 'INACTIVE',
            taskDefinition: taskDefinitionArn(name, 1),
          },
        ],
      };
    }),
  }));
  ecs.on(DescribeTaskDefinitionCommand).callsFake(input => ({
    taskDefinition: describedTaskDefinition(
      input.taskDefinition,
      `222222222222.dkr.ecr.eu-west-1.amazonaws.com/kler/app:${input.taskDefinition
        .split(':')
        .pop()}`,
    ),
  }));
}

describe('AwsEnvironmentReader: task definitions', () => {
  it('describes the task definitions of PRIMARY and ACTIVE deployments, keeping names and references, never values', async () => {
    mockWorkload({
      'shop-api': [
        taskDefinitionArn('shop-api', 7),
        taskDefinitionArn('shop-api', 6),
      ],
      storefront: [taskDefinitionArn('storefront', 3)],
    });
    const snapshot = await createReader().read(env);

    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 3);
    expect(ecs).not.toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, {
      taskDefinition: taskDefinitionArn('shop-api', 1),
    });
    const shopApi = snapshot.services.find(s => s.serviceName === 'shop-api')!;
    expect(shopApi.taskDefinitions!.map(d => d.revision)).toEqual([7, 6]);
    expect(shopApi.taskDefinitions![0]).toEqual({
      taskDefinitionArn: taskDefinitionArn('shop-api', 7),
      family: 'kler-production-shop-api',
      revision: 7,
      cpu: '512',
      memory: '1024',
      containers: [
        {
          name: 'app',
          image: {
            image: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/kler/app:7',
            registry: '222222222222.dkr.ecr.eu-west-1.amazonaws.com',
            repository: 'kler/app',
            tag: '7',
            ecrAccountId: '222222222222',
          },
          essential: true,
          cpu: 256,
          memory: 768,
          ports: [8080, 9090],
          logDriver: 'awslogs',
          environmentNames: ['DATABASE_URL', 'DB_PASSWORD', 'STRIPE_KEY'],
          secrets: [
            {
              name: 'API_TOKEN',
              source: 'secretsmanager',
              reference:
                'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/api-token-AbCdEf',
            },
            {
              name: 'SESSION_SECRET',
              source: 'ssm',
              reference: '/kler/production/session',
            },
          ],
        },
        {
          name: 'log-router',
          image: {
            image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
            registry: 'public.ecr.aws',
            repository: 'aws-observability/aws-for-fluent-bit',
            tag: 'stable',
          },
          essential: false,
          memory: 64,
          ports: [],
          environmentNames: ['FLB_TOKEN'],
          secrets: [],
        },
      ],
    });
    expect(snapshot.readErrors).toEqual([]);

    const stored = JSON.stringify(snapshot);
    // the check can fail: the names are there, the values are not
    expect(stored).toContain('DB_PASSWORD');
    for (const value of SECRET_VALUES) {
      expect(stored).not.toContain(value);
    }
  });

  it('describes a task definition once across refreshes, and again only for a new ARN', async () => {
    const deployments = {
      'shop-api': [taskDefinitionArn('shop-api', 7)],
      storefront: [taskDefinitionArn('storefront', 3)],
    };
    mockWorkload(deployments);
    let now = NOW;
    const reader = createReader({
      now: () => now,
      configurationMaxAgeMs: 60_000,
    });
    await reader.read(env);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);

    // steady reads, past the configuration period too: no call
    for (const minutes of [1, 5, 30]) {
      clearAwsCalls();
      now = new Date(NOW.getTime() + minutes * 60_000);
      const snapshot = await reader.read(env);
      expect(ecs).not.toHaveReceivedCommand(DescribeTaskDefinitionCommand);
      expect(
        snapshot.services.map(s => s.taskDefinitions?.[0].revision),
      ).toEqual([7, 3]);
    }

    // shop-api rolls out revision 8: only the new ARN is described
    clearAwsCalls();
    deployments['shop-api'] = [
      taskDefinitionArn('shop-api', 8),
      taskDefinitionArn('shop-api', 7),
    ];
    const rolling = await reader.read(env);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, {
      taskDefinition: taskDefinitionArn('shop-api', 8),
    });
    expect(rolling.services[0].taskDefinitions!.map(d => d.revision)).toEqual([
      8, 7,
    ]);

    // the rollout done, revision 7 is forgotten: were it in use again, it is described again
    deployments['shop-api'] = [taskDefinitionArn('shop-api', 8)];
    await reader.read(env);
    clearAwsCalls();
    deployments['shop-api'] = [taskDefinitionArn('shop-api', 7)];
    await reader.read(env);
    expect(ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, {
      taskDefinition: taskDefinitionArn('shop-api', 7),
    });
  });

  it('describes every time with the awsDescriptions cache switched off', async () => {
    mockWorkload({ 'shop-api': [taskDefinitionArn('shop-api', 7)] });
    const reader = createReader({
      caches: { awsConfiguration: true, awsDescriptions: false },
    });
    await reader.read(env);
    clearAwsCalls();
    await reader.read(env);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
  });

  it('reports a task definition that cannot be described in the workload area, and keeps the others', async () => {
    mockWorkload({
      'shop-api': [taskDefinitionArn('shop-api', 7)],
      storefront: [taskDefinitionArn('storefront', 3)],
    });
    ecs
      .on(DescribeTaskDefinitionCommand, {
        taskDefinition: taskDefinitionArn('shop-api', 7),
      })
      .rejects(accessDenied('ecs:DescribeTaskDefinition'));
    const reader = createReader();
    const snapshot = await reader.read(env);
    expect(snapshot.readErrors).toEqual([
      {
        area: 'workload',
        name: 'AccessDeniedException',
        message: expect.stringContaining(
          `DescribeTaskDefinition ${taskDefinitionArn('shop-api', 7)}: User:`,
        ),
      },
    ]);
    expect(snapshot.services[0].taskDefinitions).toBeUndefined();
    expect(snapshot.services[1].taskDefinitions![0].revision).toBe(3);

    // the failed one is tried again on the next read, the other reused
    clearAwsCalls();
    await reader.read(env);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
  });

  it('describes at most its budget on a read, the part pending until the next reads complete it', async () => {
    mockWorkload({
      'shop-api': [
        taskDefinitionArn('shop-api', 7),
        taskDefinitionArn('shop-api', 6),
      ],
      storefront: [taskDefinitionArn('storefront', 3)],
    });
    const reader = createReader({ taskDefinitionsPerRead: 2 });
    const healthReads: EnvironmentSnapshot[] = [];
    const first = await reader.read(env, {
      onHealthRead: snapshot => healthReads.push(snapshot),
    });
    expect(healthReads[0].pending).toContain('taskDefinitions');
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);
    // the rest of the snapshot is whole: only the task definitions are pending
    expect(first.pending).toEqual(['taskDefinitions']);
    expect(first.readErrors).toEqual([]);
    expect(pendingAreas(first)).toEqual(['workload']);

    clearAwsCalls();
    const second = await reader.read(env);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(second.pending).toBeUndefined();
    expect(
      second.services.map(s => s.taskDefinitions?.map(d => d.revision)),
    ).toEqual([[7, 6], [3]]);

    clearAwsCalls();
    await reader.read(env);
    expect(ecs).not.toHaveReceivedCommand(DescribeTaskDefinitionCommand);
  });

  it('leaves a throttled task definition pending for the next read, never a read error', async () => {
    mockWorkload({
      'shop-api': [taskDefinitionArn('shop-api', 7)],
      storefront: [taskDefinitionArn('storefront', 3)],
    });
    // AWS throttles storefront's once, even after the SDK's retries
    let throttled = false;
    ecs.on(DescribeTaskDefinitionCommand).callsFake(input => {
      if (input.taskDefinition.includes('storefront') && !throttled) {
        throttled = true;
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return {
        taskDefinition: describedTaskDefinition(
          input.taskDefinition,
          '222222222222.dkr.ecr.eu-west-1.amazonaws.com/kler/app:1',
        ),
      };
    });
    const reader = createReader();
    const first = await reader.read(env);
    expect(first.readErrors).toEqual([]);
    expect(first.pending).toEqual(['taskDefinitions']);
    expect(first.services[0].taskDefinitions![0].revision).toBe(7);
    expect(first.services[1].taskDefinitions).toBeUndefined();

    clearAwsCalls();
    const second = await reader.read(env);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(second.readErrors).toEqual([]);
    expect(second.pending).toBeUndefined();
    expect(second.services[1].taskDefinitions![0].revision).toBe(3);
  });

  it('shares the described task definitions by ARN with another replica through the cache, names only', async () => {
    mockWorkload({
      'shop-api': [taskDefinitionArn('shop-api', 7)],
      storefront: [taskDefinitionArn('storefront', 3)],
    });
    const cache = new MapCache();
    await createReader({ sharedCache: cache }).read(env);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);
    expect([...cache.entries.keys()].sort()).toEqual([
      `task-definition:${taskDefinitionArn('shop-api', 7)}`,
      `task-definition:${taskDefinitionArn('storefront', 3)}`,
    ]);
    const cached = JSON.stringify([...cache.entries.values()]);
    // the check can fail: the names are there, the values are not
    expect(cached).toContain('DB_PASSWORD');
    for (const value of SECRET_VALUES) {
      expect(cached).not.toContain(value);
    }

    // another replica starting cold describes none of them
    clearAwsCalls();
    const other = await createReader({ sharedCache: cache }).read(env);
    expect(ecs).not.toHaveReceivedCommand(DescribeTaskDefinitionCommand);
    expect(other.pending).toBeUndefined();
    expect(other.services.map(s => s.taskDefinitions?.[0].revision)).toEqual([
      7, 3,
    ]);

    // nothing shared with the awsDescriptions cache off
    clearAwsCalls();
    await createReader({
      sharedCache: cache,
      caches: { awsConfiguration: true, awsDescriptions: false },
    }).read(env);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);
  });

  it('reads from AWS when the shared cache fails', async () => {
    mockWorkload({ 'shop-api': [taskDefinitionArn('shop-api', 7)] });
    const cache = new MapCache();
    cache.failing = true;
    const snapshot = await createReader({ sharedCache: cache }).read(env);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(snapshot.readErrors).toEqual([]);
    expect(snapshot.services[0].taskDefinitions![0].revision).toBe(7);
  });

  it("keeps the tasks' zones and their containers' images and digests", async () => {
    mockWorkload({ 'shop-api': [taskDefinitionArn('shop-api', 7)] });
    mockCluster({ activeServicesCount: 1, runningTasksCount: 1 });
    ecs.on(ListTasksCommand).callsFake(input => ({
      taskArns: input.desiredStatus === 'RUNNING' ? [taskArn(1)] : [],
    }));
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: taskArn(1),
          group: 'service:shop-api',
          lastStatus: 'RUNNING',
          availabilityZone: 'eu-west-1b',
          taskDefinitionArn: taskDefinitionArn('shop-api', 7),
          containers: [
            {
              name: 'app',
              image: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/kler/app:7',
              imageDigest: `sha256:${'a'.repeat(64)}`,
              lastStatus: 'RUNNING',
            },
          ],
        },
      ],
    });
    const snapshot = await createReader().read(env);
    const [task] = snapshot.services[0].tasks;
    expect(task.availabilityZone).toBe('eu-west-1b');
    expect(task.containers[0]).toMatchObject({
      image: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/kler/app:7',
      imageDigest: `sha256:${'a'.repeat(64)}`,
    });
  });
});

describe('taskDefinitionArnsInUse', () => {
  it('lists the PRIMARY and ACTIVE deployments’ task definitions once each', () => {
    const service = (name: string, deployments: Array<[string, string]>) =>
      ({
        serviceName: name,
        serviceArn: serviceArn(name),
        deployments: deployments.map(([status, taskDefinition]) => ({
          id: `${name}-${status}`,
          status,
          taskDefinition,
        })),
      } as any);
    expect(
      taskDefinitionArnsInUse([
        service('a', [
          ['PRIMARY', 'td/a:2'],
          ['ACTIVE', 'td/a:1'],
          ['INACTIVE', 'td/a:0'],
        ]),
        service('b', [['PRIMARY', 'td/a:2']]),
        service('c', []),
      ]),
    ).toEqual(['td/a:1', 'td/a:2']);
  });
});

describe('parseImageReference', () => {
  it.each([
    [
      '222222222222.dkr.ecr.eu-west-1.amazonaws.com/kler/shop-api:2026.11.5',
      {
        registry: '222222222222.dkr.ecr.eu-west-1.amazonaws.com',
        repository: 'kler/shop-api',
        tag: '2026.11.5',
        ecrAccountId: '222222222222',
      },
    ],
    [
      `111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn/app@sha256:${'b'.repeat(
        64,
      )}`,
      {
        registry: '111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn',
        repository: 'app',
        digest: `sha256:${'b'.repeat(64)}`,
        ecrAccountId: '111111111111',
      },
    ],
    [
      `ghcr.io/kler/tool:v1@sha256:${'c'.repeat(64)}`,
      {
        registry: 'ghcr.io',
        repository: 'kler/tool',
        tag: 'v1',
        digest: `sha256:${'c'.repeat(64)}`,
      },
    ],
    [
      'nginx',
      { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' },
    ],
    [
      'nginx:1.27',
      { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' },
    ],
    [
      'bitnami/redis:7.2',
      { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.2' },
    ],
    [
      'localhost:5000/app',
      { registry: 'localhost:5000', repository: 'app', tag: 'latest' },
    ],
    [
      'registry.internal:5000/team/app:3',
      { registry: 'registry.internal:5000', repository: 'team/app', tag: '3' },
    ],
    [
      'public.ecr.aws/nginx/nginx:latest',
      { registry: 'public.ecr.aws', repository: 'nginx/nginx', tag: 'latest' },
    ],
  ])('%s', (image, expected) => {
    expect(parseImageReference(image)).toEqual({ image, ...expected });
  });
});

describe('secretReference', () => {
  it.each([
    [
      'arn:aws:ssm:eu-west-1:222222222222:parameter/kler/db-password',
      { source: 'ssm', reference: '/kler/db-password' },
    ],
    [
      'arn:aws:ssm:eu-west-1:222222222222:parameter/db-password',
      { source: 'ssm', reference: 'db-password' },
    ],
    ['/kler/db-password', { source: 'ssm', reference: '/kler/db-password' }],
    ['db-password', { source: 'ssm', reference: 'db-password' }],
    [
      'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/stripe-AbCdEf:api_key::',
      {
        source: 'secretsmanager',
        reference:
          'arn:aws:secretsmanager:eu-west-1:222222222222:secret:kler/stripe-AbCdEf:api_key::',
      },
    ],
  ])('%s', (valueFrom, expected) => {
    expect(secretReference('NAME', valueFrom)).toEqual({
      name: 'NAME',
      ...expected,
    });
  });
});
