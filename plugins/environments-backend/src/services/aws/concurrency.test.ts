import { DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  chargeRetries,
  chunk,
  collectPages,
  createLimiter,
} from './concurrency';

const UNLIMITED_RATE = { callsPerSecond: 1_000_000, burst: 1_000_000 };

describe('createLimiter', () => {
  afterEach(() => jest.useRealTimers());

  it('runs at most `concurrency` calls of an operation at once, in order, and keeps going after failures', async () => {
    const limit = createLimiter({ concurrency: 2, ...UNLIMITED_RATE });
    let active = 0;
    let maxActive = 0;
    const started: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 7 }, (_, i) =>
        limit('DescribeServices', async () => {
          started.push(i);
          active += 1;
          maxActive = Math.max(maxActive, active);
          await new Promise(resolve => setTimeout(resolve, 2));
          active -= 1;
          if (i === 3) {
            throw new Error('boom');
          }
          return i;
        }),
      ),
    );
    expect(maxActive).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(6);
  });

  it('queues each operation apart: a long run of one never holds up another', async () => {
    const limit = createLimiter({ concurrency: 1, ...UNLIMITED_RATE });
    const order: string[] = [];
    let releaseFirst: () => void = () => {};
    const first = limit(
      'DescribeTargetHealth',
      () =>
        new Promise<void>(resolve => {
          order.push('DescribeTargetHealth 1');
          releaseFirst = resolve;
        }),
    );
    const queued = limit('DescribeTargetHealth', async () => {
      order.push('DescribeTargetHealth 2');
    });
    await limit('ListTasks', async () => {
      order.push('ListTasks');
    });
    expect(order).toEqual(['DescribeTargetHealth 1', 'ListTasks']);
    releaseFirst();
    await Promise.all([first, queued]);
    expect(order).toEqual([
      'DescribeTargetHealth 1',
      'ListTasks',
      'DescribeTargetHealth 2',
    ]);
  });

  it('starts a burst at once, then no more than `callsPerSecond`', async () => {
    jest.useFakeTimers();
    const limit = createLimiter({
      concurrency: 100,
      callsPerSecond: 10,
      burst: 3,
      now: () => Date.now(),
    });
    const startedAt: number[] = [];
    const t0 = Date.now();
    const calls = Array.from({ length: 6 }, () =>
      limit('ListServices', async () => {
        startedAt.push(Date.now() - t0);
      }),
    );
    await jest.advanceTimersByTimeAsync(1000);
    await Promise.all(calls);
    // Three at once from the burst, then one every 100 ms.
    expect(startedAt).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('counts a charged call against the bucket, so the next calls wait the longer', async () => {
    jest.useFakeTimers();
    const limit = createLimiter({
      concurrency: 100,
      callsPerSecond: 10,
      burst: 2,
      now: () => Date.now(),
    });
    const startedAt: number[] = [];
    const t0 = Date.now();
    const call = () =>
      limit('DescribeServices', async () => {
        startedAt.push(Date.now() - t0);
      });
    await call();
    // A retry AWS counted: the bucket's second token, and one more, owed.
    limit.charge('DescribeServices');
    limit.charge('DescribeServices');
    const next = call();
    await jest.advanceTimersByTimeAsync(1000);
    await next;
    // Without the charges it would have started at once.
    expect(startedAt).toEqual([0, 200]);
  });

  it('drops a waiting call whose read was aborted, without using up a token', async () => {
    jest.useFakeTimers();
    const limit = createLimiter({
      concurrency: 10,
      callsPerSecond: 10,
      burst: 1,
      now: () => Date.now(),
    });
    const ran: string[] = [];
    const aborted = new AbortController();
    await limit('DescribeServices', async () => {
      ran.push('first');
    });
    const dropped = limit(
      'DescribeServices',
      async () => {
        ran.push('aborted read');
      },
      aborted.signal,
    );
    const next = limit('DescribeServices', async () => {
      ran.push('next read');
    });
    aborted.abort(new Error('refresh timed out'));
    await expect(dropped).rejects.toThrow('refresh timed out');
    // The one token due after 100 ms goes to the next read's call.
    await jest.advanceTimersByTimeAsync(100);
    await next;
    expect(ran).toEqual(['first', 'next read']);
  });

  it('refuses limits that are not positive', () => {
    expect(() => createLimiter({ concurrency: 0, ...UNLIMITED_RATE })).toThrow(
      'Concurrency limit must be a positive integer, got 0',
    );
    expect(() =>
      createLimiter({ concurrency: 1, callsPerSecond: -1, burst: 1 }),
    ).toThrow('Calls per second must be a positive number, got -1');
    expect(() =>
      createLimiter({ concurrency: 1, callsPerSecond: 1, burst: 0.5 }),
    ).toThrow('Burst must be a positive integer, got 0.5');
  });
});

describe('chunk', () => {
  it('splits into batches of the given size', () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    expect(chunk(items, 10).map(batch => batch.length)).toEqual([10, 10, 5]);
    expect(chunk([], 10)).toEqual([]);
  });
});

describe('collectPages', () => {
  it('follows tokens until there is none, treating an empty token as the end', async () => {
    const fetchPage = jest.fn(async (token: string | undefined) => {
      if (!token) {
        return { items: [1, 2], nextToken: 'b' };
      }
      if (token === 'b') {
        return { items: undefined, nextToken: 'c' };
      }
      return { items: [3], nextToken: '' };
    });
    expect(await collectPages(fetchPage)).toEqual([1, 2, 3]);
    expect(fetchPage.mock.calls.map(call => call[0])).toEqual([
      undefined,
      'b',
      'c',
    ]);
  });
});

describe('chargeRetries', () => {
  it("charges the limiter with each retry the SDK makes, by the command's operation", async () => {
    // An ECS endpoint that fails the first attempt of each call (a 500 the
    // SDK retries) and answers the second.
    let attempts = 0;
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        attempts += 1;
        response.setHeader('content-type', 'application/x-amz-json-1.1');
        if (attempts % 2 === 1) {
          response.statusCode = 500;
          response.end(
            JSON.stringify({ __type: 'ServerException', message: 'try again' }),
          );
          return;
        }
        response.end(JSON.stringify({ clusters: [], failures: [] }));
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const client = new ECSClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 3,
    });
    const limiter = createLimiter({ concurrency: 4, ...UNLIMITED_RATE });
    const charge = jest.spyOn(limiter, 'charge');
    try {
      chargeRetries([client], limiter);
      await limiter('DescribeClusters', () =>
        client.send(new DescribeClustersCommand({ clusters: ['kler'] })),
      );
      await limiter('DescribeClusters', () =>
        client.send(new DescribeClustersCommand({ clusters: ['kler'] })),
      );
      expect(attempts).toBe(4);
      // The first attempt of each call was the limiter's; each retry is charged.
      expect(charge.mock.calls).toEqual([
        ['DescribeClusters'],
        ['DescribeClusters'],
      ]);
    } finally {
      client.destroy();
      await new Promise(resolve => server.close(resolve));
    }
  });
});
