import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  paginateListServices,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import {
  CloudWatchClient,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch';
import { generateScenario } from './scenario/generate';
import { RunningSandbox, startSandbox } from './server';
import { clientConfig } from './testUtils';

// a benchmark: reading 10,000 tasks takes seconds on this machine's 2 cores
jest.setTimeout(120_000);

describe('a generated scenario of 10,000 tasks', () => {
  let sandbox: RunningSandbox;
  const scenario = generateScenario({
    environments: 2,
    servicesPerEnvironment: 1000,
    tasksPerService: 5,
  });
  const account = scenario.accounts[0].id;
  const cluster = scenario.environments![0].cluster;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario,
      clock: { start: '2026-11-26T12:00:00Z', speed: 0 },
    });
    sandbox.admin.setThrottling({ enabled: false });
  });
  afterAll(() => sandbox.close());

  it('follows every token to all services and tasks of one environment', async () => {
    const ecs = new ECSClient(clientConfig(sandbox.url, account));
    const started = Date.now();
    const serviceArns: string[] = [];
    for await (const page of paginateListServices(
      { client: ecs },
      { cluster, maxResults: 100 },
    )) {
      expect(page.serviceArns!.length).toBeLessThanOrEqual(100);
      serviceArns.push(...page.serviceArns!);
    }
    expect(new Set(serviceArns).size).toBe(1000);
    const taskArns: string[] = [];
    for await (const page of paginateListTasks(
      { client: ecs },
      { cluster, maxResults: 100 },
    )) {
      taskArns.push(...page.taskArns!);
    }
    expect(new Set(taskArns).size).toBe(5000);
    let described = 0;
    for (let i = 0; i < taskArns.length; i += 100) {
      const out = await ecs.send(
        new DescribeTasksCommand({
          cluster,
          tasks: taskArns.slice(i, i + 100),
        }),
      );
      described += out.tasks!.length;
    }
    expect(described).toBe(5000);
    let running = 0;
    let pending = 0;
    for (let i = 0; i < serviceArns.length; i += 10) {
      const out = await ecs.send(
        new DescribeServicesCommand({
          cluster,
          services: serviceArns.slice(i, i + 10),
        }),
      );
      running += out.services!.reduce((n, s) => n + s.runningCount!, 0);
      pending += out.services!.reduce((n, s) => n + s.pendingCount!, 0);
    }
    // a task that is just starting counts as pending
    expect(running + pending).toBe(5000);
    // eslint-disable-next-line no-console
    console.info(
      `read 1000 services and 5000 tasks in ${Date.now() - started} ms`,
    );
  });

  it('pages alarms 100 at a time', async () => {
    const cloudWatch = new CloudWatchClient(clientConfig(sandbox.url, account));
    const started = Date.now();
    let count = 0;
    for await (const page of paginateDescribeAlarms(
      { client: cloudWatch, pageSize: 100 },
      {},
    )) {
      count += page.MetricAlarms!.length;
    }
    expect(count).toBe(1000);
    // eslint-disable-next-line no-console
    console.info(`read 1000 alarms in ${Date.now() - started} ms`);
  });
});
