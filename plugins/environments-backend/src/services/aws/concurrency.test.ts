import { chunk, collectPages, createLimiter } from './concurrency';

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
