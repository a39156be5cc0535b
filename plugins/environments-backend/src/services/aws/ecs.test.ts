import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  accessDenied,
  clearAwsCalls,
  createReader,
  ecs,
  elasticLoadBalancing,
  env,
  minutesAgo,
  mockCluster,
  mockServices,
  pages,
  serviceArn,
  taskArn,
  useAwsMocks,
} from '../../__testUtils__/awsMocks';

useAwsMocks();

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

describe('AwsEnvironmentReader: ECS between configuration reads', () => {
  /** A cluster of `running` running tasks (two per service) and `stopped` stopped ones. */
  function mockTasks(tasks: { running: number[]; stopped: number[] }) {
    ecs.on(ListTasksCommand).callsFake(input => ({
      taskArns: (input.desiredStatus === 'RUNNING'
        ? tasks.running
        : tasks.stopped
      ).map(taskArn),
    }));
    ecs.on(DescribeTasksCommand).callsFake(input => ({
      tasks: (input.tasks as string[]).map(arn => {
        const id = Number(arn.split('/').pop());
        const isStopped = tasks.stopped.includes(id);
        return {
          taskArn: arn,
          group: `service:service-${id % 2}`,
          lastStatus: isStopped ? 'STOPPED' : 'RUNNING',
          stoppedAt: isStopped ? minutesAgo(5) : undefined,
          containers: [],
        };
      }),
    }));
  }

  const describedTasks = () =>
    ecs
      .commandCalls(DescribeTasksCommand)
      .flatMap(call => call.args[0].input.tasks ?? [])
      .map(arn => Number(arn.split('/').pop()))
      .sort((a, b) => a - b);
  const listedStatuses = () =>
    ecs
      .commandCalls(ListTasksCommand)
      .map(call => call.args[0].input.desiredStatus);

  it('describes the known services without listing them while the cluster counts as many', async () => {
    mockServices(['service-0', 'service-1']);
    mockCluster({ activeServicesCount: 2 });
    const reader = createReader();
    const first = await reader.read(env);
    clearAwsCalls();

    const second = await reader.read(env);

    expect(ecs).not.toHaveReceivedCommand(ListServicesCommand);
    expect(ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 1);
    expect(second.services.map(s => s.serviceName)).toEqual(
      first.services.map(s => s.serviceName),
    );
  });

  it('lists the services again when the cluster counts another number, or one is gone', async () => {
    mockServices(['service-0', 'service-1']);
    mockCluster({ activeServicesCount: 2 });
    const reader = createReader();
    await reader.read(env);

    clearAwsCalls();
    mockServices(['service-0', 'service-1', 'service-2']);
    mockCluster({ activeServicesCount: 3 });
    const grown = await reader.read(env);
    expect(ecs).toHaveReceivedCommandTimes(ListServicesCommand, 1);
    expect(grown.services.map(s => s.serviceName)).toEqual([
      'service-0',
      'service-1',
      'service-2',
    ]);

    // service-1 is deleted and service-3 created between two reads: the
    // count is the same, but service-1 comes back INACTIVE.
    clearAwsCalls();
    mockServices(['service-0', 'service-2', 'service-3']);
    ecs.on(DescribeServicesCommand).callsFake(input => ({
      services: (input.services as string[]).map(arn => ({
        serviceArn: arn,
        serviceName: arn.split('/').pop(),
        status: arn.endsWith('/service-1') ? 'INACTIVE' : 'ACTIVE',
      })),
    }));
    const replaced = await reader.read(env);
    expect(ecs).toHaveReceivedCommandTimes(ListServicesCommand, 1);
    expect(replaced.services.map(s => s.serviceName)).toEqual([
      'service-0',
      'service-2',
      'service-3',
    ]);
  });

  it('reuses the running tasks while the cluster counts the same and none stopped, and describes a stopped task once', async () => {
    mockServices(['service-0', 'service-1']);
    mockCluster({ activeServicesCount: 2, runningTasksCount: 4 });
    const tasks = { running: [1, 2, 3, 4], stopped: [9] };
    mockTasks(tasks);
    const reader = createReader();
    const first = await reader.read(env);
    expect(describedTasks()).toEqual([1, 2, 3, 4, 9]);

    clearAwsCalls();
    const second = await reader.read(env);
    // Only the stopped tasks are listed; nothing is described again.
    expect(listedStatuses()).toEqual(['STOPPED']);
    expect(describedTasks()).toEqual([]);
    expect(second.services.map(s => s.tasks.map(t => t.taskArn))).toEqual(
      first.services.map(s => s.tasks.map(t => t.taskArn)),
    );

    // Task 4 stops and task 5 replaces it: the counts are the same, but a
    // task stopped.
    clearAwsCalls();
    tasks.running = [1, 2, 3, 5];
    tasks.stopped = [9, 4];
    const third = await reader.read(env);
    expect(listedStatuses().sort()).toEqual(['RUNNING', 'STOPPED']);
    expect(describedTasks()).toEqual([4, 5]);
    const service0 = third.services.find(s => s.serviceName === 'service-0')!;
    expect(
      service0.tasks.map(t => [
        Number(t.taskArn.split('/').pop()),
        t.lastStatus,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [2, 'RUNNING'],
        [4, 'STOPPED'],
      ]),
    );

    // A task started: the cluster counts one more.
    clearAwsCalls();
    tasks.running = [1, 2, 3, 5, 6];
    mockCluster({ activeServicesCount: 2, runningTasksCount: 5 });
    await reader.read(env);
    expect(listedStatuses().sort()).toEqual(['RUNNING', 'STOPPED']);
    expect(describedTasks()).toEqual([6]);
  });

  it('lists and describes every running task again once the configuration is due', async () => {
    mockServices(['service-0', 'service-1']);
    mockCluster({ activeServicesCount: 2, runningTasksCount: 2 });
    mockTasks({ running: [1, 2], stopped: [] });
    let now = new Date('2026-11-26T12:00:00.000Z');
    const reader = createReader({
      now: () => now,
      configurationMaxAgeMs: 60_000,
    });
    await reader.read(env);

    clearAwsCalls();
    now = new Date(now.getTime() + 60_000);
    await reader.read(env);

    expect(ecs).toHaveReceivedCommandTimes(ListServicesCommand, 1);
    expect(listedStatuses().sort()).toEqual(['RUNNING', 'STOPPED']);
    expect(describedTasks()).toEqual([1, 2]);
  });
});
