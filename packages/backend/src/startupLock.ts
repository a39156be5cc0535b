import { Config } from '@backstage/config';
import { Client, ClientConfig } from 'pg';

/** A lock that one process of the portal holds while it starts. */
export interface StartupLock {
  /** Takes the lock if it is free; never waits. */
  tryAcquire(): Promise<boolean>;
  release(): Promise<void>;
}

/** How a starting backend says what it is waiting for (before Backstage's logger exists). */
export type StartupLog = (
  level: 'info' | 'warn',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface StartupLockOptions {
  log: StartupLog;
  /** How long to wait for another replica's start before starting anyway. */
  timeoutMs?: number;
  intervalMs?: number;
}

/** A healthy start takes seconds; one that takes longer than this is stuck. */
const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_INTERVAL_MS = 500;

/**
 * Runs `start` while holding `lock`, so that replicas starting at the same
 * moment start one after the other. Every plugin migrates its database during
 * the backend's start with knex, whose migration lock fails at once
 * (`MigrationLocked`) instead of waiting, and two replicas creating knex's own
 * tables at once on an empty database fail too ("relation ... already
 * exists"): either error ends the backend. Started in turn, the second replica
 * finds every migration done. A replica that waits longer than `timeoutMs`
 * starts anyway, with a warning: the other one is stuck, not starting.
 */
export async function withStartupLock<T>(
  lock: StartupLock,
  start: () => Promise<T>,
  options: StartupLockOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const waitStarted = Date.now();
  let acquired = await lock.tryAcquire();
  const waited = !acquired;
  if (waited) {
    options.log(
      'info',
      'Another replica of the portal is starting on this database; this one starts when it has (its plugins migrate their databases as they start)',
    );
  }
  while (!acquired && Date.now() - waitStarted < timeoutMs) {
    await new Promise(resolve => setTimeout(resolve, intervalMs));
    acquired = await lock.tryAcquire();
  }
  const waitedMs = Date.now() - waitStarted;
  if (!acquired) {
    options.log(
      'warn',
      `Another replica of the portal has been starting for over ${Math.round(
        timeoutMs / 1000,
      )} s; starting anyway`,
    );
  } else if (waited) {
    options.log(
      'info',
      `The other replica has started; starting after waiting ${(
        waitedMs / 1000
      ).toFixed(1)} s`,
      { waitedMs },
    );
  }
  try {
    return await start();
  } finally {
    if (acquired) await lock.release();
  }
}

/**
 * The portal's startup lock in PostgreSQL: a session advisory lock, which
 * PostgreSQL also releases when the session ends, so a replica that dies while
 * starting never blocks the next one. Advisory locks belong to one database:
 * every replica takes it in the database Backstage itself connects to for
 * creating plugin databases (`postgres`, or the configured database when
 * plugins share one).
 */
export class PostgresStartupLock implements StartupLock {
  /** Two int4 keys: 'KLER' and the lock's number. */
  static readonly KEY = [0x4b4c4552, 1] as const;

  private constructor(private readonly client: Client) {}

  static async connect(
    connection: ClientConfig,
    log: StartupLog,
  ): Promise<PostgresStartupLock> {
    const client = new Client(connection);
    // A connection lost while the backend starts costs the lock only: the
    // start goes on, and PostgreSQL has released the lock with the session.
    client.on('error', error =>
      log('warn', `The startup lock's database connection failed: ${error}`),
    );
    await client.connect();
    return new PostgresStartupLock(client);
  }

  async tryAcquire(): Promise<boolean> {
    const { rows } = await this.client.query(
      'SELECT pg_try_advisory_lock($1, $2) AS acquired',
      [...PostgresStartupLock.KEY],
    );
    return rows[0]?.acquired === true;
  }

  async release(): Promise<void> {
    try {
      await this.client.query('SELECT pg_advisory_unlock($1, $2)', [
        ...PostgresStartupLock.KEY,
      ]);
    } finally {
      await this.client.end().catch(() => undefined);
    }
  }
}

/**
 * The connection the startup lock uses, from `backend.database` when it is
 * PostgreSQL; undefined otherwise (SQLite is one process's own database).
 */
export function startupLockConnection(
  config: Config,
): ClientConfig | undefined {
  const database = config.getOptionalConfig('backend.database');
  if (database?.getOptionalString('client') !== 'pg') return undefined;
  const connection = database.get('connection');
  const shared = database.getOptionalString('pluginDivisionMode') === 'schema';
  if (typeof connection === 'string') {
    return { connectionString: shared ? connection : inPostgres(connection) };
  }
  const settings = connection as ClientConfig & { database?: string };
  return {
    ...settings,
    port: settings.port === undefined ? undefined : Number(settings.port),
    database: shared ? settings.database : 'postgres',
  };
}

/** A connection URL with its database replaced by `postgres` (pg lets the URL's win). */
function inPostgres(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    url.pathname = '/postgres';
    return url.toString();
  } catch {
    return connectionString;
  }
}

/** A JSON log line, as the production backend logs, on standard output. */
export const startupLog: StartupLog = (level, message, fields) => {
  process.stdout.write(
    `${JSON.stringify({
      level,
      message,
      service: 'backstage',
      type: 'startupLock',
      ...fields,
    })}\n`,
  );
};

/**
 * Runs the backend's `start` under the startup lock, when the database is
 * PostgreSQL (`connection` from {@link startupLockConnection}).
 */
export async function startWithStartupLock<T>(
  connection: ClientConfig | undefined,
  start: () => Promise<T>,
): Promise<T> {
  if (!connection) return start();
  const lock = await PostgresStartupLock.connect(connection, startupLog);
  return withStartupLock(lock, start, { log: startupLog });
}
