import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';

/** The knex client the database service hands out. */
type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

const TABLE = 'environments_refresh_leases';

/** One refresh, one lease: every replica refreshes all environments or none. */
const LEASE_NAME = 'environments';

const migrationsDirectory = resolvePackagePath(
  '@kler/plugin-environments-backend',
  'migrations',
);

interface LeaseRow {
  name: string;
  holder: string;
  expires_at_ms: number | string;
  refresh_started_at_ms: number | string | null;
  refresh_ended_at_ms: number | string | null;
  now_ms: number | string;
}

/** The lease as its holder sees it, times by the database's clock. */
export interface RefreshLease {
  /** The database's time when the lease was taken or renewed. */
  nowMs: number;
  expiresAtMs: number;
  /** When the latest refresh started, by whichever replica. */
  refreshStartedAtMs?: number;
  /** When the latest refresh ended; before its start when that refresh never ended. */
  refreshEndedAtMs?: number;
}

/**
 * The current time in milliseconds since the epoch, by the database's clock.
 * Replicas compare lease times on one clock, so a replica whose clock is
 * ahead does not see a live lease as expired.
 */
function databaseNowMs(knex: Knex): string {
  const client = String(knex.client.config.client);
  if (client === 'pg' || client === 'postgres' || client === 'postgresql') {
    return 'cast(floor(extract(epoch from clock_timestamp()) * 1000) as bigint)';
  }
  if (client.includes('sqlite')) {
    return "cast((julianday('now') - 2440587.5) * 86400000 as integer)";
  }
  if (client.includes('mysql')) {
    return 'cast(floor(unix_timestamp(now(3)) * 1000) as signed)';
  }
  throw new Error(
    `The refresh lease does not support database client ${client}`,
  );
}

function toMs(value: number | string | null): number | undefined {
  return value === null ? undefined : Number(value);
}

/**
 * The refresh lease in the plugin's database (`environments_refresh_leases`):
 * the replica that holds it refreshes the environments, the others do not. A
 * holder renews it well before it expires; when the holder dies, it expires
 * and the next replica to ask takes it.
 */
export class RefreshLeaseStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<RefreshLeaseStore> {
    const { database } = options;
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDirectory });
    }
    return new RefreshLeaseStore(client);
  }

  private readonly now: string;

  private constructor(private readonly db: Knex) {
    this.now = databaseNowMs(db);
  }

  /**
   * Takes the lease for `durationMs` from now, or renews it when `holder`
   * holds it already. Answers undefined when another replica holds a lease
   * that has not expired.
   */
  async hold(
    holder: string,
    durationMs: number,
  ): Promise<RefreshLease | undefined> {
    const expiresAt = this.db.raw(`${this.now} + ?`, [durationMs]);
    await this.db(TABLE)
      .insert({ name: LEASE_NAME, holder, expires_at_ms: expiresAt })
      .onConflict('name')
      .ignore();
    // One statement decides: two replicas asking at once cannot both win.
    const updated = await this.db(TABLE)
      .where('name', LEASE_NAME)
      .andWhere(held =>
        held
          .where('holder', holder)
          .orWhere('expires_at_ms', '<=', this.db.raw(this.now)),
      )
      .update({ holder, expires_at_ms: expiresAt });
    if (updated !== 1) {
      return undefined;
    }
    const row = await this.read();
    if (!row || row.holder !== holder) {
      return undefined;
    }
    return {
      nowMs: Number(row.now_ms),
      expiresAtMs: Number(row.expires_at_ms),
      refreshStartedAtMs: toMs(row.refresh_started_at_ms),
      refreshEndedAtMs: toMs(row.refresh_ended_at_ms),
    };
  }

  /** Records that `holder` starts a refresh; false when it no longer holds the lease. */
  async recordRefreshStart(holder: string): Promise<boolean> {
    return this.recordIfHeld(holder, {
      refresh_started_at_ms: this.db.raw(this.now),
    });
  }

  /** Records that `holder`'s refresh ended; false when it no longer holds the lease. */
  async recordRefreshEnd(holder: string): Promise<boolean> {
    return this.recordIfHeld(holder, {
      refresh_ended_at_ms: this.db.raw(this.now),
    });
  }

  /** Lets the lease go at once, so that another replica takes it at its next try. */
  async release(holder: string): Promise<void> {
    await this.db(TABLE)
      .where({ name: LEASE_NAME, holder })
      .update({ expires_at_ms: 0 });
  }

  /** The replica holding an unexpired lease, if any. */
  async holder(): Promise<string | undefined> {
    const row = await this.read();
    return row && Number(row.expires_at_ms) > Number(row.now_ms)
      ? row.holder
      : undefined;
  }

  private async recordIfHeld(
    holder: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const updated = await this.db(TABLE)
      .where({ name: LEASE_NAME, holder })
      .andWhere('expires_at_ms', '>', this.db.raw(this.now))
      .update(values);
    return updated === 1;
  }

  private async read(): Promise<LeaseRow | undefined> {
    return this.db<LeaseRow>(TABLE)
      .select('*', this.db.raw(`${this.now} as now_ms`))
      .where('name', LEASE_NAME)
      .first();
  }
}
