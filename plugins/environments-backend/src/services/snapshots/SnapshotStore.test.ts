import { CacheService } from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { EnvironmentSnapshot } from '@kler/plugin-environments-common';
import { ecsService, snapshotOf } from '../../__testUtils__/fixtures';
import { AwsEnvironment, EnvironmentReader } from '../aws/types';
import { SnapshotStore } from './SnapshotStore';

const production: AwsEnvironment = {
  name: 'production',
  tier: 'production',
  accountId: '222222222222',
  region: 'eu-west-1',
  cluster: 'kler-production',
};
const development: AwsEnvironment = {
  name: 'development',
  tier: 'development',
  accountId: '111111111111',
  region: 'eu-west-1',
  cluster: 'kler-development',
};

function createCache() {
  return CacheManager.fromConfig(
    new ConfigReader({ backend: { cache: { store: 'memory' } } }),
  ).forPlugin('environments');
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function createStore(
  reader: EnvironmentReader,
  options: {
    timeoutMs?: number;
    cache?: CacheService;
    sharedCache?: boolean;
  } = {},
) {
  return new SnapshotStore({
    cache: options.cache ?? createCache(),
    reader,
    logger: mockServices.logger.mock(),
    ttlMs: 60_000,
    timeoutMs: options.timeoutMs ?? 5_000,
    sharedCache: options.sharedCache,
  });
}

const accessDenied = () =>
  Object.assign(new Error('not authorized to perform ecs:DescribeClusters'), {
    name: 'AccessDeniedException',
  });

describe('SnapshotStore', () => {
  it('reads on first request and then serves the cached snapshot', async () => {
    const read = jest.fn(async (env: AwsEnvironment) =>
      snapshotOf(env, [ecsService('shop-api')]),
    );
    const store = createStore({ read });

    const first = await store.get(production);
    const second = await store.get(production);

    expect(read).toHaveBeenCalledTimes(1);
    expect(first.snapshot?.services[0].serviceName).toBe('shop-api');
    expect(second).toEqual(first);
    expect(second.stale).toBe(false);
  });

  it('keeps serving the last good snapshot, marked stale, when a refresh fails', async () => {
    const read = jest
      .fn<Promise<EnvironmentSnapshot>, [AwsEnvironment]>()
      .mockImplementationOnce(async env => snapshotOf(env, [ecsService('a')]))
      .mockRejectedValueOnce(accessDenied());
    const store = createStore({ read });

    const good = await store.refresh(production);
    const failed = await store.refresh(production);

    expect(failed).toMatchObject({
      stale: true,
      error: {
        name: 'AccessDeniedException',
        message: 'not authorized to perform ecs:DescribeClusters',
      },
    });
    expect(failed.snapshot).toEqual(good.snapshot);
    expect(await store.get(production)).toEqual(failed);
  });

  it('recovers from stale once a refresh succeeds again', async () => {
    const read = jest
      .fn<Promise<EnvironmentSnapshot>, [AwsEnvironment]>()
      .mockImplementationOnce(async env => snapshotOf(env, [ecsService('a')]))
      .mockRejectedValueOnce(accessDenied())
      .mockImplementationOnce(async env => snapshotOf(env, [ecsService('b')]));
    const store = createStore({ read });

    await store.refresh(production);
    await store.refresh(production);
    const recovered = await store.refresh(production);

    expect(recovered.stale).toBe(false);
    expect(recovered.error).toBeUndefined();
    expect(recovered.snapshot?.services[0].serviceName).toBe('b');
  });

  it('reports the error without a snapshot when the first read fails', async () => {
    const store = createStore({
      read: async () => {
        throw accessDenied();
      },
    });
    const state = await store.get(production);
    expect(state.snapshot).toBeUndefined();
    expect(state.stale).toBe(false);
    expect(state.error?.name).toBe('AccessDeniedException');
  });

  it('shares one read between concurrent refreshes of an environment', async () => {
    const pending = deferred<EnvironmentSnapshot>();
    const read = jest.fn(() => pending.promise);
    const store = createStore({ read });

    const requests = [
      store.get(production),
      store.get(production),
      store.refresh(production),
    ];
    await new Promise(resolve => setImmediate(resolve));
    expect(read).toHaveBeenCalledTimes(1);

    pending.resolve(snapshotOf(production, [ecsService('shop-api')]));
    const states = await Promise.all(requests);
    expect(new Set(states.map(s => s.snapshot?.readAt)).size).toBe(1);

    // Once it settled, a new refresh reads again.
    read.mockImplementation(async () => snapshotOf(production, []));
    await store.refresh(production);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps environments apart: one failing or slow does not touch another', async () => {
    const slowProduction = deferred<EnvironmentSnapshot>();
    const read = jest.fn(async (env: AwsEnvironment) => {
      if (env.name === 'production') {
        return slowProduction.promise;
      }
      return snapshotOf(env, [ecsService('storefront')]);
    });
    const store = createStore({ read });

    const productionState = store.refresh(production);
    const developmentState = await store.refresh(development);
    expect(developmentState.snapshot?.services[0].serviceName).toBe(
      'storefront',
    );

    slowProduction.reject(accessDenied());
    expect((await productionState).error?.name).toBe('AccessDeniedException');
    expect((await store.get(development)).error).toBeUndefined();
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('aborts a read that takes longer than the timeout', async () => {
    let signal: AbortSignal | undefined;
    const store = createStore(
      {
        read: (_env, options) => {
          signal = options?.signal;
          return new Promise(() => {});
        },
      },
      { timeoutMs: 20 },
    );

    const state = await store.get(production);

    expect(state.error?.name).toBe('RefreshTimeoutError');
    expect(state.error?.message).toContain('20 ms');
    expect(signal?.aborted).toBe(true);
  });

  it('shares snapshots between stores on one cache, as replicas do', async () => {
    const cache = createCache();
    const writer = createStore(
      { read: async env => snapshotOf(env, [ecsService('shop-api')]) },
      { cache },
    );
    const readerRead = jest.fn();
    const otherReplica = createStore({ read: readerRead }, { cache });

    await writer.refresh(production);
    const state = await otherReplica.get(production);

    expect(readerRead).not.toHaveBeenCalled();
    expect(state.snapshot?.services[0].serviceName).toBe('shop-api');
  });

  it('deserializes a stored state once, until another replica stores a newer one', async () => {
    const cache = createCache();
    const get = jest.spyOn(cache, 'get');
    let revision = 0;
    const writer = createStore(
      {
        read: async env =>
          snapshotOf(env, [ecsService(`shop-api-${++revision}`)]),
      },
      { cache },
    );
    const replica = createStore({ read: jest.fn() }, { cache });

    await writer.refresh(production);
    const first = await replica.get(production);
    const again = await replica.get(production);
    expect(again).toBe(first);
    const stateReads = () =>
      get.mock.calls.filter(([key]) => key === 'snapshot:production').length;
    expect(stateReads()).toBe(1);

    await writer.refresh(production);
    const newer = await replica.get(production);
    expect(newer.snapshot?.services[0].serviceName).toBe('shop-api-2');
    expect(stateReads()).toBe(2);
  });

  it('reads again when the environment definition changed', async () => {
    const read = jest.fn(async (env: AwsEnvironment) => snapshotOf(env, []));
    const store = createStore({ read });

    await store.get(production);
    const moved = await store.get({
      ...production,
      endpoint: 'http://127.0.0.1:4566',
    });

    expect(read).toHaveBeenCalledTimes(2);
    expect(moved.snapshot?.environment).toEqual(production);
  });

  it('still answers with a fresh read when the cache is down', async () => {
    const cache = mockServices.cache.mock({
      get: jest.fn().mockRejectedValue(new Error('ECONNREFUSED')),
      set: jest.fn().mockRejectedValue(new Error('ECONNREFUSED')),
    });
    const store = createStore(
      { read: async env => snapshotOf(env, [ecsService('shop-api')]) },
      { cache },
    );
    const state = await store.get(production);
    expect(state.error).toBeUndefined();
    expect(state.snapshot?.services[0].serviceName).toBe('shop-api');
  });

  it('stores the health of a first read as soon as it is read, then the whole snapshot', async () => {
    const whole = deferred<EnvironmentSnapshot>();
    const health = {
      ...snapshotOf(production, [ecsService('shop-api')]),
      pending: ['scaling' as const, 'backup' as const],
    };
    const cache = createCache();
    const store = createStore(
      {
        read: async (_env, options) => {
          options?.onHealthRead?.(health);
          return whole.promise;
        },
      },
      { cache },
    );

    // A request waiting for the first read is answered with the health.
    const first = await store.get(production);
    expect(first.snapshot?.pending).toEqual(['scaling', 'backup']);
    // So is another replica on the same cache, meanwhile.
    const replica = createStore({ read: jest.fn() }, { cache });
    expect((await replica.peek(production))?.snapshot?.pending).toEqual([
      'scaling',
      'backup',
    ]);

    const refresh = store.refresh(production);
    whole.resolve(snapshotOf(production, [ecsService('shop-api')]));
    const done = await refresh;
    expect(done.snapshot?.pending).toBeUndefined();
    expect((await replica.peek(production))?.version).toBe(done.version);
  });

  it('keeps the health of a first read, marked stale, when the rest of the read fails', async () => {
    const health = {
      ...snapshotOf(production, [ecsService('shop-api')]),
      pending: ['backup' as const],
    };
    const store = createStore({
      read: async (_env, options) => {
        options?.onHealthRead?.(health);
        await new Promise(resolve => setTimeout(resolve, 5));
        throw accessDenied();
      },
    });

    const state = await store.refresh(production);

    expect(state.stale).toBe(true);
    expect(state.error?.name).toBe('AccessDeniedException');
    expect(state.snapshot?.pending).toEqual(['backup']);
  });

  describe('with a cache of this process alone (the memory store)', () => {
    const untouchedCache = () =>
      mockServices.cache.mock({
        get: jest.fn().mockRejectedValue(new Error('not to be read')),
        set: jest.fn().mockRejectedValue(new Error('not to be written')),
      });

    afterEach(() => {
      jest.useRealTimers();
    });

    it('keeps the states as objects, without serializing them into the cache', async () => {
      const cache = untouchedCache();
      const read = jest.fn(async (env: AwsEnvironment) =>
        snapshotOf(env, [ecsService('shop-api')]),
      );
      const store = createStore({ read }, { cache, sharedCache: false });

      const first = await store.get(production);
      const again = await store.get(production);

      expect(read).toHaveBeenCalledTimes(1);
      expect(again).toBe(first);
      expect(first.snapshot?.services[0].serviceName).toBe('shop-api');
      expect(cache.get).not.toHaveBeenCalled();
      expect(cache.set).not.toHaveBeenCalled();
    });

    it('forgets a state after the TTL, as the cache would', async () => {
      jest.useFakeTimers({ now: new Date('2026-06-01T12:00:00Z') });
      const read = jest.fn(async (env: AwsEnvironment) => snapshotOf(env, []));
      const store = createStore({ read }, { sharedCache: false });

      await store.refresh(production);
      jest.setSystemTime(new Date('2026-06-01T12:00:59Z'));
      expect(await store.peek(production)).toBeDefined();
      jest.setSystemTime(new Date('2026-06-01T12:01:00Z'));
      expect(await store.peek(production)).toBeUndefined();
    });

    it('does not serve a state read with another definition', async () => {
      const read = jest.fn(async (env: AwsEnvironment) => snapshotOf(env, []));
      const store = createStore({ read }, { sharedCache: false });

      await store.get(production);
      const movedEnv = { ...production, endpoint: 'http://127.0.0.1:4566' };
      const moved = await store.get(movedEnv);

      expect(read).toHaveBeenCalledTimes(2);
      expect(read.mock.calls[1][0]).toEqual(movedEnv);
      expect(await store.peek(movedEnv)).toBe(moved);
      // The state read with the new definition is not served for the old one.
      expect(await store.peek(production)).toBeUndefined();
      expect(await store.peek(development)).toBeUndefined();
    });

    it('answers a first read with the health, pending areas marked, then holds the whole snapshot', async () => {
      const whole = deferred<EnvironmentSnapshot>();
      const health = {
        ...snapshotOf(production, [ecsService('shop-api')]),
        pending: ['scaling' as const, 'backup' as const],
      };
      const store = createStore(
        {
          read: async (_env, options) => {
            options?.onHealthRead?.(health);
            return whole.promise;
          },
        },
        { cache: untouchedCache(), sharedCache: false },
      );

      const first = await store.get(production);
      expect(first.snapshot?.pending).toEqual(['scaling', 'backup']);
      expect((await store.peek(production))?.version).toBe(first.version);

      const refresh = store.refresh(production);
      whole.resolve(snapshotOf(production, [ecsService('shop-api')]));
      const done = await refresh;
      expect(done.snapshot?.pending).toBeUndefined();
      expect(await store.peek(production)).toBe(done);
    });

    it('keeps the last good snapshot, marked stale, when a refresh fails', async () => {
      const read = jest
        .fn<Promise<EnvironmentSnapshot>, [AwsEnvironment]>()
        .mockImplementationOnce(async env => snapshotOf(env, [ecsService('a')]))
        .mockRejectedValueOnce(accessDenied());
      const store = createStore({ read }, { sharedCache: false });

      await store.refresh(production);
      const failed = await store.refresh(production);

      expect(failed.stale).toBe(true);
      expect(failed.error?.name).toBe('AccessDeniedException');
      expect(failed.snapshot?.services[0].serviceName).toBe('a');
      expect(await store.peek(production)).toBe(failed);
    });
  });
});
