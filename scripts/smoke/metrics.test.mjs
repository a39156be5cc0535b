// The backend's Prometheus endpoint (packages/backend/src/instrumentation.js,
// loaded with --require as ./kler start does when KLER_METRICS_PORT is set),
// scraped from the real backend reading the AWS sandbox: the environments
// metrics are there, each with its labels, and every label value comes from
// a bounded set (no ARN, id, message, user or URL). The backend must log no
// error.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, startBackend } from '../lib/backend.mjs';
import { freePort, waitFor } from '../lib/net.mjs';
import { startSandbox } from '../lib/sandbox.mjs';

const ENVIRONMENTS = ['development', 'production'];
const SCOPE = 'backstage-plugin-environments';

/** Each metric's series name(s) in Prometheus, and its labels. */
const METRICS = {
  environments_refresh_duration: {
    type: 'histogram',
    labels: ['environment', 'outcome'],
  },
  environments_snapshot_age: { type: 'gauge', labels: ['environment'] },
  environments_problems: { type: 'gauge', labels: ['environment', 'severity'] },
  environments_aws_calls_total: {
    type: 'counter',
    labels: ['operation', 'outcome', 'service'],
  },
  environments_http_request_duration: {
    type: 'histogram',
    labels: ['method', 'route', 'status_code'],
  },
};

const BOUNDED = {
  environment: v => ENVIRONMENTS.includes(v),
  outcome: v =>
    ['success', 'failure', 'timeout', 'throttled', 'error'].includes(v),
  severity: v => ['critical', 'high', 'medium', 'low'].includes(v),
  area: v =>
    [
      'services',
      'scaling',
      'backup',
      'wellArchitected',
      'workload',
      'provisioning',
    ].includes(v),
  service: v =>
    [
      'ECS',
      'ApplicationAutoScaling',
      'AutoScaling',
      'CloudWatch',
      'ElasticLoadBalancingV2',
      'Backup',
      'WellArchitected',
      'ResourceGroupsTaggingAPI',
      'SSM',
      'SecretsManager',
      'ECR',
      'EFS',
    ].includes(v),
  operation: v => /^(Describe|List|Get)[A-Za-z]+$/.test(v),
  method: v => ['GET', 'POST'].includes(v),
  route: v =>
    v === 'unmatched' || /^\/v1\/[a-z]+(\/(:[a-z]+|[a-z]+))*$/.test(v),
  status_code: v => /^[1-5]\d\d$/.test(v),
  le: v => v === '+Inf' || Number.isFinite(Number(v)),
  otel_scope_name: v => v === SCOPE,
};

/** Prometheus' text format, as series: name, labels, value. */
function parseScrape(text) {
  const series = [];
  const types = new Map();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(
      /(\w+)="((?:[^"\\]|\\.)*)"/g,
    )) {
      labels[key] = value;
    }
    series.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return { series, types };
}

function familyOf(name) {
  return Object.keys(METRICS).find(
    family =>
      name === family ||
      ['_bucket', '_sum', '_count'].some(suffix => name === family + suffix),
  );
}

describe('Prometheus metrics of the real backend, over the AWS sandbox', () => {
  let sandbox;
  let backend;
  let metricsUrl;

  before(async () => {
    sandbox = await startSandbox();
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    backend = await startBackend({
      config: {
        aws: {
          accounts: ['222222222222', '111111111111'].map(accountId => ({
            accountId,
            accessKeyId: `SANDBOX${accountId}`,
            secretAccessKey: 'sandbox-placeholder',
          })),
        },
        environments: {
          defaultEndpoint: sandbox.url,
          refresh: { frequency: { seconds: 5 } },
        },
      },
      nodeArgs: [
        '--require',
        join(repoRoot, 'packages/backend/src/instrumentation.js'),
      ],
      env: { KLER_METRICS_PORT: String(metricsPort) },
    });
  });
  after(async () => {
    await backend?.stop();
    sandbox?.stop();
  });

  test('serves the environments metrics with bounded labels', async () => {
    const token = await backend.guestToken();
    // Both environments read whole, and requests of a route with a path
    // parameter (one known, one unknown) and of no route.
    await waitFor(
      async () => {
        const res = await backend.get(
          '/api/environments/v1/environments',
          token,
        );
        return (
          res.status === 200 &&
          res.body.items.length === 2 &&
          res.body.items.every(e => e.refreshedAt && !e.pending)
        );
      },
      { timeoutMs: 90_000, what: 'both environments read from the sandbox' },
    );
    assert.equal(
      (await backend.get('/api/environments/v1/environments/production', token))
        .status,
      200,
    );
    assert.equal(
      (await backend.get('/api/environments/v1/environments/nowhere', token))
        .status,
      404,
    );

    const response = await fetch(metricsUrl);
    assert.equal(response.status, 200);
    const { series, types } = parseScrape(await response.text());

    const ours = series.filter(s => s.name.startsWith('environments_'));
    for (const [family, { type, labels }] of Object.entries(METRICS)) {
      assert.equal(types.get(family), type, family);
      const samples = ours.filter(s => familyOf(s.name) === family);
      assert.ok(samples.length > 0, `no samples of ${family}`);
      for (const sample of samples) {
        const expected = [
          ...labels,
          'otel_scope_name',
          ...(sample.name.endsWith('_bucket') ? ['le'] : []),
        ].sort();
        assert.deepEqual(Object.keys(sample.labels).sort(), expected, family);
      }
    }
    // Every label of every environments series holds a bounded value.
    for (const sample of ours) {
      for (const [key, value] of Object.entries(sample.labels)) {
        assert.ok(BOUNDED[key]?.(value), `${sample.name} ${key}="${value}"`);
      }
    }

    const find = (name, labels) =>
      ours.find(
        s =>
          s.name === name &&
          Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
    for (const environment of ENVIRONMENTS) {
      assert.ok(
        find('environments_refresh_duration_count', {
          environment,
          outcome: 'success',
        })?.value >= 1,
        environment,
      );
      const age = find('environments_snapshot_age', { environment });
      assert.ok(
        age.value >= 0 && age.value < 60,
        `${environment}: ${age.value}`,
      );
    }
    assert.ok(
      find('environments_aws_calls_total', {
        service: 'ECS',
        operation: 'DescribeServices',
        outcome: 'success',
      })?.value >= 1,
    );
    assert.ok(
      find('environments_http_request_duration_count', {
        route: '/v1/environments/:name',
        status_code: '404',
      })?.value >= 1,
    );
    assert.ok(
      find('environments_http_request_duration_count', {
        route: '/v1/environments/:name',
        status_code: '200',
      })?.value >= 1,
    );

    assert.deepEqual(backend.errorLines(), []);
  });
});
