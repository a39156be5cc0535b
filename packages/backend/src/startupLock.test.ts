import { ConfigReader } from '@backstage/config';
import {
  StartupLock,
  startupLockConnection,
  withStartupLock,
} from './startupLock';

/** A lock another replica holds for the first `busyTries` tries. */
function fakeLock(busyTries: number) {
  let tries = 0;
  const lock = {
    held: false,
    releases: 0,
    async tryAcquire() {
      tries += 1;
      if (tries <= busyTries) return false;
      lock.held = true;
      return true;
    },
    async release() {
      lock.held = false;
      lock.releases += 1;
    },
  };
  return lock satisfies StartupLock;
}

describe('withStartupLock', () => {
  const log = jest.fn();
  beforeEach(() => log.mockReset());

  it('starts at once when no other replica is starting, holding the lock while it starts', async () => {
    const lock = fakeLock(0);
    const start = jest.fn(async () => {
      expect(lock.held).toBe(true);
      return 'started';
    });
    await expect(
      withStartupLock(lock, start, { log, intervalMs: 1 }),
    ).resolves.toBe('started');
    expect(lock.releases).toBe(1);
    expect(log).not.toHaveBeenCalled();
  });

  it('waits for the other replica to have started, and says so', async () => {
    const lock = fakeLock(3);
    const start = jest.fn(async () => 'started');
    await withStartupLock(lock, start, { log, intervalMs: 5 });
    expect(start).toHaveBeenCalledTimes(1);
    expect(lock.releases).toBe(1);
    expect(log.mock.calls.map(([level, message]) => [level, message])).toEqual([
      ['info', expect.stringMatching(/^Another replica .* is starting/)],
      ['info', expect.stringMatching(/^The other replica has started/)],
    ]);
    expect(log.mock.calls[1][2]).toEqual({ waitedMs: expect.any(Number) });
  });

  it('releases the lock when the start fails', async () => {
    const lock = fakeLock(0);
    await expect(
      withStartupLock(
        lock,
        async () => {
          throw new Error('plugin failed');
        },
        { log },
      ),
    ).rejects.toThrow('plugin failed');
    expect(lock.releases).toBe(1);
  });

  it('starts anyway, with a warning, when the other replica is stuck', async () => {
    const lock = fakeLock(Infinity);
    const start = jest.fn(async () => 'started');
    await withStartupLock(lock, start, { log, timeoutMs: 30, intervalMs: 5 });
    expect(start).toHaveBeenCalledTimes(1);
    expect(lock.releases).toBe(0);
    expect(log).toHaveBeenLastCalledWith(
      'warn',
      expect.stringContaining('starting anyway'),
    );
  });
});

describe('startupLockConnection', () => {
  const database = (
    settings: NonNullable<ConstructorParameters<typeof ConfigReader>[0]>,
  ) => new ConfigReader({ backend: { database: settings } });

  it('takes no lock on SQLite, one process’s own database', () => {
    expect(
      startupLockConnection(
        database({ client: 'better-sqlite3', connection: ':memory:' }),
      ),
    ).toBeUndefined();
    expect(startupLockConnection(new ConfigReader({}))).toBeUndefined();
  });

  it('locks in the postgres database, where Backstage creates plugin databases from', () => {
    expect(
      startupLockConnection(
        database({
          client: 'pg',
          connection: {
            host: 'db',
            port: '5432',
            user: 'kler',
            password: 'x',
            database: 'ignored',
          },
        }),
      ),
    ).toEqual({
      host: 'db',
      port: 5432,
      user: 'kler',
      password: 'x',
      database: 'postgres',
    });
    expect(
      startupLockConnection(
        database({
          client: 'pg',
          connection: 'postgresql://kler:x@db:5432/backstage?sslmode=require',
        }),
      ),
    ).toEqual({
      connectionString: 'postgresql://kler:x@db:5432/postgres?sslmode=require',
    });
  });

  it('locks in the shared database when plugins share one (schema mode)', () => {
    expect(
      startupLockConnection(
        database({
          client: 'pg',
          pluginDivisionMode: 'schema',
          connection: { host: 'db', user: 'kler', database: 'portal' },
        }),
      ),
    ).toMatchObject({ database: 'portal' });
  });
});
