import {
  CreateClusterCommand,
  ECSClient,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import { BackupClient, ListBackupVaultsCommand } from '@aws-sdk/client-backup';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { loadScenarioFile } from './scenario/load';
import { RunningSandbox, startSandbox } from './server';
import {
  clientConfig,
  DEVELOPMENT,
  KLER_SCENARIO,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from './testUtils';

const listServices = (cluster = 'kler-production') =>
  new ListServicesCommand({ cluster });

describe('faults', () => {
  let sandbox: RunningSandbox;
  let ecs: ECSClient;
  let sts: STSClient;

  beforeAll(async () => {
    sandbox = await startKlerSandbox();
    ecs = new ECSClient(clientConfig(sandbox.url, PRODUCTION));
    sts = new STSClient(clientConfig(sandbox.url, PRODUCTION));
  });
  afterAll(() => sandbox.close());
  afterEach(() => sandbox.admin.reset());

  it('throttles with ThrottlingException (json) and Throttling (query), HTTP 400', async () => {
    sandbox.admin.setFaults([{ throttle: { ratePerSecond: 0, burst: 0 } }]);
    const error = await ecs.send(listServices()).catch(e => e);
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    const queryError = await sts
      .send(new GetCallerIdentityCommand({}))
      .catch(e => e);
    expect(queryError.name).toBe('Throttling');
    expect(queryError.$metadata.httpStatusCode).toBe(400);
  });

  it("lets the SDK's retry ride out throttling", async () => {
    sandbox.admin.setFaults([
      { service: 'ecs', throttle: { ratePerSecond: 0, burst: 0 }, count: 2 },
    ]);
    const retrying = new ECSClient(
      clientConfig(sandbox.url, PRODUCTION, { maxAttempts: 3 }),
    );
    const out = await retrying.send(listServices());
    expect(out.serviceArns).toHaveLength(5);
    expect(out.$metadata.attempts).toBe(3);
  });

  it('applies the default per-operation limit, and can switch it off', async () => {
    sandbox.admin.setThrottling({ enabled: true, ratePerSecond: 1, burst: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => ecs.send(listServices())),
    );
    const throttled = results.filter(
      r =>
        r.status === 'rejected' &&
        (r.reason as Error).name === 'ThrottlingException',
    );
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    sandbox.admin.setThrottling({ enabled: false });
    const again = await Promise.allSettled(
      Array.from({ length: 8 }, () => ecs.send(listServices())),
    );
    expect(again.every(r => r.status === 'fulfilled')).toBe(true);
  });

  it('denies access as each protocol does', async () => {
    sandbox.admin.setFaults([{ accessDenied: true }]);
    await expect(ecs.send(listServices())).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      sts.send(new GetCallerIdentityCommand({})),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('answers 503 ServiceUnavailable and 500 InternalFailure', async () => {
    sandbox.admin.setFaults([
      { service: 'ecs', serverError: 503 },
      { service: 'sts', serverError: 500 },
    ]);
    await expect(ecs.send(listServices())).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503 },
    });
    await expect(
      sts.send(new GetCallerIdentityCommand({})),
    ).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
  });

  it('matches faults by environment, account and operation', async () => {
    sandbox.admin.setFaults([
      { environment: 'development', accessDenied: true },
      { account: PRODUCTION, operation: 'GetCallerIdentity', serverError: 503 },
    ]);
    const development = new ECSClient(clientConfig(sandbox.url, DEVELOPMENT));
    await expect(
      development.send(listServices('kler-development')),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(ecs.send(listServices())).resolves.toMatchObject({
      serviceArns: expect.any(Array),
    });
    await expect(
      sts.send(new GetCallerIdentityCommand({})),
    ).rejects.toMatchObject({ name: 'ServiceUnavailable' });
  });

  it('throttles, delays and fails DescribeTargetGroups and GetMetricData like every operation', async () => {
    const elb = new ElasticLoadBalancingV2Client(
      clientConfig(sandbox.url, PRODUCTION),
    );
    const cloudWatch = new CloudWatchClient(
      clientConfig(sandbox.url, PRODUCTION),
    );
    const describeTargetGroups = () =>
      elb.send(new DescribeTargetGroupsCommand({}));
    const getMetricData = () =>
      cloudWatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: [],
          StartTime: new Date(Date.parse(PEAK) - 300_000),
          EndTime: new Date(PEAK),
        }),
      );
    // the default per-operation limit counts each operation on its own
    sandbox.admin.setThrottling({
      enabled: true,
      ratePerSecond: 0.01,
      burst: 2,
    });
    for (const call of [describeTargetGroups, getMetricData]) {
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => call()),
      );
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(2);
      expect(
        results.map(r => r.status === 'rejected' && r.reason.name),
      ).toContain('Throttling');
    }
    sandbox.admin.setThrottling({ enabled: false });
    sandbox.admin.setFaults([
      { operation: 'GetMetricData', latencyMs: 300 },
      { operation: 'DescribeTargetGroups', serverError: 503 },
    ]);
    const started = Date.now();
    await expect(getMetricData()).resolves.toMatchObject({
      MetricDataResults: [],
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await expect(describeTargetGroups()).rejects.toMatchObject({
      name: 'ServiceUnavailable',
      $metadata: { httpStatusCode: 503 },
    });
    sandbox.admin.setFaults([{ service: 'elbv2', accessDenied: true }]);
    await expect(describeTargetGroups()).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('adds latency', async () => {
    sandbox.admin.setFaults([{ service: 'ecs', latencyMs: 300 }]);
    const started = Date.now();
    await ecs.send(listServices());
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('holds the connection for a timeout, then drops it', async () => {
    sandbox.admin.setFaults([{ service: 'ecs', timeoutMs: 200 }]);
    const started = Date.now();
    const error = await ecs.send(listServices()).catch(e => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('holds the connection forever until the client gives up', async () => {
    sandbox.admin.setFaults([{ service: 'ecs', timeoutMs: null }]);
    const impatient = new ECSClient(
      clientConfig(sandbox.url, PRODUCTION, {
        requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
      }),
    );
    const error = await impatient.send(listServices()).catch(e => e);
    expect(error.name).toBe('TimeoutError');
  });

  it('answers unknown operations as AWS does', async () => {
    await expect(
      ecs.send(new CreateClusterCommand({ clusterName: 'x' })),
    ).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      sts.send(new GetSessionTokenCommand({})),
    ).rejects.toMatchObject({
      name: 'InvalidAction',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers unknown REST and query-compatible JSON operations as AWS does', async () => {
    const backup = new BackupClient(clientConfig(sandbox.url, PRODUCTION));
    await expect(
      backup.send(new ListBackupVaultsCommand({})),
    ).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 404 },
    });
    const cloudWatch = new CloudWatchClient(
      clientConfig(sandbox.url, PRODUCTION),
    );
    await expect(
      cloudWatch.send(new ListMetricsCommand({})),
    ).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('starts with the faults the scenario declares', async () => {
    const scenario = loadScenarioFile(KLER_SCENARIO);
    const faulty = await startSandbox({
      scenario: {
        ...scenario,
        faults: [
          { environment: 'production', service: 'ecs', serverError: 503 },
        ],
      },
      clock: { start: PEAK, speed: 0 },
    });
    try {
      const production = new ECSClient(clientConfig(faulty.url, PRODUCTION));
      await expect(production.send(listServices())).rejects.toMatchObject({
        name: 'ServiceUnavailable',
        $metadata: { httpStatusCode: 503 },
      });
      const development = new ECSClient(clientConfig(faulty.url, DEVELOPMENT));
      await expect(
        development.send(listServices('kler-development')),
      ).resolves.toMatchObject({ serviceArns: expect.any(Array) });
    } finally {
      await faulty.close();
    }
  });
});
