import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { Worker } from 'node:worker_threads';
import { ListingAttempts, ListingThread } from './listingThread';
import { readScalingPolicies } from './scaling';
import { AwsClients } from './types';

/**
 * A fake Application Auto Scaling endpoint on a thread of its own, so that it
 * answers while the test's main thread is busy. It serves `pages` pages of one
 * policy each, `delayMs` after each request, and records when each request
 * came and with which access key.
 */
const SERVER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { pages, delayMs, throttleRequest, deny } = workerData;
const requests = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    const accessKey = /Credential=([^/]+)\\//.exec(req.headers.authorization || '')?.[1];
    requests.push({ at, accessKey, target: req.headers['x-amz-target'], token: body.NextToken });
    const send = (status, payload, type) => setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) });
      res.end(JSON.stringify(payload));
    }, delayMs);
    if (deny) return send(400, { __type: 'AccessDeniedException', message: 'not allowed here' }, 'AccessDeniedException');
    if (requests.length === throttleRequest) return send(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, 'ThrottlingException');
    const index = body.NextToken ? Number(body.NextToken) : 0;
    send(200, {
      ScalingPolicies: [{
        PolicyName: 'cpu-target',
        PolicyARN: 'arn:aws:autoscaling:eu-west-1:111111111111:scalingPolicy:p' + index,
        ServiceNamespace: 'ecs',
        ResourceId: 'service/cluster/service-' + index,
        ScalableDimension: 'ecs:service:DesiredCount',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 60 },
        CreationTime: 1764547200,
      }],
      NextToken: index + 1 < pages ? String(index + 1) : undefined,
    });
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', () => parentPort.postMessage({ requests }));
`;

interface FakeRequest {
  at: number;
  accessKey?: string;
  target?: string;
  token?: string;
}

async function startFakeEndpoint(options: {
  pages: number;
  delayMs: number;
  throttleRequest?: number;
  deny?: boolean;
}) {
  const worker = new Worker(SERVER_SOURCE, { eval: true, workerData: options });
  const { port } = await new Promise<{ port: number }>(resolve =>
    worker.once('message', resolve),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () =>
      new Promise<FakeRequest[]>(resolve => {
        worker.once('message', message => resolve(message.requests));
        worker.postMessage('requests');
      }),
    stop: () => worker.terminate(),
  };
}

function clientOf(url: string) {
  return new ApplicationAutoScalingClient({
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIALISTING', secretAccessKey: 'secret' },
    maxAttempts: 3,
  });
}

/** Blocks the main thread, as a cold refresh parsing thousands of tasks does. */
function busyFor(ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // parse, parse, parse
  }
}

async function waitForRequests(
  endpoint: { requests: () => Promise<FakeRequest[]> },
  count: number,
) {
  for (;;) {
    if ((await endpoint.requests()).length >= count) return;
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

describe('ListingThread', () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    while (stops.length) await stops.pop()!();
  });

  const start = (
    options: Partial<ConstructorParameters<typeof ListingThread>[0]> = {},
  ) => {
    const attempts: ListingAttempts[] = [];
    const thread = new ListingThread({
      callsPerSecond: 1000,
      burst: 1000,
      timeoutMs: 5000,
      onAttempts: (operation, counted) => {
        expect(operation).toBe('DescribeScalingPolicies');
        attempts.push(counted);
      },
      ...options,
    });
    stops.push(() => thread.close());
    return { thread, attempts };
  };

  const fake = async (options: Parameters<typeof startFakeEndpoint>[0]) => {
    const endpoint = await startFakeEndpoint(options);
    stops.push(endpoint.stop);
    return endpoint;
  };

  it('lists every page with the main thread client settings and counts the attempts', async () => {
    const endpoint = await fake({ pages: 12, delayMs: 0 });
    const { thread, attempts } = start();

    const policies = await thread.listScalingPolicies(
      clientOf(endpoint.url),
      'account|eu-west-1|',
    );

    expect(policies.map(p => p.ResourceId)).toEqual(
      Array.from({ length: 12 }, (_, i) => `service/cluster/service-${i}`),
    );
    expect(policies[0].CreationTime).toEqual(new Date(1764547200 * 1000));
    const requests = await endpoint.requests();
    expect(requests.map(r => r.token)).toEqual([
      undefined,
      ...Array.from({ length: 11 }, (_, i) => String(i + 1)),
    ]);
    expect(new Set(requests.map(r => r.accessKey))).toEqual(
      new Set(['AKIALISTING']),
    );
    expect(requests[0].target).toBe(
      'AnyScaleFrontendService.DescribeScalingPolicies',
    );
    expect(attempts).toEqual([{ success: 12, throttled: 0, error: 0 }]);
  });

  it('keeps asking for pages while the main thread is busy, which the main thread cannot', async () => {
    const busyMs = 600;
    const duringBusy = async (list: (url: string) => Promise<unknown>) => {
      const endpoint = await fake({ pages: 60, delayMs: 10 });
      const listed = list(endpoint.url);
      await waitForRequests(endpoint, 1);
      const from = Date.now();
      busyFor(busyMs);
      const to = Date.now();
      await listed;
      const requests = await endpoint.requests();
      return requests.filter(r => r.at > from + 20 && r.at < to).length;
    };
    const { thread } = start();

    const onTheThread = await duringBusy(url =>
      thread.listScalingPolicies(clientOf(url), 'k'),
    );
    const onTheMainThread = await duringBusy(url =>
      readScalingPolicies({
        env: {
          name: 'busy',
          tier: 'development',
          accountId: 'a',
          region: 'eu-west-1',
          cluster: 'cluster',
        },
        clients: {
          applicationAutoScaling: clientOf(url),
        } as AwsClients,
        limit: (_operation, task) => task(),
        sendOptions: {},
        now: new Date(),
      }),
    );

    // Pages of 10 ms: some 50 fit in 600 ms on a thread of its own; on the
    // busy main thread not one next page leaves.
    expect(onTheThread).toBeGreaterThanOrEqual(10);
    expect(onTheMainThread).toBe(0);
  });

  it('counts a throttled attempt that the SDK retried', async () => {
    const endpoint = await fake({ pages: 3, delayMs: 0, throttleRequest: 2 });
    const { thread, attempts } = start();

    const policies = await thread.listScalingPolicies(
      clientOf(endpoint.url),
      'k',
    );

    expect(policies).toHaveLength(3);
    expect(attempts).toEqual([{ success: 3, throttled: 1, error: 0 }]);
  });

  it('fails with the AWS error, by name, and counts it', async () => {
    const endpoint = await fake({ pages: 3, delayMs: 0, deny: true });
    const { thread, attempts } = start();

    await expect(
      thread.listScalingPolicies(clientOf(endpoint.url), 'k'),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'not allowed here',
      $metadata: { httpStatusCode: 400 },
    });
    expect(attempts).toEqual([{ success: 0, throttled: 0, error: 1 }]);
  });

  it('stops calling when the read is aborted', async () => {
    const endpoint = await fake({ pages: 1000, delayMs: 5 });
    const { thread } = start();
    const controller = new AbortController();

    const listed = thread.listScalingPolicies(
      clientOf(endpoint.url),
      'k',
      controller.signal,
    );
    await waitForRequests(endpoint, 3);
    controller.abort();
    await expect(listed).rejects.toThrow();
    const atAbort = (await endpoint.requests()).length;
    await new Promise(resolve => setTimeout(resolve, 200));

    expect((await endpoint.requests()).length).toBeLessThanOrEqual(atAbort + 1);
    expect(atAbort).toBeLessThan(1000);
  });

  it('keeps to the limiter rate: past the burst, one call per token', async () => {
    const endpoint = await fake({ pages: 8, delayMs: 0 });
    const { thread } = start({ callsPerSecond: 10, burst: 3 });

    const started = Date.now();
    await thread.listScalingPolicies(clientOf(endpoint.url), 'k');

    // Three at once, then five at 10 a second: 0.5 s at the least.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('stops the thread once idle, and starts it again for the next listing', async () => {
    const endpoint = await fake({ pages: 2, delayMs: 0 });
    const { thread } = start({ idleMs: 100 });

    await thread.listScalingPolicies(clientOf(endpoint.url), 'k');
    expect(thread.running).toBe(true);
    await new Promise(resolve => setTimeout(resolve, 400));
    expect(thread.running).toBe(false);

    await expect(
      thread.listScalingPolicies(clientOf(endpoint.url), 'k'),
    ).resolves.toHaveLength(2);
  });

  it('keeps the thread while a listing runs, however long', async () => {
    const endpoint = await fake({ pages: 30, delayMs: 20 });
    const { thread } = start({ idleMs: 50 });

    await thread.listScalingPolicies(clientOf(endpoint.url), 'k');
    const long = thread.listScalingPolicies(clientOf(endpoint.url), 'k');
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(thread.running).toBe(true);
    await expect(long).resolves.toHaveLength(30);
  });

  it('starts a new thread after close', async () => {
    const endpoint = await fake({ pages: 2, delayMs: 0 });
    const { thread } = start();

    await thread.listScalingPolicies(clientOf(endpoint.url), 'k');
    await thread.close();

    await expect(
      thread.listScalingPolicies(clientOf(endpoint.url), 'k'),
    ).resolves.toHaveLength(2);
  });
});
