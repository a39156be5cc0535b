import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityEnvironmentsResponse,
  EnvironmentDetailsResponse,
  EnvironmentListResponse,
  EnvironmentServicesResponse,
  ProblemListResponse,
  compareProblems,
  evaluateEnvironment,
} from '@kler/plugin-environments-common';
import request from 'supertest';
import {
  FakeEnvironmentReader,
  componentEntity,
  ecsService,
  environmentEntity,
} from './__testUtils__/fixtures';
import { environmentReaderServiceRef, environmentsPlugin } from './plugin';

const system = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'kler-shop', namespace: 'default' },
  spec: { owner: 'platform-team' },
};

const entities = [
  environmentEntity('production'),
  environmentEntity('development'),
  environmentEntity('broken', { 'kler.io/aws-account-id': 'not-an-account' }),
  componentEntity(
    'shop-api',
    { 'kler.io/ecs-service-name': 'shop-api' },
    'kler-shop',
  ),
  componentEntity(
    'storefront',
    { 'kler.io/ecs-service-name': 'storefront' },
    'kler-shop',
  ),
  componentEntity('legacy-admin', {
    'aws.amazon.com/amazon-ecs-service-arn':
      'arn:aws:ecs:eu-west-1:222222222222:service/kler-production/admin-panel',
  }),
  system,
];

const config = {
  environments: {
    environments: [
      { name: 'development', endpoint: 'http://127.0.0.1:4566' },
      {
        name: 'lab',
        tier: 'development',
        accountId: '333333333333',
        region: 'eu-central-1',
        cluster: 'kler-lab',
      },
    ],
  },
};

function createReader() {
  return new FakeEnvironmentReader({
    production: [
      ecsService('shop-api', { runningCount: 0, desiredCount: 3 }),
      ecsService('storefront'),
      ecsService('admin-panel'),
    ],
    development: [ecsService('shop-api'), ecsService('storefront')],
    lab: [],
  });
}

async function startBackend(
  options: {
    reader?: FakeEnvironmentReader;
    permissionResult?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  } = {},
) {
  const reader = options.reader ?? createReader();
  const { server } = await startTestBackend({
    features: [
      environmentsPlugin,
      mockServices.rootConfig.factory({ data: config }),
      catalogServiceMock.factory({ entities }),
      createServiceFactory({
        service: environmentReaderServiceRef,
        deps: {},
        factory: () => reader,
      }),
      ...(options.permissionResult
        ? [
            mockServices.permissions.factory({
              result: options.permissionResult,
            }),
          ]
        : []),
    ],
  });
  return { server, reader };
}

const ROUTES = [
  '/api/environments/v1/environments',
  '/api/environments/v1/environments/production',
  '/api/environments/v1/entity/default/component/shop-api',
  '/api/environments/v1/problems',
  '/api/environments/v1/environments/production/runs',
  '/api/environments/v1/environments/production/services',
];

const RUNS = '/api/environments/v1/environments/production/runs';

/** What the scaffolder's actions send: their own service credentials, for this plugin. */
const scaffolderHeader = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('plugin:scaffolder'),
  targetPluginId: 'environments',
});

/** What a pipeline with an external access token (subject environments-pipeline) is. */
const pipelineHeader = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('environments-pipeline'),
  targetPluginId: 'environments',
});

const failedApply = {
  kind: 'apply',
  source: 'portal',
  outcome: 'failed',
  actor: 'user:default/alice',
  at: '2026-12-01T10:15:00.000Z',
  link: '/create/tasks/6a1f',
  summary: {
    add: 1,
    change: 0,
    destroy: 0,
    replace: 0,
    byType: { aws_ecs_service: { add: 1, change: 0, destroy: 0, replace: 0 } },
    destroys: false,
    outputChanges: 0,
  },
  message:
    'terraform apply failed (exit code 1): Error: creating ECS Service (shop-api): InvalidParameterException',
};

describe('environments backend', () => {
  it('lists every environment of the catalog and the config, broken ones with their error', async () => {
    const { server } = await startBackend();
    const response = await request(server).get(ROUTES[0]);
    expect(response.status).toBe(200);
    const body = response.body as EnvironmentListResponse;
    expect(body.items.map(item => item.name)).toEqual([
      'broken',
      'development',
      'lab',
      'production',
    ]);
    const byName = Object.fromEntries(body.items.map(i => [i.name, i]));

    expect(byName.broken).toMatchObject({
      status: 'unknown',
      stale: false,
      error: {
        name: 'InvalidEnvironmentDefinition',
        message: expect.stringContaining('kler.io/aws-account-id'),
      },
    });
    expect(byName.development).toMatchObject({
      tier: 'development',
      accountId: '111111111111',
      cluster: 'kler-development',
      source: 'sandbox',
      stale: false,
      entityRef: 'resource:default/development',
      counts: { services: 2 },
    });
    expect(byName.lab).toMatchObject({
      accountId: '333333333333',
      region: 'eu-central-1',
      source: 'aws',
    });
    expect(byName.lab.entityRef).toBeUndefined();
    expect(byName.production).toMatchObject({
      tier: 'production',
      source: 'aws',
      status: 'error',
      counts: { services: 3, servicesWithProblems: 1 },
    });
    expect(byName.production.refreshedAt).toEqual(expect.any(String));
  });

  it('serves one environment with its snapshot and evaluation', async () => {
    const { server } = await startBackend();
    const response = await request(server).get(ROUTES[1]);
    expect(response.status).toBe(200);
    const body = response.body as EnvironmentDetailsResponse;
    expect(body.summary.name).toBe('production');
    expect(body.snapshot?.services.map(s => s.serviceName)).toEqual([
      'shop-api',
      'storefront',
      'admin-panel',
    ]);
    expect(body.evaluation).toEqual(
      JSON.parse(
        JSON.stringify(
          evaluateEnvironment(body.snapshot!, {
            now: new Date(body.snapshot!.readAt),
          }),
        ),
      ),
    );
    expect(body.evaluation!.problems.length).toBeGreaterThan(0);
    expect(body.evaluation!.problems[0].serviceName).toBe('shop-api');
  });

  it("serves an environment's matrix cells, each service's counts and status by name", async () => {
    const { server } = await startBackend();
    const response = await request(server).get(
      '/api/environments/v1/environments/production/services',
    );
    expect(response.status).toBe(200);
    const body = response.body as EnvironmentServicesResponse;
    expect(body.summary.name).toBe('production');
    expect(body.items).toEqual([
      {
        serviceName: 'shop-api',
        status: 'error',
        runningCount: 0,
        desiredCount: 3,
        pendingCount: 0,
        atMax: false,
        problemCount: expect.any(Number),
      },
      expect.objectContaining({ serviceName: 'storefront', status: 'ok' }),
      expect.objectContaining({ serviceName: 'admin-panel', status: 'ok' }),
    ]);
    const unknown = await request(server).get(
      '/api/environments/v1/environments/staging/services',
    );
    expect(unknown.status).toBe(404);
  });

  it('answers 404 for an unknown environment and 400 for a malformed name', async () => {
    const { server } = await startBackend();
    const missing = await request(server).get(
      '/api/environments/v1/environments/staging',
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.name).toBe('NotFoundError');

    const malformed = await request(server).get(
      '/api/environments/v1/environments/-bad%20name',
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.name).toBe('InputError');
    expect(malformed.body.error.message).toContain("'name'");
  });

  it("shows a component's service in every environment", async () => {
    const { server } = await startBackend();
    const response = await request(server).get(ROUTES[2]);
    expect(response.status).toBe(200);
    const body = response.body as EntityEnvironmentsResponse;
    expect(body.entityRef).toBe('component:default/shop-api');
    expect(body.serviceNames).toEqual(['shop-api']);
    const byName = Object.fromEntries(
      body.environments.map(e => [e.summary.name, e]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'broken',
      'development',
      'lab',
      'production',
    ]);
    expect(byName.production.services).toHaveLength(1);
    expect(byName.production.services[0].service.runningCount).toBe(0);
    expect(byName.production.services[0].evaluation.status).toBe('error');
    expect(byName.development.services[0].evaluation.problems).toEqual([]);
    expect(byName.lab.services).toEqual([]);
  });

  it("collects a system's services from its components", async () => {
    const { server } = await startBackend();
    const response = await request(server).get(
      '/api/environments/v1/entity/default/system/kler-shop',
    );
    expect(response.status).toBe(200);
    const body = response.body as EntityEnvironmentsResponse;
    expect(body.serviceNames).toEqual(['shop-api', 'storefront']);
    const production = body.environments.find(
      e => e.summary.name === 'production',
    );
    expect(production?.services.map(s => s.service.serviceName).sort()).toEqual(
      ['shop-api', 'storefront'],
    );
  });

  it('matches a service named by its ARN to the environment of that account, region and cluster', async () => {
    const { server } = await startBackend();
    const response = await request(server).get(
      '/api/environments/v1/entity/default/component/legacy-admin',
    );
    expect(response.status).toBe(200);
    const body = response.body as EntityEnvironmentsResponse;
    expect(body.serviceNames).toEqual(['admin-panel']);
    expect(body.environments.map(e => e.summary.name)).toEqual(['production']);
    expect(body.environments[0].services[0].service.serviceName).toBe(
      'admin-panel',
    );
  });

  it('answers 404 for an unknown entity and 400 for an unsupported kind', async () => {
    const { server } = await startBackend();
    const missing = await request(server).get(
      '/api/environments/v1/entity/default/component/nope',
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.name).toBe('NotFoundError');

    const badKind = await request(server).get(
      '/api/environments/v1/entity/default/api/shop-api',
    );
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.message).toContain("'kind'");
  });

  it('lists problems worst first, filtered by environment, severity and area', async () => {
    const { server } = await startBackend();
    const all = await request(server).get(ROUTES[3]);
    expect(all.status).toBe(200);
    const items = (all.body as ProblemListResponse).items;
    expect(items.length).toBeGreaterThan(0);
    expect([...items].sort(compareProblems)).toEqual(items);

    const filtered = await request(server).get(
      '/api/environments/v1/problems?environment=production&environment=development&minSeverity=high&area=health',
    );
    expect(filtered.status).toBe(200);
    const filteredItems = (filtered.body as ProblemListResponse).items;
    expect(filteredItems.length).toBeGreaterThan(0);
    for (const problem of filteredItems) {
      expect(['production', 'development']).toContain(problem.environment);
      expect(['critical', 'high']).toContain(problem.severity);
      expect(problem.area).toBe('health');
    }

    const none = await request(server).get(
      '/api/environments/v1/problems?environment=development',
    );
    expect(none.body.items).toEqual([]);
  });

  it('rejects bad problem filters naming the parameter', async () => {
    const { server } = await startBackend();
    const badSeverity = await request(server).get(
      '/api/environments/v1/problems?minSeverity=urgent',
    );
    expect(badSeverity.status).toBe(400);
    expect(badSeverity.body.error.message).toContain("'minSeverity'");

    const badArea = await request(server).get(
      '/api/environments/v1/problems?area=health&area=cost',
    );
    expect(badArea.status).toBe(400);
    expect(badArea.body.error.message).toContain("'area");

    const unknownEnvironment = await request(server).get(
      '/api/environments/v1/problems?environment=staging',
    );
    expect(unknownEnvironment.status).toBe(400);
    expect(unknownEnvironment.body.error.message).toContain("'environment'");
  });

  it('shows a failing environment with its error while the others are served', async () => {
    const reader = createReader();
    reader.failing.add('production');
    const { server } = await startBackend({ reader });
    const response = await request(server).get(ROUTES[0]);
    expect(response.status).toBe(200);
    const byName = Object.fromEntries(
      (response.body as EnvironmentListResponse).items.map(i => [i.name, i]),
    );
    expect(byName.production).toMatchObject({
      status: 'unknown',
      stale: false,
      error: { name: 'AccessDeniedException' },
    });
    expect(byName.development).toMatchObject({ counts: { services: 2 } });
    expect(byName.development.error).toBeUndefined();
  });

  it.each(ROUTES)('answers 403 on %s when the policy denies', async route => {
    const { server } = await startBackend({
      permissionResult: AuthorizeResult.DENY,
    });
    const response = await request(server).get(route);
    expect(response.status).toBe(403);
    expect(response.body.error.name).toBe('NotAllowedError');
    expect(response.body.items).toBeUndefined();
    expect(response.body.summary).toBeUndefined();
  });

  it.each(ROUTES)('answers 401 on %s without credentials', async route => {
    const { server } = await startBackend();
    const response = await request(server)
      .get(route)
      .set('Authorization', mockCredentials.none.header());
    expect(response.status).toBe(401);
  });

  it('registers its permission so that the policy and the UI see it', async () => {
    const { server } = await startBackend();
    const response = await request(server).get(
      '/api/environments/.well-known/backstage/permissions/metadata',
    );
    expect(response.status).toBe(200);
    expect(response.body.permissions).toEqual([
      expect.objectContaining({
        name: 'environments.read',
        attributes: { action: 'read' },
      }),
      expect.objectContaining({
        name: 'environments.run.create',
        attributes: { action: 'create' },
      }),
    ]);
  });

  it('schedules a refresh task in each replica that, holding the refresh lease, re-lists and refreshes every environment', async () => {
    const reader = createReader();
    const scheduler = mockServices.scheduler.mock();
    await startTestBackend({
      features: [
        environmentsPlugin,
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            environments: {
              ...config.environments,
              refresh: { frequency: { minutes: 1 }, timeout: { seconds: 20 } },
            },
          },
        }),
        catalogServiceMock.factory({ entities }),
        createServiceFactory({
          service: environmentReaderServiceRef,
          deps: {},
          factory: () => reader,
        }),
      ],
    });

    expect(scheduler.scheduleTask).toHaveBeenCalledTimes(1);
    const task = scheduler.scheduleTask.mock.calls[0][0];
    expect(task).toMatchObject({
      id: 'environments-refresh',
      scope: 'local',
      frequency: { minutes: 1 },
      timeout: { milliseconds: 40_000 },
    });

    await task.fn(new AbortController().signal);
    expect([...reader.calls].sort()).toEqual([
      'development',
      'lab',
      'production',
    ]);
  });

  it('fails at startup on a bad config value, naming the key', async () => {
    await expect(
      startTestBackend({
        features: [
          environmentsPlugin,
          mockServices.rootConfig.factory({
            data: { environments: { aws: { concurrency: 0 } } },
          }),
          catalogServiceMock.factory({ entities }),
        ],
      }),
    ).rejects.toThrow('environments.aws.concurrency');
  });
});

describe('run history routes', () => {
  it('records a run reported by the scaffolder and lists it; a failed apply is a problem', async () => {
    const { server } = await startBackend();
    const posted = await request(server)
      .post(RUNS)
      .set('Authorization', scaffolderHeader)
      .send(failedApply);
    expect(posted.status).toBe(201);
    const { destroys: _destroys, ...storedSummary } = failedApply.summary;
    const run = {
      ...failedApply,
      summary: storedSummary,
      id: expect.any(String),
      environment: 'production',
      reportedBy: 'plugin:scaffolder',
    };
    expect(posted.body).toEqual(run);

    const listed = await request(server).get(RUNS);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ items: [run] });

    const problems = await request(server).get(
      '/api/environments/v1/problems?area=provisioning',
    );
    expect(problems.body.items).toEqual([
      expect.objectContaining({
        id: 'production/provisioning/apply-failed',
        severity: 'high',
        runUrl: '/create/tasks/6a1f',
      }),
    ]);
    const details = await request(server).get(
      '/api/environments/v1/environments/production',
    );
    expect(details.body.summary.areas.provisioning).toBe('error');
  });

  it("records a pipeline's run under its identity, and lists newest first up to the limit", async () => {
    const { server } = await startBackend();
    for (const at of ['2026-12-01T08:00:00Z', '2026-12-01T09:00:00Z']) {
      const response = await request(server)
        .post(RUNS)
        .set('Authorization', pipelineHeader)
        .send({
          kind: 'plan',
          source: 'pipeline',
          outcome: 'succeeded',
          at,
          link: 'https://github.com/kler/environments/actions/runs/42',
        });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        actor: 'environments-pipeline',
        reportedBy: 'environments-pipeline',
      });
    }
    const listed = await request(server).get(`${RUNS}?limit=1`);
    expect(listed.body.items.map((r: { at: string }) => r.at)).toEqual([
      '2026-12-01T09:00:00.000Z',
    ]);
  });

  it('refuses a user, even one allowed everything, before reading the body', async () => {
    const { server } = await startBackend();
    const asUser = await request(server)
      .post(RUNS)
      .set('Authorization', mockCredentials.user.header('user:default/alice'))
      .set('Content-Type', 'application/json')
      .send('{not json');
    expect(asUser.status).toBe(403);
    expect(asUser.body.error.name).toBe('NotAllowedError');

    const anonymous = await request(server)
      .post(RUNS)
      .set('Authorization', mockCredentials.none.header())
      .send(failedApply);
    expect(anonymous.status).toBe(401);

    expect((await request(server).get(RUNS)).body.items).toEqual([]);
  });

  it('refuses a service the policy denies environments.run.create', async () => {
    const { server } = await startBackend({
      permissionResult: AuthorizeResult.DENY,
    });
    const response = await request(server)
      .post(RUNS)
      .set('Authorization', scaffolderHeader)
      .send(failedApply);
    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain('environments.run.create');
  });

  it.each([
    ['an unknown kind', { ...failedApply, kind: 'destroy' }, "'kind'"],
    ['no outcome', { ...failedApply, outcome: undefined }, "'outcome'"],
    [
      'a negative count',
      { ...failedApply, summary: { ...failedApply.summary, add: -1 } },
      "'summary.add'",
    ],
    [
      'a type without all counts',
      {
        ...failedApply,
        summary: {
          ...failedApply.summary,
          byType: { aws_ecs_service: { add: 1 } },
        },
      },
      "'summary.byType.aws_ecs_service.change'",
    ],
    [
      'a script link',
      // Built, so that the linter does not take the test for a script URL.
      { ...failedApply, link: `${'javascript'}:alert(1)` },
      "'link'",
    ],
    ['another host', { ...failedApply, link: '//evil.example/x' }, "'link'"],
    ['a time not ISO', { ...failedApply, at: 'yesterday' }, "'at'"],
    [
      'a long message',
      { ...failedApply, message: 'x'.repeat(2001) },
      "'message'",
    ],
    ['a list', [failedApply], "'(root)'"],
  ])('answers 400 naming the field for %s', async (_case, body, field) => {
    const { server } = await startBackend();
    const response = await request(server)
      .post(RUNS)
      .set('Authorization', scaffolderHeader)
      .send(body as object);
    expect(response.status).toBe(400);
    expect(response.body.error.name).toBe('InputError');
    expect(response.body.error.message).toContain(`body field ${field}`);
  });

  it("answers 404 for an unknown environment, except to the scaffolder recording a new environment's first runs, and 400 for a bad limit", async () => {
    const { server } = await startBackend();
    const fromPipeline = await request(server)
      .post('/api/environments/v1/environments/staging/runs')
      .set('Authorization', pipelineHeader)
      .send({ ...failedApply, source: 'pipeline' });
    expect(fromPipeline.status).toBe(404);
    expect(fromPipeline.body.error.message).toBe(
      "No environment named 'staging'",
    );
    const get = await request(server).get(
      '/api/environments/v1/environments/staging/runs',
    );
    expect(get.status).toBe(404);

    // kler-environment plans and applies before it registers the
    // environment; the scaffolder's record waits for it.
    const fromScaffolder = await request(server)
      .post('/api/environments/v1/environments/staging/runs')
      .set('Authorization', scaffolderHeader)
      .send(failedApply);
    expect(fromScaffolder.status).toBe(201);

    const badLimit = await request(server).get(`${RUNS}?limit=1000`);
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.message).toContain("query parameter 'limit'");
  });
});
