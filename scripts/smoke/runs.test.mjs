// The run history on the real backend and a real PostgreSQL 15: a pipeline
// reports runs with a static external access token (backend.auth.externalAccess),
// the runs are stored and listed, survive a restart on the same database, a
// failed apply is a problem on the on-call list, and a user may not report.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startBackend } from '../lib/backend.mjs';
import { freePort, waitFor } from '../lib/net.mjs';
import { startPostgres } from '../lib/postgres.mjs';

const PIPELINE_TOKEN = randomBytes(24).toString('hex');
const READER_TOKEN = randomBytes(24).toString('hex');
const RUNS = '/api/environments/v1/environments/production/runs';

async function backendOptions(postgres) {
  // Nothing listens there: the environments cannot be read, quickly, and
  // their runs still count.
  const closedEndpoint = `http://127.0.0.1:${await freePort()}`;
  return {
    configFiles: [
      'app-config.production.yaml',
      'scripts/smoke/app-config.smoke.yaml',
    ],
    config: {
      backend: {
        auth: {
          externalAccess: [
            {
              type: 'static',
              options: {
                token: PIPELINE_TOKEN,
                subject: 'environments-pipeline',
              },
              // The pipeline may report runs and do nothing else.
              accessRestrictions: [
                {
                  plugin: 'environments',
                  permission: 'environments.run.create',
                },
              ],
            },
            {
              type: 'static',
              options: { token: READER_TOKEN, subject: 'environments-reader' },
              accessRestrictions: [
                { plugin: 'environments', permission: 'environments.read' },
              ],
            },
          ],
        },
      },
      aws: {
        accounts: ['222222222222', '111111111111'].map(accountId => ({
          accountId,
          accessKeyId: `SMOKE${accountId}`,
          secretAccessKey: 'smoke-placeholder',
        })),
      },
      environments: {
        environments: [
          { name: 'production', endpoint: closedEndpoint },
          { name: 'development', endpoint: closedEndpoint },
        ],
        aws: { maxAttempts: 1 },
        // The environments are listed again at each refresh: soon after the
        // catalog has read them at startup.
        refresh: { frequency: { seconds: 5 } },
      },
    },
    env: {
      POSTGRES_HOST: postgres.host,
      POSTGRES_PORT: String(postgres.port),
      POSTGRES_USER: postgres.user,
      POSTGRES_PASSWORD: postgres.password,
      KLER_PORTAL_URL: 'http://localhost:3000',
      BACKEND_SECRET: `smoke-${process.pid}-${Date.now()}`,
      REDIS_URL: 'redis://127.0.0.1:6379',
    },
  };
}

async function post(backend, path, token, body) {
  const res = await fetch(`${backend.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

const failedApply = {
  kind: 'apply',
  source: 'pipeline',
  outcome: 'failed',
  actor: 'github-actions:kler/environments',
  at: '2026-12-01T10:15:00.000Z',
  link: 'https://github.com/kler/environments/actions/runs/4242',
  summary: {
    add: 1,
    change: 2,
    destroy: 0,
    replace: 0,
    byType: {
      aws_ecs_service: { add: 1, change: 1, destroy: 0, replace: 0 },
      aws_security_group: { add: 0, change: 1, destroy: 0, replace: 0 },
    },
  },
  message:
    'Error: creating ECS Service (image-service): InvalidParameterException: The target group does not have an associated load balancer.',
};

describe('run history on the real backend and PostgreSQL 15', () => {
  let postgres;
  let options;
  let backend;
  let guest;
  let stored;

  before(async () => {
    postgres = await startPostgres();
    options = await backendOptions(postgres);
    backend = await startBackend(options);
    guest = await backend.guestToken();
    // Runs are refused for environments the plugin does not know yet.
    await backend.waitForEntity('resource', 'production', guest);
  });
  after(async () => {
    await backend?.stop();
    postgres?.stop();
  });

  test('stores and lists a run reported with the static token', async () => {
    const plan = await post(backend, RUNS, PIPELINE_TOKEN, {
      kind: 'plan',
      source: 'pipeline',
      outcome: 'succeeded',
      actor: 'github-actions:kler/environments',
      at: '2026-12-01T10:05:00.000Z',
      link: 'https://github.com/kler/environments/actions/runs/4241',
      summary: { ...failedApply.summary },
    });
    assert.equal(plan.status, 201, JSON.stringify(plan.body));
    // The subject of the external access token as configured.
    assert.equal(plan.body.reportedBy, 'environments-pipeline');

    const apply = await post(backend, RUNS, PIPELINE_TOKEN, failedApply);
    assert.equal(apply.status, 201, JSON.stringify(apply.body));
    stored = [apply.body, plan.body];

    const listed = await backend.get(RUNS, guest);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.items, stored);
    assert.deepEqual((await backend.get(`${RUNS}?limit=1`, guest)).body.items, [
      apply.body,
    ]);
  });

  test('shows the failed apply as a problem of production on the on-call list', async () => {
    const problems = await waitFor(
      async () => {
        const res = await backend.get(
          '/api/environments/v1/problems?area=provisioning',
          guest,
        );
        assert.equal(res.status, 200);
        return res.body.items.length > 0 && res.body.items;
      },
      { timeoutMs: 30_000, what: 'the failed apply among the problems' },
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0].id, 'production/provisioning/apply-failed');
    assert.equal(problems[0].severity, 'high');
    assert.equal(problems[0].runUrl, failedApply.link);
    assert.match(problems[0].explanation, /InvalidParameterException/);
    const environments = await backend.get(
      '/api/environments/v1/environments',
      guest,
    );
    const production = environments.body.items.find(
      e => e.name === 'production',
    );
    assert.equal(production.status, 'error');
    assert.equal(production.areas.provisioning, 'error');
  });

  test('refuses reports from a user, bad bodies, unknown environments and tokens not allowed to report', async () => {
    const asUser = await post(backend, RUNS, guest, failedApply);
    assert.equal(asUser.status, 403, JSON.stringify(asUser.body));

    const bad = await post(backend, RUNS, PIPELINE_TOKEN, {
      ...failedApply,
      outcome: 'partly',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /body field 'outcome'/);

    const unknown = await post(
      backend,
      '/api/environments/v1/environments/staging/runs',
      PIPELINE_TOKEN,
      failedApply,
    );
    assert.equal(unknown.status, 404);

    const reader = await post(backend, RUNS, READER_TOKEN, failedApply);
    assert.equal(reader.status, 403);
    assert.match(reader.body.error.message, /environments\.run\.create/);
    // The pipeline's token reports runs and reads nothing.
    assert.equal((await backend.get(RUNS, PIPELINE_TOKEN)).status, 403);
    assert.equal((await backend.get(RUNS, READER_TOKEN)).status, 200);

    const wrongToken = await post(backend, RUNS, 'not-the-token', failedApply);
    assert.equal(wrongToken.status, 401);

    assert.equal((await backend.get(RUNS, guest)).body.items.length, 2);
  });

  test('keeps the runs across a restart on the same database', async () => {
    await backend.stop();
    backend = await startBackend(options);
    guest = await backend.guestToken();
    const listed = await backend.get(RUNS, guest);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.items, stored);
    const problems = await waitFor(
      async () => {
        const res = await backend.get(
          '/api/environments/v1/problems?environment=production&area=provisioning',
          guest,
        );
        return res.body.items?.length > 0 && res.body.items;
      },
      { timeoutMs: 30_000, what: 'the failed apply after the restart' },
    );
    assert.deepEqual(
      problems.map(p => p.id),
      ['production/provisioning/apply-failed'],
    );
  });

  test("keeps them in the environments plugin's own database", async () => {
    const { execFileSync } = await import('node:child_process');
    const rows = execFileSync(
      'psql',
      [
        '-h',
        postgres.host,
        '-p',
        String(postgres.port),
        '-U',
        'postgres',
        '-d',
        'backstage_plugin_environments',
        '-Atc',
        "select kind || ' ' || outcome || ' ' || reported_by from environment_runs order by id",
      ],
      { encoding: 'utf8' },
    );
    assert.deepEqual(rows.trim().split('\n'), [
      'plan succeeded environments-pipeline',
      'apply failed environments-pipeline',
    ]);
  });

  test('logs no error', () => {
    assert.deepEqual(backend.errorLines(), []);
  });
});
