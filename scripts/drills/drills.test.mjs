// Fault and abuse drills: the real backend against the AWS sandbox, with AWS
// faults injected per environment, bad input on every route, withheld
// permissions, broken config, two replicas on one PostgreSQL and one Redis, a
// backend restart during a scaffolder task, and 50 clients polling while an
// environment flaps. Every drill adds a row to the table printed at the end
// (drill, injected, expected, observed, result).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectStartupFailure, startBackend } from '../lib/backend.mjs';
import { waitFor } from '../lib/net.mjs';
import { startPostgres } from '../lib/postgres.mjs';
import { startSandbox } from '../lib/sandbox.mjs';
import { startAwsProxy } from './support/awsProxy.mjs';
import {
  ACCOUNTS,
  KLER_CATALOG_LOCATION,
  REFRESH_SECONDS,
  bothHealthy,
  isFreshSince,
  listEnvironments,
  percentile,
  drillBackendConfig,
  drillBackendEnv,
  sandboxConfig,
  sleep,
  waitForEnvironments,
} from './support/environments.mjs';
import {
  describeProvisioningDrills,
  killProcessTree,
} from './provisioning.mjs';
import { describeOwnershipDrills } from './ownership.mjs';
import { describeInterruptedApplyDrills } from './interruptedApply.mjs';
import { describeRestartDrills } from './restarts.mjs';
import { describeVariableValuesDrills } from './variableValues.mjs';
import { startRedis } from './support/redis.mjs';
import { createReport } from './support/report.mjs';
import { isZip, readZipEntries } from './support/zip.mjs';

const report = createReport();
const API = '/api/environments/v1';
const ROUTES = [
  `${API}/environments`,
  `${API}/environments/production`,
  `${API}/entity/default/component/storefront`,
  `${API}/problems`,
];

// One sandbox for every drill; each drill group boots its own backends.
let sandbox;
const runStartedAt = Date.now();

before(async () => {
  sandbox = await startSandbox();
});

after(() => {
  sandbox?.stop();
  const seconds = ((Date.now() - runStartedAt) / 1000).toFixed(0);
  process.stdout.write(
    `\n## Fault and abuse drills\n\n${report.toMarkdown()}\n\nTotal run time: ${seconds} s.\n\n`,
  );
});

/** Catalog Resources of spec.type environment whose annotations are garbage. */
const BROKEN_ENVIRONMENTS = {
  'drill-bad-account': {
    annotation: 'kler.io/aws-account-id',
    annotations: { 'kler.io/aws-account-id': 'banana' },
  },
  'drill-bad-region': {
    annotation: 'kler.io/aws-region',
    annotations: { 'kler.io/aws-region': 'eu-west-1; DROP TABLE environments' },
  },
  'drill-missing-cluster': {
    annotation: 'kler.io/ecs-cluster',
    annotations: { 'kler.io/ecs-cluster': undefined },
  },
};

function writeDrillCatalog() {
  const valid = {
    'kler.io/environment-tier': 'development',
    'kler.io/aws-account-id': '111111111111',
    'kler.io/aws-region': 'eu-west-1',
    'kler.io/ecs-cluster': 'kler-development',
  };
  const docs = Object.entries(BROKEN_ENVIRONMENTS).map(
    ([name, { annotations }]) => {
      const merged = { ...valid, ...annotations };
      for (const key of Object.keys(merged)) {
        if (merged[key] === undefined) delete merged[key];
      }
      return JSON.stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name, annotations: merged },
        spec: {
          type: 'environment',
          owner: 'platform-team',
          lifecycle: 'experimental',
        },
      });
    },
  );
  const dir = mkdtempSync(join(tmpdir(), 'kler-drill-catalog-'));
  mkdirSync(join(dir, 'skeleton'));
  for (const [name, text] of Object.entries(SECRETS_TERRAFORM)) {
    writeFileSync(join(dir, 'skeleton', name), text);
  }
  const file = join(dir, 'drill-catalog.yaml');
  // JSON documents are YAML documents.
  writeFileSync(
    file,
    [...docs, JSON.stringify(secretsTemplate())].join('\n---\n'),
  );
  return file;
}

/**
 * Terraform that handles two secrets: api_token, sensitive in Terraform too,
 * and db_password, which Terraform does not know is secret, so that its value
 * shows in the plan unless the actions mask it.
 */
const SECRETS_TERRAFORM = {
  'main.tf': `variable "api_token" {
  type      = string
  sensitive = true
}

variable "db_password" {
  type = string
}

resource "terraform_data" "database" {
  input = var.db_password
}

resource "terraform_data" "api" {
  input = var.api_token
}

output "cluster" {
  value = "kler-drill"
}

output "api_token" {
  value     = var.api_token
  sensitive = true
}
`,
};

const SECRETS = {
  apiToken: `drill-api-token-${randomUUID()}`,
  dbPassword: `drill-db-password-${randomUUID()}`,
};

const TERRAFORM_STEPS = [
  {
    id: 'plan',
    action: 'kler:terraform:plan',
    input: {
      awsAccountId: '111111111111',
      awsRegion: 'eu-west-1',
      vars: {
        api_token: '${{ secrets.apiToken }}',
        db_password: '${{ secrets.dbPassword }}',
      },
      sensitiveVars: ['api_token', 'db_password'],
    },
  },
  {
    id: 'apply',
    action: 'kler:terraform:apply',
    input: {
      planFile: '${{ steps.plan.output.planFile }}',
      planSha256: '${{ steps.plan.output.planSha256 }}',
      allowDestroy: false,
      sensitiveVars: ['api_token', 'db_password'],
    },
  },
  {
    id: 'output',
    action: 'kler:terraform:output',
    input: {
      planFile: '${{ steps.plan.output.planFile }}',
      planSha256: '${{ steps.plan.output.planSha256 }}',
    },
  },
];

function secretsTemplate() {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'drill-secrets', title: 'Drill: Terraform with secrets' },
    spec: {
      owner: 'platform-team',
      type: 'environment',
      parameters: [],
      steps: [
        { id: 'fetch', action: 'fetch:plain', input: { url: './skeleton' } },
        ...TERRAFORM_STEPS,
      ],
      output: {
        cluster: '${{ steps.output.output.outputs.cluster }}',
      },
    },
  };
}

/** Every secret value found in `text`, in clear or base64. */
function leakedSecrets(text) {
  return Object.entries(SECRETS)
    .filter(
      ([, value]) =>
        text.includes(value) ||
        text.includes(Buffer.from(value).toString('base64')),
    )
    .map(([name]) => name);
}

/** Secret names found in a file: in its bytes, or in the entries of a zip (a Terraform plan). */
function leakedSecretsInFile(path, data) {
  const found = leakedSecrets(data.toString('latin1')).map(
    n => `${n} in ${path}`,
  );
  if (isZip(data)) {
    for (const entry of readZipEntries(data)) {
      found.push(
        ...leakedSecrets(entry.data.toString('latin1')).map(
          n => `${n} in ${path}!${entry.name}`,
        ),
      );
    }
  }
  return found;
}

/**
 * app-config.yaml's catalog location (arrays replace, not merge) plus the
 * drill's, both trusted for environment Resources.
 */
function catalogWith(file) {
  return {
    kler: {
      environments: {
        trustedLocations: ['file:../../catalog/all.yaml', `file:${file}`],
      },
    },
    catalog: {
      locations: [
        KLER_CATALOG_LOCATION,
        {
          type: 'file',
          target: file,
          rules: [{ allow: ['Resource', 'Template'] }],
        },
      ],
    },
  };
}

const looksLikeStack = text => /\n\s+at .+\(|\bat .+\.(ts|js):\d+/.test(text);

describe('one backend on the AWS sandbox', () => {
  let proxy;
  let backend;
  let token;

  before(() =>
    report.setup('one backend on the AWS sandbox', async () => {
      // Production is read through a proxy that can take its endpoint away.
      proxy = await startAwsProxy(sandbox.url);
      backend = await startBackend({
        config: drillBackendConfig({
          ...sandboxConfig({
            endpoints: { production: proxy.url, development: sandbox.url },
          }),
          ...catalogWith(writeDrillCatalog()),
        }),
        env: drillBackendEnv,
      });
      token = await backend.guestToken();
      await waitForEnvironments(backend, token, bothHealthy, {
        timeoutMs: 90_000,
        what: 'both environments read from the sandbox',
      });
    }),
  );

  after(async () => {
    await backend?.stop();
    await proxy?.stop();
  });

  /**
   * Injects a fault into one environment and checks: the other keeps serving
   * fresh data, the broken one serves its last good snapshot marked stale with
   * the error, and it recovers by itself once the fault ends.
   */
  async function faultDrill({ broken, inject, clear, error }) {
    const other = broken === 'production' ? 'development' : 'production';
    await waitForEnvironments(backend, token, bothHealthy, {
      what: 'both environments healthy before the fault',
    });
    const faultAt = Date.now();
    await inject();
    let seen;
    try {
      seen = await waitForEnvironments(
        backend,
        token,
        byName =>
          byName[broken].stale &&
          byName[broken].error &&
          isFreshSince(byName[other], faultAt) &&
          byName,
        {
          timeoutMs: 30_000,
          what: `${broken} stale with an error while ${other} stays fresh`,
        },
      );
    } finally {
      await clear();
    }
    const staleAfterMs = Date.now() - faultAt;
    const served = seen[broken];
    assert.match(`${served.error.name}: ${served.error.message}`, error);
    assert.ok(
      Date.parse(served.refreshedAt) < faultAt,
      'the stale snapshot is the one read before the fault',
    );
    assert.equal(
      served.counts.services,
      5,
      'the stale snapshot still has every service',
    );
    const details = await backend.get(`${API}/environments/${broken}`, token);
    assert.equal(details.status, 200);
    assert.equal(details.body.summary.stale, true);
    assert.equal(details.body.snapshot.services.length, 5);

    const clearedAt = Date.now();
    await waitForEnvironments(
      backend,
      token,
      byName => isFreshSince(byName[broken], clearedAt),
      {
        // The SDK's adaptive retry slows its own send rate after throttling and
        // speeds up again gradually; on a loaded machine that takes a while.
        timeoutMs: 60_000,
        what: `${broken} to recover after the fault`,
      },
    );
    const recoveredMs = Date.now() - clearedAt;
    return (
      `${broken} stale after ${(staleAfterMs / 1000).toFixed(1)} s with "${
        served.error.name
      }: ` +
      `${served.error.message.slice(0, 80)}", ${other} fresh; recovered ${(
        recoveredMs / 1000
      ).toFixed(1)} s after the fault ended`
    );
  }

  const sandboxFault = (environment, fault) => ({
    broken: environment,
    inject: () =>
      sandbox.admin('POST', '/faults', { id: 'drill', environment, ...fault }),
    clear: () => sandbox.admin('DELETE', '/faults'),
  });

  const expectedFault =
    'other env fresh; broken env serves last good snapshot, stale, with error; recovers by itself';

  test('AccessDenied', { timeout: 120_000 }, () =>
    report.drill(
      {
        drill: 'AWS AccessDenied (production)',
        injected: 'every AWS call of production answers AccessDeniedException',
        expected: expectedFault,
      },
      () =>
        faultDrill({
          ...sandboxFault('production', { accessDenied: true }),
          error: /AccessDenied/i,
        }),
    ),
  );

  test('throttling storm', { timeout: 120_000 }, () =>
    report.drill(
      {
        drill: 'AWS throttling storm (development)',
        injected: 'every AWS call of development throttled (0 requests/s)',
        expected: expectedFault,
      },
      () =>
        faultDrill({
          ...sandboxFault('development', {
            throttle: { ratePerSecond: 0, burst: 0 },
          }),
          // The SDK's adaptive retries slow the client down; on a busy
          // machine the refresh timeout can end the read before the last
          // ThrottlingException does.
          error: /Throttl|Rate exceeded|RefreshTimeoutError/i,
        }),
    ),
  );

  test('5xx burst', { timeout: 120_000 }, () =>
    report.drill(
      {
        drill: 'AWS 5xx burst (production)',
        injected: 'every AWS call of production answers HTTP 503',
        expected: expectedFault,
      },
      () =>
        faultDrill({
          ...sandboxFault('production', { serverError: 503 }),
          error: /503|Unavailable/i,
        }),
    ),
  );

  test('timeouts', { timeout: 120_000 }, () =>
    report.drill(
      {
        drill: 'AWS timeouts (development)',
        injected: 'AWS calls of development never answer (connection held)',
        expected: expectedFault,
      },
      () =>
        faultDrill({
          ...sandboxFault('development', { timeoutMs: null }),
          error: /time|abort/i,
        }),
    ),
  );

  test('region disappears', { timeout: 120_000 }, () =>
    report.drill(
      {
        drill: 'AWS region disappears (production)',
        injected: "production's AWS endpoint refuses connections for a while",
        expected: expectedFault,
      },
      () =>
        faultDrill({
          broken: 'production',
          inject: () => proxy.down(),
          clear: () => proxy.up(),
          error: /ECONNREFUSED|connect|socket/i,
        }),
    ),
  );

  test('slow calls', { timeout: 90_000 }, () =>
    report.drill(
      {
        drill: 'AWS slow calls (production)',
        injected: 'every AWS call of production 250 ms slower',
        expected:
          'both environments keep serving fresh snapshots (slow is not broken)',
      },
      async () => {
        await waitForEnvironments(backend, token, bothHealthy, {
          what: 'both environments healthy',
        });
        const faultAt = Date.now();
        await sandbox.admin('POST', '/faults', {
          id: 'drill',
          environment: 'production',
          latencyMs: 250,
        });
        let seen;
        try {
          // Two full refreshes under the fault, to see it is not a lucky one.
          const first = await waitForEnvironments(
            backend,
            token,
            byName =>
              isFreshSince(byName.production, faultAt) &&
              isFreshSince(byName.development, faultAt) &&
              byName,
            { what: 'fresh snapshots read under the latency' },
          );
          const second = Date.parse(first.production.refreshedAt) + 1;
          seen = await waitForEnvironments(
            backend,
            token,
            byName =>
              isFreshSince(byName.production, second) &&
              isFreshSince(byName.development, second) &&
              byName,
            { what: 'a second fresh snapshot under the latency' },
          );
          const calls = proxy.calls.filter(c => c.at >= faultAt).length;
          assert.ok(calls > 0, 'production was read through the slow endpoint');
        } finally {
          await sandbox.admin('DELETE', '/faults');
        }
        return `production fresh (read at ${seen.production.refreshedAt}, stale=${seen.production.stale}), development fresh; no error`;
      },
    ),
  );

  test('no route works without a token', { timeout: 30_000 }, () =>
    report.drill(
      {
        drill: 'No token',
        injected: 'every environments route called without Authorization',
        expected: '401 on every route',
      },
      async () => {
        const statuses = [];
        for (const route of ROUTES) {
          const res = await backend.get(route);
          assert.equal(res.status, 401, `${route} without a token`);
          statuses.push(res.status);
        }
        const forged = await backend.get(ROUTES[0], 'not-a-jwt');
        assert.equal(forged.status, 401, 'a forged token is refused');
        return `${ROUTES.length} routes: ${statuses.join(
          ', ',
        )}; forged token: ${forged.status}`;
      },
    ),
  );

  test('bad input on routes and query strings', { timeout: 60_000 }, () =>
    report.drill(
      {
        drill: 'Bad input (routes, queries)',
        injected:
          'unknown environment, malformed entity refs, bad enums, object/array smuggling, 5-60 kB values',
        expected:
          '404 for unknown, 400/414/431 with a clear message for malformed; never 5xx or a stack trace',
      },
      async () => {
        const huge = n => 'a'.repeat(n);
        const cases = [
          [
            `${API}/environments/no-such-environment`,
            [404],
            /no-such-environment/,
          ],
          [`${API}/environments/bad%20name!!`, [400], /name/],
          [`${API}/environments/${huge(5000)}`, [400], /name/],
          [`${API}/environments/%E0%A4%A`, [400], /./],
          [`${API}/environments/..%2F..%2Fetc%2Fpasswd`, [400, 404], /./],
          [`${API}/entity/default/api/storefront`, [400], /kind/],
          [
            `${API}/entity/default/component/no-such-component`,
            [404],
            /no-such-component/,
          ],
          [`${API}/entity/de%00fault/component/storefront`, [400], /namespace/],
          [`${API}/entity/default/component/${huge(12000)}`, [400], /name/],
          [`${API}/problems?minSeverity=apocalyptic`, [400], /minSeverity/],
          [
            `${API}/problems?minSeverity=high&minSeverity=low`,
            [400],
            /minSeverity/,
          ],
          [`${API}/problems?area=health&area=nonsense`, [400], /area/],
          [
            `${API}/problems?environment=no-such-environment`,
            [400],
            /no-such-environment/,
          ],
          [`${API}/problems?environment[$ne]=production`, [400], /environment/],
          [`${API}/problems?environment=${huge(12000)}`, [400], /environment/],
          [`${API}/environments/${huge(60000)}`, [400, 414, 431], null],
        ];
        const observed = [];
        for (const [path, statuses, message] of cases) {
          const res = await fetch(`${backend.baseUrl}${path}`, {
            headers: { Authorization: `Bearer ${token}` },
          });
          const text = await res.text();
          const short =
            path.length > 70
              ? `${path.slice(0, 60)}...(${path.length} chars)`
              : path;
          assert.ok(
            statuses.includes(res.status),
            `${short}: HTTP ${res.status}, expected ${statuses.join(
              '/',
            )}: ${text.slice(0, 200)}`,
          );
          assert.ok(
            !looksLikeStack(text),
            `${short}: the response carries a stack trace`,
          );
          if (message) {
            const body = JSON.parse(text);
            assert.equal(
              body.error.stack,
              undefined,
              `${short}: stack in the error`,
            );
            assert.match(
              body.error.message,
              message,
              `${short}: the message says what is wrong`,
            );
          }
          observed.push(res.status);
        }
        const counts = observed.reduce(
          (acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }),
          {},
        );
        const environments = await listEnvironments(backend, token);
        assert.ok(
          bothHealthy(environments),
          'the environments still serve after the abuse',
        );
        return `${cases.length} requests: ${Object.entries(counts)
          .map(([s, n]) => `${n}x ${s}`)
          .join(', ')}; no 5xx, no stack trace, messages name the parameter`;
      },
    ),
  );

  test('catalog annotations with garbage values', { timeout: 60_000 }, () =>
    report.drill(
      {
        drill: 'Garbage catalog annotations',
        injected:
          'catalog Resources (spec.type environment) with account id "banana", a region with SQL, no cluster',
        expected:
          'each appears with an error naming the annotation; production and development keep working',
      },
      async () => {
        const names = Object.keys(BROKEN_ENVIRONMENTS);
        const seen = await waitForEnvironments(
          backend,
          token,
          byName => names.every(n => byName[n]) && byName,
          {
            timeoutMs: 40_000,
            what: 'the broken environments from the catalog',
          },
        );
        for (const [name, { annotation }] of Object.entries(
          BROKEN_ENVIRONMENTS,
        )) {
          const summary = seen[name];
          assert.ok(summary.error, `${name} carries an error`);
          assert.ok(
            summary.error.message.includes(annotation),
            `${name}: "${summary.error.message}" names ${annotation}`,
          );
          assert.equal(summary.status, 'unknown');
          const details = await backend.get(
            `${API}/environments/${name}`,
            token,
          );
          assert.equal(details.status, 200, `GET /v1/environments/${name}`);
          assert.ok(details.body.summary.error.message.includes(annotation));
        }
        assert.ok(bothHealthy(seen), 'production and development still fresh');
        const problems = await backend.get(`${API}/problems`, token);
        assert.equal(problems.status, 200, '/v1/problems still works');
        return (
          names
            .map(n => `${n}: "${seen[n].error.message.slice(0, 90)}"`)
            .join('; ') + '; production, development fresh; /v1/problems 200'
        );
      },
    ),
  );

  /** POSTs JSON as the guest; returns the response text, asserting a 2xx. */
  async function post(path, body) {
    const res = await fetch(`${backend.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `POST ${path}: HTTP ${res.status} ${text.slice(0, 400)}`);
    return text;
  }

  test('secrets stay out of a scaffolder run', { timeout: 240_000 }, () =>
    report.drill(
      {
        drill: 'Secrets in a scaffolder run',
        injected:
          'task from a catalog template: kler:terraform:plan, apply, output with two secrets as Terraform variables',
        expected:
          'no secret (clear or base64) in the task log, task and outputs, or backend log; masked as ***; non-sensitive output returned',
      },
      async () => {
        const linesBefore = backend.lines.length;
        await backend.waitForEntity('template', 'drill-secrets', token);
        const { id } = JSON.parse(
          await post('/api/scaffolder/v2/tasks', {
            templateRef: 'template:default/drill-secrets',
            values: {},
            secrets: SECRETS,
          }),
        );
        const task = await waitFor(
          async () => {
            const res = await backend.get(
              `/api/scaffolder/v2/tasks/${id}`,
              token,
            );
            return (
              ['completed', 'failed', 'cancelled'].includes(res.body.status) &&
              res.body
            );
          },
          {
            timeoutMs: 180_000,
            intervalMs: 1000,
            what: 'the scaffolder task to finish',
          },
        );
        const eventsText = (
          await backend.get(`/api/scaffolder/v2/tasks/${id}/events`, token)
        ).body;
        const events = Array.isArray(eventsText) ? eventsText : [];
        const taskLog = events.map(e => e.body?.message ?? '').join('\n');
        assert.equal(
          task.status,
          'completed',
          `task ${task.status}: ${taskLog.slice(-800)}`,
        );
        const completion = events.find(e => e.type === 'completion');
        assert.equal(
          completion?.body?.output?.cluster,
          'kler-drill',
          'the non-sensitive output is returned',
        );
        assert.match(
          taskLog,
          /input\s+=\s+"\*\*\*"/,
          'the task log shows the masked variable',
        );
        assert.deepEqual(
          leakedSecrets(JSON.stringify(events)),
          [],
          'secrets in the task log',
        );
        assert.deepEqual(
          leakedSecrets(JSON.stringify(task)),
          [],
          'secrets in the task',
        );
        assert.deepEqual(
          leakedSecrets(backend.lines.slice(linesBefore).join('\n')),
          [],
          'secrets in the backend log',
        );
        const masked = (taskLog.match(/\*\*\*/g) ?? []).length;
        return (
          `task completed: ${events.length} events, ${masked} masked values, output cluster=kler-drill; ` +
          `0 secrets in log, task, outputs or backend log`
        );
      },
    ),
  );

  test('secrets stay out of a scaffolder dry-run', { timeout: 120_000 }, () =>
    report.drill(
      {
        drill: 'Secrets in a scaffolder dry-run',
        injected:
          'dry-run of kler:terraform:plan, apply, output with two secrets as Terraform variables (one not sensitive in Terraform)',
        expected:
          'nothing is planned in a dry run (no plan file, no credentials); no secret (clear, base64, or inside a returned zip/plan file) in the dry-run result or backend log',
      },
      async () => {
        const linesBefore = backend.lines.length;
        const skeleton = Object.entries(SECRETS_TERRAFORM).map(
          ([name, text]) => ({
            path: `skeleton/${name}`,
            base64Content: Buffer.from(text).toString('base64'),
          }),
        );
        const dryRunText = await post('/api/scaffolder/v2/dry-run', {
          template: secretsTemplate(),
          values: {},
          secrets: SECRETS,
          directoryContents: skeleton,
        });
        const dryRun = JSON.parse(dryRunText);
        const dryRunLog = dryRun.log.map(l => l.body.message).join('\n');
        // A dry run's template and files come from the request: Terraform
        // never plans them, so no saved plan (which holds every variable's
        // value) exists to leak.
        assert.match(
          dryRunLog,
          /Plan skipped: dry run: nothing is planned in a dry run/,
          'the dry run plans nothing',
        );
        assert.doesNotMatch(dryRunLog, /\$ terraform plan/);
        assert.deepEqual(
          leakedSecrets(dryRunText),
          [],
          'secrets in the dry-run result',
        );
        const inFiles = dryRun.directoryContents.flatMap(file =>
          leakedSecretsInFile(
            file.path,
            Buffer.from(file.base64Content, 'base64'),
          ),
        );
        assert.deepEqual(
          inFiles,
          [],
          'secrets in the files the dry-run returns',
        );
        assert.deepEqual(
          leakedSecrets(backend.lines.slice(linesBefore).join('\n')),
          [],
          'secrets in the backend log',
        );
        return (
          `${dryRun.log.length} log lines, plan skipped (dry run), ` +
          `${dryRun.directoryContents.length} files returned; 0 secrets anywhere`
        );
      },
    ),
  );

  test(
    '50 clients polling while an environment flaps',
    { timeout: 600_000 },
    () =>
      report.drill(
        {
          drill: 'Load with a flapping environment',
          injected: `50 clients polling /v1/environments and /v1/problems for ${loadSeconds()} s; production 503s on/off every 3 s`,
          expected:
            'zero non-2xx or network errors at the clients; report p50/p95',
        },
        async () => {
          const result = await loadDrill({
            backend,
            token,
            sandbox,
            seconds: loadSeconds(),
          });
          assert.equal(
            result.errors,
            0,
            `errors at the clients: ${JSON.stringify(result.errorSamples)}`,
          );
          assert.ok(result.requests > 50, 'the clients made requests');
          await waitForEnvironments(backend, token, bothHealthy, {
            what: 'both environments healthy after the load',
          });
          return (
            `${result.requests} requests, ${result.errors} errors, p50 ${result.p50} ms, p95 ${result.p95} ms, ` +
            `${result.flaps} fault toggles, production stale in ${result.staleSeen} responses`
          );
        },
      ),
  );

  test('the backend logged no error', () =>
    report.drill(
      {
        drill: 'Backend log after the drills above',
        injected: '-',
        expected: 'no line at level error, no crash',
      },
      async () => {
        assert.deepEqual(backend.errorLines(), []);
        return `${backend.lines.length} log lines, none at level error`;
      },
    ));
});

describe('withheld permission and broken config', () => {
  let denied;
  let startupFailures;

  before(() =>
    report.setup('withheld permission and broken config', async () => {
      // The three failing starts run beside the denied backend to save time.
      const failing = {
        'environments.refresh.frequency': { refresh: { frequency: 'banana' } },
        'environments.aws.concurrency': { aws: { concurrency: -1 } },
        'environments.environments[0].endpoint': {
          environments: [{ name: 'production', endpoint: 'not a url' }],
        },
      };
      const [backend, ...messages] = await Promise.all([
        startBackend({
          config: drillBackendConfig({
            ...sandboxConfig({
              endpoints: { production: sandbox.url, development: sandbox.url },
            }),
            kler: { permissions: { denied: ['environments.read'] } },
          }),
          env: drillBackendEnv,
        }),
        ...Object.values(failing).map(environments =>
          withTimeout(
            expectStartupFailure({
              config: drillBackendConfig({ environments }),
              env: drillBackendEnv,
            }),
            150_000,
            'a backend with broken config to exit',
          ).catch(error => `NOT FAILED AS EXPECTED: ${error.message}`),
        ),
      ]);
      denied = backend;
      startupFailures = Object.fromEntries(
        Object.keys(failing).map((key, i) => [key, messages[i]]),
      );
    }),
  );

  after(() => denied?.stop());

  test('environments.read withheld', { timeout: 60_000 }, () =>
    report.drill(
      {
        drill: 'Permission withheld',
        injected: 'kler.permissions.denied: [environments.read]',
        expected:
          '403 on every environments route with a token, 401 without; the catalog still answers',
      },
      async () => {
        const token = await denied.guestToken();
        const seen = [];
        for (const route of ROUTES) {
          const withToken = await denied.get(route, token);
          assert.equal(withToken.status, 403, `${route} with a token`);
          assert.match(withToken.body.error.message, /environments\.read/);
          const without = await denied.get(route);
          assert.equal(without.status, 401, `${route} without a token`);
          seen.push(`${withToken.status}/${without.status}`);
        }
        const catalog = await denied.get(
          '/api/catalog/entities?limit=1',
          token,
        );
        assert.equal(catalog.status, 200, 'only environments.read is withheld');
        assert.deepEqual(denied.errorLines(), []);
        return `${ROUTES.length} routes with/without token: ${seen.join(
          ', ',
        )}; catalog 200`;
      },
    ),
  );

  for (const [key, value] of [
    ['environments.refresh.frequency', 'banana'],
    ['environments.aws.concurrency', '-1'],
    ['environments.environments[0].endpoint', 'not a url'],
  ]) {
    test(`malformed config: ${key}`, () =>
      report.drill(
        {
          drill: `Malformed config ${key}`,
          injected: `${key}: ${value}`,
          expected: 'the backend fails at start with a message naming the key',
        },
        async () => {
          const message = startupFailures[key];
          assert.doesNotMatch(message, /^NOT FAILED AS EXPECTED/, message);
          assert.match(message, /backend exited with [1-9]/);
          const line = message
            .split('\n')
            .find(l => l.includes(`Invalid config at ${key}`));
          assert.ok(line, `no line names ${key}:\n${message.slice(-1500)}`);
          // The line is a JSON log record; quote its message only.
          const said = line
            .slice(line.indexOf('Invalid config'))
            .split('","')[0]
            .replace(/\\"/g, "'");
          return `exited non-zero: "${said.slice(0, 160)}"`;
        },
      ));
  }
});

describe('two replicas on one PostgreSQL and one Redis', () => {
  let postgres;
  let redis;
  let proxy;
  const replicas = {};
  const tokens = {};

  before(() =>
    report.setup('two replicas on one PostgreSQL and one Redis', async () => {
      [postgres, redis, proxy] = await Promise.all([
        startPostgres(),
        startRedis(),
        startAwsProxy(sandbox.url),
      ]);
      const env = {
        ...drillBackendEnv,
        POSTGRES_HOST: postgres.host,
        POSTGRES_PORT: String(postgres.port),
        POSTGRES_USER: postgres.user,
        POSTGRES_PASSWORD: postgres.password,
        KLER_PORTAL_URL: 'http://localhost:3000',
        BACKEND_SECRET: `drill-${process.pid}-${Date.now()}`,
        REDIS_URL: redis.url,
      };
      const start = name =>
        startBackend({
          configFiles: [
            'app-config.production.yaml',
            'scripts/smoke/app-config.smoke.yaml',
          ],
          config: drillBackendConfig({
            // Same endpoints in both, so both read and write the same snapshots;
            // the access key suffix tells their AWS calls apart.
            ...sandboxConfig({
              endpoints: { production: proxy.url, development: proxy.url },
              keySuffix: name,
            }),
            backend: { cache: { store: 'redis', connection: redis.url } },
          }),
          env,
        });
      // One after the other, as a rolling deployment does: started at the same
      // moment, one of them loses the race for the catalog's migration lock and
      // exits (MigrationLocked).
      replicas.A = await start('A');
      replicas.B = await start('B');
      for (const name of ['A', 'B']) {
        tokens[name] = await replicas[name].guestToken();
        await waitForEnvironments(replicas[name], tokens[name], bothHealthy, {
          timeoutMs: 90_000,
          what: `replica ${name} serving both environments`,
        });
      }
    }),
  );

  after(async () => {
    await sandbox.admin('DELETE', '/faults');
    await Promise.all(Object.values(replicas).map(r => r.stop()));
    await proxy?.stop();
    redis?.stop();
    postgres?.stop();
  });

  /** DescribeClusters calls (one per refresh of one environment) by replica, since `since`. */
  const refreshCalls = (since, account) =>
    proxy.calls.filter(
      c =>
        c.at >= since &&
        c.operation === 'DescribeClusters' &&
        c.accessKeyId?.includes(account),
    );
  const replicaOf = call => call.accessKeyId.slice(-1);

  test(
    'one refresher at a time, one snapshot for both',
    { timeout: 90_000 },
    () =>
      report.drill(
        {
          drill: 'Replicas share the refresh',
          injected: `2 backends, production config, one PostgreSQL + one Redis, refresh every ${REFRESH_SECONDS} s`,
          expected:
            'each environment refreshed by one replica at a time; both serve the same snapshot',
        },
        async () => {
          const windowMs = 14_000;
          const since = Date.now();
          await sleep(windowMs);
          const observed = [];
          for (const [name, account] of Object.entries(ACCOUNTS)) {
            const calls = refreshCalls(since, account).filter(
              c => c.at <= since + windowMs,
            );
            const gaps = calls.slice(1).map((c, i) => c.at - calls[i].at);
            const minGap = Math.min(...gaps);
            assert.ok(
              calls.length >= 3,
              `${name} refreshed ${calls.length} times in ${windowMs} ms`,
            );
            assert.ok(
              calls.length <= windowMs / (REFRESH_SECONDS * 1000) + 2,
              `${name} refreshed ${calls.length} times in ${windowMs} ms: both replicas refresh`,
            );
            assert.ok(
              minGap >= (REFRESH_SECONDS * 1000) / 2,
              `two refreshes of ${name} ${minGap} ms apart: they overlap`,
            );
            const byReplica = calls.reduce(
              (acc, c) => ({
                ...acc,
                [replicaOf(c)]: (acc[replicaOf(c)] ?? 0) + 1,
              }),
              {},
            );
            observed.push(
              `${name}: ${calls.length} refreshes in ${
                windowMs / 1000
              } s (${Object.entries(byReplica)
                .map(([r, n]) => `${r}:${n}`)
                .join(' ')}), min gap ${(minGap / 1000).toFixed(1)} s`,
            );
          }
          const agreed = await waitFor(
            async () => {
              const [a, b] = await Promise.all([
                listEnvironments(replicas.A, tokens.A),
                listEnvironments(replicas.B, tokens.B),
              ]);
              return (
                ['production', 'development'].every(
                  n => a[n].refreshedAt === b[n].refreshedAt && !a[n].stale,
                ) && a
              );
            },
            {
              timeoutMs: 15_000,
              intervalMs: 100,
              what: 'both replicas to serve the same snapshots',
            },
          );
          return `${observed.join('; ')}; both serve production read at ${
            agreed.production.refreshedAt
          }`;
        },
      ),
  );

  test(
    'killing the refreshing replica mid-refresh loses nothing',
    { timeout: 150_000 },
    () =>
      report.drill(
        {
          drill: 'Replica killed mid-refresh',
          injected:
            'SIGKILL of the replica while it is reading AWS (calls slowed by 150 ms)',
          expected:
            'the other keeps serving (all 200, snapshots intact) and takes over the refresh',
        },
        async () => {
          await sandbox.admin('POST', '/faults', {
            id: 'slow',
            latencyMs: 300,
          });
          const armedAt = Date.now();
          const call = await waitFor(
            async () =>
              proxy.calls.find(
                c => c.at >= armedAt && c.operation === 'DescribeClusters',
              ),
            { timeoutMs: 20_000, intervalMs: 20, what: 'a refresh to start' },
          );
          const victim = replicaOf(call);
          const survivor = victim === 'A' ? 'B' : 'A';
          const killedAt = Date.now();
          process.kill(-replicas[victim].pid, 'SIGKILL');
          await waitFor(async () => replicas[victim].exitCode() !== undefined, {
            timeoutMs: 10_000,
            intervalMs: 50,
            what: `replica ${victim} to die`,
          });
          // The dead replica's refresh lease expires and the survivor takes
          // it over (the drill _Refresh owner killed_ times it). Meanwhile
          // every answer of the survivor must still be a full one.
          let polls = 0;
          const backend = replicas[survivor];
          const taken = await waitFor(
            async () => {
              const byName = await listEnvironments(backend, tokens[survivor]);
              polls += 1;
              for (const name of ['production', 'development']) {
                assert.equal(
                  byName[name].counts.services,
                  5,
                  `${name} lost its snapshot`,
                );
              }
              return (
                ['production', 'development'].every(n =>
                  isFreshSince(byName[n], killedAt),
                ) && byName
              );
            },
            {
              timeoutMs: 100_000,
              intervalMs: 250,
              what: `replica ${survivor} to refresh after the kill`,
            },
          );
          await sandbox.admin('DELETE', '/faults');
          const takeover = (Date.now() - killedAt) / 1000;
          const afterKill = proxy.calls.filter(
            c => c.at > killedAt + 1000 && c.accessKeyId,
          );
          assert.ok(
            afterKill.every(c => replicaOf(c) === survivor),
            'only the survivor reads AWS after the kill',
          );
          assert.deepEqual(backend.errorLines(), []);
          return (
            `killed ${victim} during a refresh; ${survivor} answered ${polls} polls, all 200 with both snapshots, ` +
            `and served fresh snapshots ${takeover.toFixed(
              1,
            )} s after the kill (read at ${taken.production.refreshedAt})`
          );
        },
      ),
  );
});

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
        ms,
      );
    }),
  ]);
}

function loadSeconds() {
  const value = Number(process.env.KLER_DRILL_LOAD_SECONDS ?? 60);
  return Number.isFinite(value) && value > 0 ? value : 60;
}

async function loadDrill({ backend, token, sandbox, seconds }) {
  const deadline = Date.now() + seconds * 1000;
  const latencies = [];
  const errorSamples = [];
  let requests = 0;
  let errors = 0;
  let staleSeen = 0;
  let flaps = 0;

  const flapper = (async () => {
    let on = false;
    while (Date.now() < deadline) {
      on = !on;
      if (on) {
        await sandbox.admin('POST', '/faults', {
          id: 'flap',
          environment: 'production',
          serverError: 503,
        });
      } else {
        await sandbox.admin('DELETE', '/faults/flap');
      }
      flaps += 1;
      await sleep(Math.min(3000, Math.max(0, deadline - Date.now())));
    }
    await sandbox.admin('DELETE', '/faults');
  })();

  const client = async index => {
    let n = index;
    while (Date.now() < deadline) {
      const path = n++ % 2 === 0 ? `${API}/environments` : `${API}/problems`;
      const started = performance.now();
      requests += 1;
      try {
        const res = await fetch(`${backend.baseUrl}${path}`, {
          headers: { Authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(15_000),
        });
        const body = await res.text();
        latencies.push(performance.now() - started);
        if (res.status < 200 || res.status >= 300) {
          errors += 1;
          if (errorSamples.length < 5)
            errorSamples.push(`${path}: ${res.status} ${body.slice(0, 120)}`);
        } else if (
          path.endsWith('/environments') &&
          JSON.parse(body).items.some(e => e.name === 'production' && e.stale)
        ) {
          staleSeen += 1;
        }
      } catch (error) {
        errors += 1;
        if (errorSamples.length < 5)
          errorSamples.push(`${path}: ${error.name} ${error.message}`);
      }
    }
  };
  await Promise.all([
    flapper,
    ...Array.from({ length: 50 }, (_, i) => client(i)),
  ]);
  latencies.sort((a, b) => a - b);
  return {
    requests,
    errors,
    errorSamples,
    p50: Math.round(percentile(latencies, 50)),
    p95: Math.round(percentile(latencies, 95)),
    flaps,
    staleSeen,
  };
}

describeProvisioningDrills({ report, sandboxUrl: () => sandbox.url });
describeRestartDrills({ report, sandboxUrl: () => sandbox.url });
describeVariableValuesDrills({ report, sandboxUrl: () => sandbox.url });
describeInterruptedApplyDrills({ report, sandboxUrl: () => sandbox.url });
describeOwnershipDrills({ report, sandbox: () => sandbox });
