import { DatabaseService } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { EnvironmentRunReport } from '@kler/plugin-environments-common';
import { RunStore } from './RunStore';

// SQLite always; PostgreSQL 15 too when
// BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING names a server (no
// Docker here: the smoke test runs the plugin on a real PostgreSQL anyway).
const databases = TestDatabases.create({
  ids: ['POSTGRES_15', 'SQLITE_3'],
  disableDocker: true,
});

async function createStore(id: TestDatabaseId) {
  const knex = await databases.init(id);
  const database: DatabaseService = { getClient: async () => knex };
  return { store: await RunStore.create({ database }), knex };
}

const recordedAt = new Date('2026-12-01T10:00:00.000Z');

function report(
  overrides: Partial<EnvironmentRunReport> = {},
): EnvironmentRunReport {
  return {
    kind: 'apply',
    source: 'portal',
    outcome: 'succeeded',
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('RunStore on %s', databaseId => {
  it('stores a run with every field and reads it back', async () => {
    const { store } = await createStore(databaseId);
    const summary = {
      add: 3,
      change: 1,
      destroy: 0,
      replace: 1,
      byType: {
        aws_ecs_service: { add: 2, change: 1, destroy: 0, replace: 0 },
        aws_lb_target_group: { add: 1, change: 0, destroy: 0, replace: 1 },
      },
      outputChanges: 2,
    };
    const run = await store.add({
      environment: 'production',
      report: report({
        actor: 'user:default/alice',
        at: '2026-12-01T09:58:12.345+01:00',
        link: '/create/tasks/6a1f',
        summary,
        message: 'Applied: 3 to add, 1 to change, 0 to destroy, 1 to replace',
      }),
      reportedBy: 'plugin:scaffolder',
      recordedAt,
    });
    expect(run).toEqual({
      id: expect.stringMatching(/^\d+$/),
      environment: 'production',
      kind: 'apply',
      source: 'portal',
      outcome: 'succeeded',
      actor: 'user:default/alice',
      reportedBy: 'plugin:scaffolder',
      at: '2026-12-01T08:58:12.345Z',
      link: '/create/tasks/6a1f',
      summary,
      message: 'Applied: 3 to add, 1 to change, 0 to destroy, 1 to replace',
    });
    await expect(store.list('production', 10)).resolves.toEqual([run]);
  });

  it('takes the time of the report and the reporter as actor when the report gives none', async () => {
    const { store } = await createStore(databaseId);
    const run = await store.add({
      environment: 'development',
      report: report({ kind: 'drift', source: 'schedule' }),
      reportedBy: 'plugin:scaffolder',
      recordedAt,
    });
    expect(run).toEqual({
      id: expect.any(String),
      environment: 'development',
      kind: 'drift',
      source: 'schedule',
      outcome: 'succeeded',
      actor: 'plugin:scaffolder',
      reportedBy: 'plugin:scaffolder',
      at: recordedAt.toISOString(),
    });
  });

  it('lists one environment newest first, by the time of the run, up to the limit', async () => {
    const { store } = await createStore(databaseId);
    const add = (environment: string, at: string, message: string) =>
      store.add({
        environment,
        report: report({ at, message }),
        reportedBy: 'environments-pipeline',
        recordedAt,
      });
    await add('production', '2026-12-01T08:00:00Z', 'second');
    await add('production', '2026-11-30T08:00:00Z', 'first');
    await add('development', '2026-12-01T09:00:00Z', 'other environment');
    await add('production', '2026-12-01T08:00:00Z', 'third, same time');

    const listed = await store.list('production', 10);
    expect(listed.map(run => run.message)).toEqual([
      'third, same time',
      'second',
      'first',
    ]);
    expect((await store.list('production', 2)).map(run => run.message)).toEqual(
      ['third, same time', 'second'],
    );
    await expect(store.list('staging', 10)).resolves.toEqual([]);
  });

  it('gives the latest run of each kind per environment, skipped runs left out', async () => {
    const { store } = await createStore(databaseId);
    const add = (
      environment: string,
      at: string,
      overrides: Partial<EnvironmentRunReport>,
    ) =>
      store.add({
        environment,
        report: report({ at, message: at, ...overrides }),
        reportedBy: 'plugin:scaffolder',
        recordedAt,
      });
    await add('production', '2026-12-01T07:00:00Z', { outcome: 'succeeded' });
    await add('production', '2026-12-01T08:00:00Z', { outcome: 'failed' });
    await add('production', '2026-12-01T09:00:00Z', { outcome: 'skipped' });
    await add('production', '2026-12-01T06:00:00Z', { kind: 'plan' });
    await add('production', '2026-12-01T05:00:00Z', {
      kind: 'drift',
      source: 'schedule',
    });
    await add('development', '2026-12-01T04:00:00Z', { outcome: 'failed' });

    const latest = await store.latestOfEachKind();
    expect([...latest.keys()].sort()).toEqual(['development', 'production']);
    expect(
      latest.get('production')!.map(run => [run.kind, run.outcome, run.at]),
    ).toEqual([
      ['apply', 'failed', '2026-12-01T08:00:00.000Z'],
      ['plan', 'succeeded', '2026-12-01T06:00:00.000Z'],
      ['drift', 'succeeded', '2026-12-01T05:00:00.000Z'],
    ]);
    expect(latest.get('development')!.map(run => run.outcome)).toEqual([
      'failed',
    ]);
  });

  it('keeps the runs when the store is created again on the same database', async () => {
    const knex = await databases.init(databaseId);
    const database: DatabaseService = { getClient: async () => knex };
    const first = await RunStore.create({ database });
    const run = await first.add({
      environment: 'production',
      report: report(),
      reportedBy: 'plugin:scaffolder',
      recordedAt,
    });
    const second = await RunStore.create({ database });
    await expect(second.list('production', 5)).resolves.toEqual([run]);
  });
});
