import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { RunningSandbox, startSandbox } from '@kler/aws-sandbox';
import {
  ENVIRONMENT_AREAS,
  PROBLEM_SEVERITIES,
} from '@kler/plugin-environments-common';
import { metrics } from '@opentelemetry/api';
import {
  DataPoint,
  MeterProvider,
  MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import path from 'node:path';
import request from 'supertest';
import { environmentEntity } from '../__testUtils__/fixtures';
import { environmentsPlugin } from '../plugin';

/*
 * The plugin's metrics as OpenTelemetry collects them, read through an
 * in-memory reader set as the global meter provider (Backstage's metrics
 * service takes its meters from it), after refreshes against the AWS
 * sandbox in this process with Backup denied and ECS throttled.
 */

jest.setTimeout(120_000);

const KLER_SCENARIO = path.join(
  path.dirname(require.resolve('@kler/aws-sandbox/package.json')),
  'scenarios',
  'kler.yaml',
);
const SCOPE = 'backstage-plugin-environments';
const ENVIRONMENTS = ['development', 'production'];

const awsConfig = {
  aws: {
    accounts: ['111111111111', '222222222222'].map(accountId => ({
      accountId,
      accessKeyId: `SANDBOX${accountId}`,
      secretAccessKey: 'sandbox',
    })),
  },
};

/** Collects on demand: what a Prometheus scrape would read. */
class InMemoryReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

/** The SDK clients the reader uses, as the SDK names them (less `Client`). */
const AWS_SERVICES = [
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
];
const ROUTES = [
  '/v1/environments',
  '/v1/environments/:name',
  '/v1/environments/:name/services',
  '/v1/environments/:name/runs',
  '/v1/entity/:namespace/:kind/:name',
  '/v1/problems',
  'unmatched',
];

/** The values each label may take: every one from a bounded set. */
const BOUNDED_LABELS: Record<string, (value: unknown) => boolean> = {
  environment: value => ENVIRONMENTS.includes(value as string),
  outcome: value =>
    ['success', 'failure', 'timeout', 'throttled', 'error'].includes(
      value as string,
    ),
  area: value => (ENVIRONMENT_AREAS as unknown[]).includes(value),
  severity: value => (PROBLEM_SEVERITIES as unknown[]).includes(value),
  service: value => AWS_SERVICES.includes(value as string),
  // An SDK command of a read, less `Command`: never an id or an ARN.
  operation: value =>
    typeof value === 'string' && /^(Describe|List|Get)[A-Za-z]+$/.test(value),
  method: value => ['GET', 'POST'].includes(value as string),
  route: value => ROUTES.includes(value as string),
  status_code: value =>
    typeof value === 'number' && value >= 100 && value < 600,
};

const METRIC_LABELS: Record<string, string[]> = {
  'environments.refresh.duration': ['environment', 'outcome'],
  'environments.read.errors': ['area', 'environment'],
  'environments.snapshot.age': ['environment'],
  'environments.problems': ['environment', 'severity'],
  'environments.aws.calls': ['operation', 'outcome', 'service'],
  'environments.http.request.duration': ['method', 'route', 'status_code'],
};

let sandbox: RunningSandbox;
const reader = new InMemoryReader();

beforeAll(async () => {
  // Before the backend starts: the metrics service takes its meter at start.
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  sandbox = await startSandbox({ port: 0, scenario: KLER_SCENARIO });
});

afterAll(async () => {
  await sandbox?.close();
  await reader.shutdown();
  metrics.disable();
});

async function collect(): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const scope = resourceMetrics.scopeMetrics.find(s => s.scope.name === SCOPE);
  return new Map((scope?.metrics ?? []).map(m => [m.descriptor.name, m]));
}

function pointsOf(
  collected: Map<string, MetricData>,
  name: string,
): DataPoint<unknown>[] {
  const metric = collected.get(name);
  return (metric?.dataPoints ?? []) as DataPoint<unknown>[];
}

function labelsOf(point: DataPoint<unknown>) {
  return point.attributes as Record<string, unknown>;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('environments metrics', () => {
  it('are exported with bounded labels after a refresh of the sandbox', async () => {
    // Production's Backup is denied (a read error of its area), and its ECS
    // answers only two calls a second (throttled answers, retried).
    sandbox.admin.addFault({
      environment: 'production',
      service: 'backup',
      accessDenied: true,
    });
    sandbox.admin.addFault({
      environment: 'production',
      service: 'ecs',
      throttle: { ratePerSecond: 2, burst: 1 },
    });
    try {
      const { server } = await startTestBackend({
        features: [
          environmentsPlugin,
          mockServices.rootConfig.factory({
            data: {
              ...awsConfig,
              environments: {
                environments: ENVIRONMENTS.map(name => ({
                  name,
                  endpoint: sandbox.url,
                })),
                aws: { maxAttempts: 10 },
              },
            },
          }),
          catalogServiceMock.factory({
            entities: ENVIRONMENTS.map(name =>
              environmentEntity(name, {
                'kler.io/well-architected-workload-id': `kler-${name}`,
              }),
            ),
          }),
        ],
      });

      // The first requests read both environments; wait for the whole reads.
      for (const name of ENVIRONMENTS) {
        expect(
          (
            await request(server).get(
              `/api/environments/v1/environments/${name}`,
            )
          ).status,
        ).toBe(200);
      }
      const deadline = Date.now() + 60_000;
      let refreshes = pointsOf(
        await collect(),
        'environments.refresh.duration',
      );
      while (
        new Set(refreshes.map(p => labelsOf(p).environment)).size < 2 &&
        Date.now() < deadline
      ) {
        await sleep(200);
        refreshes = pointsOf(await collect(), 'environments.refresh.duration');
      }

      // Requests of several routes, one unknown environment and one unknown path.
      const responses = await Promise.all(
        [
          '/api/environments/v1/environments',
          '/api/environments/v1/problems?environment=production&minSeverity=high',
          '/api/environments/v1/environments/production/services',
          '/api/environments/v1/environments/nowhere',
          '/api/environments/v1/no/such/route',
        ].map(url => request(server).get(url)),
      );
      expect(responses.map(r => r.status)).toEqual([200, 200, 200, 404, 404]);

      const collected = await collect();

      // Every metric is there, each with exactly its labels, each label
      // with a value from its bounded set.
      expect([...collected.keys()].sort()).toEqual(
        Object.keys(METRIC_LABELS).sort(),
      );
      for (const [name, metric] of collected) {
        expect(metric.dataPoints.length).toBeGreaterThan(0);
        for (const point of metric.dataPoints as DataPoint<unknown>[]) {
          const labels = labelsOf(point);
          expect({ name, keys: Object.keys(labels).sort() }).toEqual({
            name,
            keys: METRIC_LABELS[name],
          });
          for (const [key, value] of Object.entries(labels)) {
            expect({
              name,
              key,
              value,
              bounded: BOUNDED_LABELS[key](value),
            }).toEqual({ name, key, value, bounded: true });
          }
        }
      }
      expect(
        collected.get('environments.refresh.duration')?.descriptor.unit,
      ).toBe('s');

      // Both environments refreshed successfully, in a measured time.
      const refreshPoints = pointsOf(
        collected,
        'environments.refresh.duration',
      );
      expect(
        refreshPoints
          .map(p => [labelsOf(p).environment, labelsOf(p).outcome])
          .sort(),
      ).toEqual([
        ['development', 'success'],
        ['production', 'success'],
      ]);
      for (const point of refreshPoints) {
        const histogram = point.value as { count: number; sum: number };
        expect(histogram.count).toBe(1);
        expect(histogram.sum).toBeGreaterThan(0);
      }

      // Production's Backup area failed to read, and only it.
      expect(
        pointsOf(collected, 'environments.read.errors').map(p => [
          labelsOf(p),
          p.value,
        ]),
      ).toEqual([[{ environment: 'production', area: 'backup' }, 1]]);

      // Both snapshots are seconds old.
      const ages = pointsOf(collected, 'environments.snapshot.age');
      expect(ages.map(p => labelsOf(p).environment).sort()).toEqual(
        ENVIRONMENTS,
      );
      for (const age of ages) {
        expect(age.value).toBeGreaterThanOrEqual(0);
        expect(age.value).toBeLessThan(120);
      }

      // Each environment's problems, by severity, as its summary counts them.
      // Both are read at their own moment while later reads fill in the
      // progressive parts (task definitions), so they are compared until a
      // gauge and a summary read back to back agree, for 30 s at most.
      const problemsBySummary = async () => {
        const items = (
          await request(server).get('/api/environments/v1/environments')
        ).body.items as Array<{
          name: string;
          counts: { problems: Record<string, number> };
        }>;
        return Object.fromEntries(
          items.flatMap(item =>
            PROBLEM_SEVERITIES.map(severity => [
              `${item.name}/${severity}`,
              item.counts.problems[severity],
            ]),
          ),
        );
      };
      const problemsByGauge = async () =>
        Object.fromEntries(
          pointsOf(await collect(), 'environments.problems').map(point => {
            const { environment, severity } = labelsOf(point) as Record<
              string,
              string
            >;
            return [`${environment}/${severity}`, point.value];
          }),
        );
      const agreeBy = Date.now() + 30_000;
      let gauge = await problemsByGauge();
      let bySummary = await problemsBySummary();
      while (
        JSON.stringify(gauge) !== JSON.stringify(bySummary) &&
        Date.now() < agreeBy
      ) {
        await sleep(500);
        gauge = await problemsByGauge();
        bySummary = await problemsBySummary();
      }
      expect(gauge).toEqual(bySummary);
      const problems = pointsOf(collected, 'environments.problems');
      expect(problems).toHaveLength(
        ENVIRONMENTS.length * PROBLEM_SEVERITIES.length,
      );
      expect(problems.some(p => (p.value as number) > 0)).toBe(true);

      // AWS requests per service and operation: ECS throttled (and retried
      // to success), Backup denied.
      const calls = pointsOf(collected, 'environments.aws.calls');
      const callCount = (filter: Record<string, string>) =>
        calls
          .filter(p =>
            Object.entries(filter).every(([k, v]) => labelsOf(p)[k] === v),
          )
          .reduce((sum, p) => sum + (p.value as number), 0);
      expect(
        callCount({ service: 'ECS', outcome: 'throttled' }),
      ).toBeGreaterThan(0);
      expect(
        callCount({
          service: 'ECS',
          operation: 'DescribeServices',
          outcome: 'success',
        }),
      ).toBeGreaterThan(0);
      expect(
        callCount({ service: 'Backup', outcome: 'error' }),
      ).toBeGreaterThan(0);
      expect(
        callCount({ service: 'WellArchitected', outcome: 'success' }),
      ).toBeGreaterThan(0);

      // Requests by route template, never by URL.
      const requests = pointsOf(
        collected,
        'environments.http.request.duration',
      );
      const requestLabels = requests.map(p => labelsOf(p));
      expect(requestLabels).toEqual(
        expect.arrayContaining([
          { method: 'GET', route: '/v1/environments', status_code: 200 },
          { method: 'GET', route: '/v1/environments/:name', status_code: 200 },
          { method: 'GET', route: '/v1/environments/:name', status_code: 404 },
          { method: 'GET', route: '/v1/problems', status_code: 200 },
          {
            method: 'GET',
            route: '/v1/environments/:name/services',
            status_code: 200,
          },
          { method: 'GET', route: 'unmatched', status_code: 404 },
        ]),
      );
    } finally {
      sandbox.admin.clearFaults();
    }
  });
});
