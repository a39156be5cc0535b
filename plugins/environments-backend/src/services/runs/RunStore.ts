import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  EnvironmentRun,
  EnvironmentRunReport,
  EnvironmentRunSummary,
} from '@kler/plugin-environments-common';

/** The knex client the database service hands out. */
type Knex = Awaited<ReturnType<DatabaseService['getClient']>>;

const TABLE = 'environment_runs';

const migrationsDirectory = resolvePackagePath(
  '@kler/plugin-environments-backend',
  'migrations',
);

interface RunRow {
  id: number | string;
  environment_name: string;
  kind: EnvironmentRun['kind'];
  source: EnvironmentRun['source'];
  outcome: EnvironmentRun['outcome'];
  actor: string;
  reported_by: string;
  occurred_at: Date | string | number;
  recorded_at: Date | string | number;
  link: string | null;
  summary: string | null;
  message: string | null;
}

/** What the store needs to record a run: the report and who sent it. */
export interface NewRun {
  environment: string;
  report: EnvironmentRunReport;
  /** The service that reported it: `plugin:scaffolder`, or the subject of an external access token. */
  reportedBy: string;
  /** When it was reported; the run's time when the report gives none. */
  recordedAt: Date;
}

/** PostgreSQL returns timestamps as Date, SQLite as numbers or text. */
function toIso(value: Date | string | number): string {
  return new Date(value).toISOString();
}

function toRun(row: RunRow): EnvironmentRun {
  const run: EnvironmentRun = {
    id: String(row.id),
    environment: row.environment_name,
    kind: row.kind,
    source: row.source,
    outcome: row.outcome,
    actor: row.actor,
    reportedBy: row.reported_by,
    at: toIso(row.occurred_at),
  };
  if (row.link !== null) run.link = row.link;
  if (row.summary !== null) {
    run.summary = JSON.parse(row.summary) as EnvironmentRunSummary;
  }
  if (row.message !== null) run.message = row.message;
  return run;
}

/**
 * The run history in the plugin's database (`environment_runs`, created by
 * the migrations in the package's `migrations/` folder).
 */
export class RunStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<RunStore> {
    const { database } = options;
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDirectory });
    }
    return new RunStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async add(run: NewRun): Promise<EnvironmentRun> {
    const { report } = run;
    const occurredAt = report.at ? new Date(report.at) : run.recordedAt;
    const [inserted] = await this.db<RunRow>(TABLE).insert(
      {
        environment_name: run.environment,
        kind: report.kind,
        source: report.source,
        outcome: report.outcome,
        actor: report.actor ?? run.reportedBy,
        reported_by: run.reportedBy,
        occurred_at: occurredAt,
        recorded_at: run.recordedAt,
        link: report.link ?? null,
        summary: report.summary ? JSON.stringify(report.summary) : null,
        message: report.message ?? null,
      },
      ['id'],
    );
    const id = typeof inserted === 'object' ? inserted.id : inserted;
    const row = await this.db<RunRow>(TABLE).where({ id }).first();
    return toRun(row!);
  }

  /** The environment's runs, newest first. */
  async list(environment: string, limit: number): Promise<EnvironmentRun[]> {
    const rows = await this.db<RunRow>(TABLE)
      .where({ environment_name: environment })
      .orderBy([
        { column: 'occurred_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(toRun);
  }

  /**
   * Of every environment, the latest run of each kind that did something
   * (skipped runs say nothing about the environment): what the provisioning
   * rules read. One query, whatever the number of environments.
   */
  async latestOfEachKind(): Promise<Map<string, EnvironmentRun[]>> {
    const ranked = this.db(TABLE)
      .select('*')
      .select(
        this.db.raw(
          'row_number() over (partition by environment_name, kind order by occurred_at desc, id desc) as run_rank',
        ),
      )
      .whereNot({ outcome: 'skipped' })
      .as('ranked');
    const rows: RunRow[] = await this.db
      .select(
        'id',
        'environment_name',
        'kind',
        'source',
        'outcome',
        'actor',
        'reported_by',
        'occurred_at',
        'recorded_at',
        'link',
        'summary',
        'message',
      )
      .from(ranked)
      .where('run_rank', 1)
      .orderBy([
        { column: 'occurred_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    const byEnvironment = new Map<string, EnvironmentRun[]>();
    for (const row of rows) {
      const runs = byEnvironment.get(row.environment_name) ?? [];
      runs.push(toRun(row));
      byEnvironment.set(row.environment_name, runs);
    }
    return byEnvironment;
  }
}
