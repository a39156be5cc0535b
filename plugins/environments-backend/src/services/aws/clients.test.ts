import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { AwsEnvironmentReader } from './AwsEnvironmentReader';
import { PlainJsonReadsProtocol, createAwsClientsFactory } from './clients';
import { isoTime } from './time';
import { AwsEnvironment } from './types';

/**
 * A fake ECS endpoint (JSON 1.1 protocol) that throttles the first
 * `throttledCalls` DescribeClusters calls; every other AWS API is denied.
 */
async function startFakeEcs(throttledCalls: number) {
  const received: Array<{ target: string; authorization: string }> = [];
  let describeClustersCalls = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      received.push({
        target,
        authorization: String(req.headers.authorization ?? ''),
      });
      const reply = (status: number, body: object, errorType?: string) => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(JSON.stringify(body));
      };
      const action = target.startsWith('AmazonEC2ContainerServiceV20141113.')
        ? target.split('.')[1]
        : undefined;
      switch (action) {
        case 'DescribeClusters':
          describeClustersCalls += 1;
          if (describeClustersCalls <= throttledCalls) {
            reply(
              400,
              { __type: 'ThrottlingException', message: 'Rate exceeded' },
              'ThrottlingException',
            );
            return;
          }
          reply(200, {
            clusters: [
              {
                clusterName: 'kler-development',
                clusterArn:
                  'arn:aws:ecs:eu-west-1:111111111111:cluster/kler-development',
                status: 'ACTIVE',
                capacityProviders: ['FARGATE'],
              },
            ],
            failures: [],
          });
          return;
        case 'ListServices':
          reply(200, { serviceArns: [] });
          return;
        case 'ListTasks':
          reply(200, { taskArns: [] });
          return;
        default:
          reply(
            403,
            { __type: 'AccessDeniedException', message: 'denied' },
            'AccessDeniedException',
          );
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    describeClustersCalls: () => describeClustersCalls,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

const credentialsManager = DefaultAwsCredentialsManager.fromConfig(
  new ConfigReader({
    aws: {
      accounts: [
        {
          accountId: '111111111111',
          accessKeyId: 'SANDBOX111111111111',
          secretAccessKey: 'sandbox',
        },
      ],
    },
  }),
);

function environmentAt(endpoint: string): AwsEnvironment {
  return {
    name: 'development',
    tier: 'development',
    accountId: '111111111111',
    region: 'eu-west-1',
    cluster: 'kler-development',
    endpoint,
  };
}

describe('createAwsClientsFactory', () => {
  let fake: Awaited<ReturnType<typeof startFakeEcs>>;

  afterEach(async () => {
    await fake?.close();
  });

  it('lets the SDK retry throttled calls, with the account credentials of aws.accounts', async () => {
    fake = await startFakeEcs(2);
    const factory = createAwsClientsFactory({
      credentialsManager,
      maxAttempts: 4,
      retryMode: 'standard',
      timeoutMs: 5000,
    });
    const clients = await factory(environmentAt(fake.endpoint));

    const output = await clients.ecs.send(
      new DescribeClustersCommand({ clusters: ['kler-development'] }),
    );

    expect(output.clusters?.[0].clusterName).toBe('kler-development');
    expect(fake.describeClustersCalls()).toBe(3);
    expect(fake.received[0].authorization).toContain(
      'Credential=SANDBOX111111111111/',
    );
    expect(fake.received[0].authorization).toContain('/eu-west-1/ecs/');
  });

  it('gives up after maxAttempts', async () => {
    fake = await startFakeEcs(5);
    const factory = createAwsClientsFactory({
      credentialsManager,
      maxAttempts: 2,
      retryMode: 'standard',
      timeoutMs: 5000,
    });
    const clients = await factory(environmentAt(fake.endpoint));

    await expect(
      clients.ecs.send(
        new DescribeClustersCommand({ clusters: ['kler-development'] }),
      ),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(fake.describeClustersCalls()).toBe(2);
  });

  it('reuses the clients of one account, region and endpoint', async () => {
    const factory = createAwsClientsFactory({
      credentialsManager,
      maxAttempts: 1,
      retryMode: 'standard',
      timeoutMs: 5000,
    });
    const env = environmentAt('http://127.0.0.1:1');
    expect(await factory(env)).toBe(await factory({ ...env, name: 'other' }));
    expect(await factory(env)).not.toBe(
      await factory({ ...env, region: 'eu-central-1' }),
    );
  });

  it('reads a throttled environment through the reader, other areas failing alone', async () => {
    fake = await startFakeEcs(1);
    const reader = new AwsEnvironmentReader({
      limits: { concurrency: 4, callsPerSecond: 20, burst: 40 },
      clientsFactory: createAwsClientsFactory({
        credentialsManager,
        maxAttempts: 3,
        retryMode: 'adaptive',
        timeoutMs: 5000,
      }),
    });

    const snapshot = await reader.read(environmentAt(fake.endpoint));

    expect(snapshot.cluster?.clusterName).toBe('kler-development');
    expect(snapshot.services).toEqual([]);
    expect(snapshot.environment).not.toHaveProperty('endpoint');
    expect(snapshot.readErrors.map(e => e.area).sort()).toEqual([
      'backup',
      'health',
      'scaling',
    ]);
  });
});

describe('PlainJsonReadsProtocol', () => {
  const services = {
    services: [
      {
        serviceArn:
          'arn:aws:ecs:eu-west-1:111111111111:service/kler-development/shop-api',
        serviceName: 'shop-api',
        status: 'ACTIVE',
        desiredCount: 2,
        runningCount: 1,
        pendingCount: 1,
        createdAt: 1764000000.123,
        loadBalancers: [{ targetGroupArn: 'arn:tg', containerPort: 8080 }],
        deployments: [
          {
            id: 'ecs-svc/1',
            status: 'PRIMARY',
            rolloutState: 'IN_PROGRESS',
            taskDefinition: 'shop-api:3',
            desiredCount: 2,
            runningCount: 1,
            pendingCount: 1,
            failedTasks: 0,
            createdAt: 1764000100,
            updatedAt: 1764000200.5,
          },
        ],
        events: [{ id: 'e1', createdAt: 1764000300, message: 'steady' }],
      },
    ],
    failures: [],
  };

  async function startFakeEndpoint() {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(services));
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      close: () => new Promise(resolve => server.close(resolve)),
    };
  }

  it("gives the SDK's output of a hot read, with timestamps as epoch seconds", async () => {
    const fakeEndpoint = await startFakeEndpoint();
    try {
      const config = {
        region: 'eu-west-1',
        endpoint: fakeEndpoint.endpoint,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      };
      const command = () =>
        new DescribeServicesCommand({
          cluster: 'kler-development',
          services: ['shop-api'],
        });
      const { $metadata: _sdkMetadata, ...sdk } = await new ECSClient(
        config,
      ).send(command());
      const { $metadata: metadata, ...plain } = await new ECSClient({
        ...config,
        protocol: PlainJsonReadsProtocol,
      }).send(command());

      expect(metadata.httpStatusCode).toBe(200);
      // Dates as epoch seconds, what AWS JSON 1.1 sends.
      const asEpochSeconds = JSON.parse(
        JSON.stringify(sdk, function replacer(key, value) {
          const original = (this as Record<string, unknown>)[key];
          return original instanceof Date ? original.getTime() / 1000 : value;
        }),
      );
      expect(plain).toEqual(asEpochSeconds);
      expect(isoTime(plain.services![0].createdAt)).toBe(
        isoTime(sdk.services![0].createdAt),
      );
    } finally {
      await fakeEndpoint.close();
    }
  });
});
