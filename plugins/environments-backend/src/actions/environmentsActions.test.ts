import { actionsRegistryServiceFactory } from '@backstage/backend-defaults/alpha';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EnvironmentListResponse,
  EnvironmentServicesResponse,
  ProblemListResponse,
} from '@kler/plugin-environments-common';
import request from 'supertest';
import {
  FakeEnvironmentReader,
  componentEntity,
  ecsService,
  environmentEntity,
} from '../__testUtils__/fixtures';
import { environmentReaderServiceRef, environmentsPlugin } from '../plugin';

const entities = [
  environmentEntity('production'),
  environmentEntity('development'),
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
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: { name: 'kler-shop', namespace: 'default' },
    spec: { owner: 'platform-team' },
  },
];

/** shop-api is down in production only; storefront is short of tasks in both. */
function createReader() {
  return new FakeEnvironmentReader({
    production: [
      ecsService('shop-api', { runningCount: 0, desiredCount: 3 }),
      ecsService('storefront', { runningCount: 1, desiredCount: 2 }),
    ],
    development: [
      ecsService('shop-api'),
      ecsService('storefront', { runningCount: 1, desiredCount: 2 }),
    ],
  });
}

async function startBackend(
  permissionResult:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const reader = createReader();
  const { server } = await startTestBackend({
    features: [
      environmentsPlugin,
      // The real registry: its HTTP routes, input and output schemas.
      actionsRegistryServiceFactory,
      catalogServiceMock.factory({ entities }),
      createServiceFactory({
        service: environmentReaderServiceRef,
        deps: {},
        factory: () => reader,
      }),
      mockServices.permissions.factory({ result: permissionResult }),
    ],
  });
  return server;
}

const ACTIONS = '/api/environments/.backstage/actions/v1/actions';
const user = mockCredentials.user.header('user:default/alice');

function invoke(
  server: Awaited<ReturnType<typeof startBackend>>,
  name: string,
  input: object,
) {
  return request(server)
    .post(`${ACTIONS}/environments:${name}/invoke`)
    .set('Authorization', user)
    .send(input);
}

describe('environments actions', () => {
  let server: Awaited<ReturnType<typeof startBackend>>;
  beforeAll(async () => {
    server = await startBackend();
  });

  it('registers four read-only actions with typed input and output', async () => {
    const response = await request(server)
      .get(ACTIONS)
      .set('Authorization', user);
    expect(response.status).toBe(200);
    const actions = response.body.actions as Array<{
      id: string;
      attributes: object;
      schema: { input: { properties?: object }; output: object };
    }>;
    expect(actions.map(action => action.id)).toEqual([
      'environments:list-environments',
      'environments:list-environment-problems',
      'environments:get-component-environments',
      'environments:get-environment-summary',
    ]);
    for (const action of actions) {
      expect(action.attributes).toEqual({
        readOnly: true,
        destructive: false,
        idempotent: true,
      });
    }
    expect(Object.keys(actions[1].schema.input.properties ?? {})).toEqual([
      'environment',
      'area',
      'minSeverity',
      'component',
    ]);
  });

  it('lists the environments as GET /v1/environments does, with the age of their data', async () => {
    const response = await invoke(server, 'list-environments', {});
    expect(response.status).toBe(200);
    const http = await request(server)
      .get('/api/environments/v1/environments')
      .set('Authorization', user);
    const items = (http.body as EnvironmentListResponse).items;
    const { environments } = response.body.output;
    expect(environments).toEqual(
      items.map(item => ({ ...item, snapshotAgeSeconds: expect.any(Number) })),
    );
    expect(environments.map((e: { name: string }) => e.name)).toEqual([
      'development',
      'production',
    ]);
    expect(environments[1]).toMatchObject({ status: 'error', stale: false });
  });

  it('lists the problems GET /v1/problems lists for the same filters', async () => {
    const filters = [
      {},
      { environment: ['production'], minSeverity: 'high' },
      { area: ['backup'] },
    ];
    for (const filter of filters) {
      const response = await invoke(
        server,
        'list-environment-problems',
        filter,
      );
      expect(response.status).toBe(200);
      const query = new URLSearchParams(
        Object.entries(filter).flatMap(([key, value]) =>
          ([] as string[]).concat(value).map(v => [key, v]),
        ),
      );
      const http = await request(server)
        .get(`/api/environments/v1/problems?${query}`)
        .set('Authorization', user);
      expect(response.body.output.problems).toEqual(
        (http.body as ProblemListResponse).items,
      );
    }
    const production = await invoke(server, 'list-environment-problems', {
      environment: ['production'],
      minSeverity: 'high',
    });
    expect(production.body.output.problems.length).toBeGreaterThan(0);
  });

  it("narrows problems to a component's services, in the environments they run in", async () => {
    const all = await invoke(server, 'list-environment-problems', {});
    const services = (all.body.output.problems as ProblemListResponse['items'])
      .filter(p => p.serviceName)
      .map(p => `${p.environment}/${p.serviceName}`)
      .filter((v, i, a) => a.indexOf(v) === i)
      .sort();
    expect(services).toEqual([
      'development/storefront',
      'production/shop-api',
      'production/storefront',
    ]);

    for (const component of ['storefront', 'component:default/storefront']) {
      const response = await invoke(server, 'list-environment-problems', {
        component,
      });
      expect(response.status).toBe(200);
      const problems = response.body.output
        .problems as ProblemListResponse['items'];
      expect(problems.length).toBeGreaterThan(0);
      expect(new Set(problems.map(p => p.serviceName))).toEqual(
        new Set(['storefront']),
      );
      expect(new Set(problems.map(p => p.environment))).toEqual(
        new Set(['production', 'development']),
      );
    }

    const system = await invoke(server, 'list-environment-problems', {
      component: 'system:default/kler-shop',
      environment: ['production'],
    });
    expect(system.status).toBe(200);
    expect(
      new Set(
        (system.body.output.problems as ProblemListResponse['items']).map(
          p => p.serviceName,
        ),
      ),
    ).toEqual(new Set(['shop-api', 'storefront']));
  });

  it('rejects bad input naming the field, as the routes do', async () => {
    const unknown = await invoke(server, 'list-environment-problems', {
      environment: ['staging'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.name).toBe('InputError');
    expect(unknown.body.error.message).toContain(
      "input field 'environment' names unknown environments: staging",
    );

    const badSeverity = await invoke(server, 'list-environment-problems', {
      minSeverity: 'urgent',
    });
    expect(badSeverity.status).toBe(400);
    expect(badSeverity.body.error.message).toContain('Invalid input to action');

    const badKind = await invoke(server, 'list-environment-problems', {
      component: 'api:default/shop-api',
    });
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.message).toContain("input field 'kind'");

    const badName = await invoke(server, 'get-environment-summary', {
      environment: '-bad name',
    });
    expect(badName.status).toBe(400);
    expect(badName.body.error.message).toContain("input field 'environment'");

    const missingComponent = await invoke(
      server,
      'get-component-environments',
      { component: 'nope' },
    );
    expect(missingComponent.status).toBe(404);
    expect(missingComponent.body.error.name).toBe('NotFoundError');
  });

  it("shows a component's services in each environment, with their problems", async () => {
    const response = await invoke(server, 'get-component-environments', {
      component: 'shop-api',
    });
    expect(response.status).toBe(200);
    const { output } = response.body;
    expect(output.entityRef).toBe('component:default/shop-api');
    expect(output.serviceNames).toEqual(['shop-api']);
    const byName = Object.fromEntries(
      output.environments.map(
        (e: { environment: { name: string }; services: unknown[] }) => [
          e.environment.name,
          e.services,
        ],
      ),
    );
    expect(byName.production).toEqual([
      expect.objectContaining({
        serviceName: 'shop-api',
        status: 'error',
        runningCount: 0,
        desiredCount: 3,
        areas: expect.objectContaining({ health: 'error' }),
        problems: [
          expect.objectContaining({ serviceName: 'shop-api' }),
          ...Array(byName.production[0].problems.length - 1).fill(
            expect.anything(),
          ),
        ],
      }),
    ]);
    expect(byName.development).toEqual([
      expect.objectContaining({
        serviceName: 'shop-api',
        status: 'ok',
        problems: [],
      }),
    ]);
  });

  it('summarizes one environment as GET /v1/environments/:name/services does; 404 for an unknown one', async () => {
    const response = await invoke(server, 'get-environment-summary', {
      environment: 'production',
    });
    expect(response.status).toBe(200);
    const http = await request(server)
      .get('/api/environments/v1/environments/production/services')
      .set('Authorization', user);
    const body = http.body as EnvironmentServicesResponse;
    expect(response.body.output).toEqual({
      environment: { ...body.summary, snapshotAgeSeconds: expect.any(Number) },
      services: body.items,
    });

    const missing = await invoke(server, 'get-environment-summary', {
      environment: 'staging',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain(
      "No environment named 'staging'",
    );
  });
});

describe('environments actions without environments.read', () => {
  it('refuse every action with NotAllowedError and no data', async () => {
    const server = await startBackend(AuthorizeResult.DENY);
    const inputs: Record<string, object> = {
      'list-environments': {},
      'list-environment-problems': { environment: ['production'] },
      'get-component-environments': { component: 'shop-api' },
      'get-environment-summary': { environment: 'production' },
    };
    for (const [name, input] of Object.entries(inputs)) {
      const response = await invoke(server, name, input);
      expect(response.status).toBe(403);
      expect(response.body.error).toMatchObject({
        name: 'NotAllowedError',
        message: 'Not allowed: environments.read',
      });
      expect(response.body.output).toBeUndefined();
    }
  });
});
