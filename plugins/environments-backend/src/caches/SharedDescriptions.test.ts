import { mockServices } from '@backstage/backend-test-utils';
import { SharedDescriptions } from './SharedDescriptions';

describe('SharedDescriptions', () => {
  it('shares a description by key, and writes again what is in use once half its lifetime passed', async () => {
    const cache = mockServices.cache.mock();
    let now = 0;
    const shared = new SharedDescriptions<{ revision: number }>({
      cache,
      prefix: 'task-definition',
      ttlMs: 1000,
      now: () => now,
    });
    await shared.set('arn:7', { revision: 7 });
    expect(cache.set).toHaveBeenCalledWith(
      'task-definition:arn:7',
      { revision: 7 },
      { ttl: 1000 },
    );

    cache.set.mockClear();
    now = 400;
    await shared.keepAlive(new Map([['arn:7', { revision: 7 }]]), ['arn:7']);
    expect(cache.set).not.toHaveBeenCalled();

    now = 500;
    await shared.keepAlive(new Map([['arn:7', { revision: 7 }]]), ['arn:7']);
    expect(cache.set).toHaveBeenCalledWith(
      'task-definition:arn:7',
      { revision: 7 },
      { ttl: 1000 },
    );

    // no longer in use: left to expire
    cache.set.mockClear();
    now = 5000;
    await shared.keepAlive(new Map(), []);
    expect(cache.set).not.toHaveBeenCalled();
  });

  it('gives what the cache holds, and treats a failing cache as empty', async () => {
    const cache = mockServices.cache.mock();
    cache.get.mockImplementation(async key =>
      key === 'task-definition:arn:7' ? { revision: 7 } : undefined,
    );
    const shared = new SharedDescriptions<{ revision: number }>({
      cache,
      prefix: 'task-definition',
    });
    expect(await shared.getMany(['arn:7', 'arn:8'])).toEqual(
      new Map([['arn:7', { revision: 7 }]]),
    );

    // a key the cache did not hold is not asked again while in use
    cache.get.mockClear();
    expect(await shared.getMany(['arn:8'])).toEqual(new Map());
    expect(cache.get).not.toHaveBeenCalled();
    await shared.keepAlive(new Map(), []);
    await shared.getMany(['arn:8']);
    expect(cache.get).toHaveBeenCalledWith('task-definition:arn:8');

    cache.get.mockRejectedValue(new Error('connect ECONNREFUSED'));
    expect(await shared.getMany(['arn:7'])).toEqual(new Map());
  });
});
