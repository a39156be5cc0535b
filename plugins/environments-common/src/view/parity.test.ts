import {
  NOW,
  environment,
  healthySnapshot,
  serviceOf,
} from '../__fixtures__/snapshots';
import { evaluateEnvironment } from '../evaluateEnvironment';
import {
  EntityEnvironmentsResponse,
  EnvironmentSnapshot,
  EnvironmentSummary,
  EnvironmentTier,
} from '../types';
import { buildParityView, ParityRow } from './parity';

function entry(
  snapshot: EnvironmentSnapshot,
  serviceNames: string[],
  summary: Partial<EnvironmentSummary> = {},
): EntityEnvironmentsResponse['environments'][number] {
  const env = snapshot.environment;
  const evaluation = evaluateEnvironment(snapshot, { now: NOW });
  return {
    summary: {
      name: env.name,
      title: env.title,
      tier: env.tier,
      accountId: env.accountId,
      region: env.region,
      cluster: env.cluster,
      status: evaluation.status,
      areas: evaluation.areas,
      counts: {
        services: 0,
        servicesWithProblems: 0,
        problems: { critical: 0, high: 0, medium: 0, low: 0 },
      },
      refreshedAt: NOW.toISOString(),
      stale: false,
      source: 'sandbox',
      ...summary,
    },
    services: snapshot.services
      .filter(s => serviceNames.includes(s.serviceName))
      .map(service => ({
        service,
        evaluation: evaluation.services.find(
          e => e.serviceName === service.serviceName,
        )!,
      })),
  };
}

function responseOf(
  snapshots: EnvironmentSnapshot[],
  serviceNames = ['shop-api'],
): EntityEnvironmentsResponse {
  return {
    entityRef: 'component:default/shop-api',
    serviceNames,
    environments: snapshots.map(s => entry(s, serviceNames)),
  };
}

function rowOf(rows: ParityRow[], key: string): ParityRow {
  const row = rows.find(r => r.key === key);
  if (!row) {
    throw new Error(`No row ${key}: ${rows.map(r => r.key).join(', ')}`);
  }
  return row;
}

function healthyPair(): Record<EnvironmentTier, EnvironmentSnapshot> {
  return {
    development: healthySnapshot('development'),
    production: healthySnapshot('production'),
  };
}

describe('buildParityView', () => {
  it('lines up the attributes of each service and container, production first, same where they match', () => {
    const { development, production } = healthyPair();
    const view = buildParityView(responseOf([development, production]));
    expect(view.environments).toEqual([
      { name: 'production', title: 'Production', tier: 'production' },
      { name: 'development', title: 'Development', tier: 'development' },
    ]);
    expect(view.taskDefinitionsUnread).toBe(false);
    expect(view.rows.map(r => [r.key, r.state])).toEqual([
      ['shop-api/taskDefinition', 'notCompared'],
      ['shop-api/taskSize', 'same'],
      ['shop-api/scaling', 'same'],
      ['shop-api/shop-api/image', 'same'],
      ['shop-api/shop-api/imageDigest', 'same'],
      ['shop-api/shop-api/environmentNames', 'same'],
      ['shop-api/shop-api/secretNames', 'same'],
    ]);
    expect(rowOf(view.rows, 'shop-api/shop-api/image').cells).toEqual({
      production: { kind: 'value', value: 'kler/shop-api:2026.11.5' },
      development: { kind: 'value', value: 'kler/shop-api:2026.11.5' },
    });
    expect(rowOf(view.rows, 'shop-api/taskSize').cells.production).toEqual({
      kind: 'value',
      value: '512 CPU units · 1024 MiB',
    });
    expect(rowOf(view.rows, 'shop-api/scaling').cells.production).toEqual({
      kind: 'value',
      value: 'min 1 · max 6',
    });
  });

  it('describes what differs: tags, limits and names as sets; task definitions are shown, not compared', () => {
    const { development, production } = healthyPair();
    const dev = serviceOf(development, 'shop-api');
    const devTaskDefinition = dev.taskDefinitions![0];
    devTaskDefinition.revision = 57;
    devTaskDefinition.containers[0].image.tag = '2026.11.6-rc2';
    devTaskDefinition.containers[0].environmentNames = [
      'DB_PASSWORD',
      'KLER_ENVIRONMENT',
    ];
    dev.scaling!.maxCapacity = 2;
    const prod = serviceOf(production, 'shop-api');
    prod.taskDefinitions![0].containers[0].environmentNames.push('DB_URL');

    const view = buildParityView(responseOf([production, development]));
    const differences = Object.fromEntries(
      view.rows
        .filter(r => r.state === 'different')
        .map(r => [r.key, r.differences]),
    );
    expect(differences).toEqual({
      'shop-api/scaling': [
        'Production: min 1 · max 6; Development: min 1 · max 2',
      ],
      'shop-api/shop-api/image': [
        'Production: kler/shop-api:2026.11.5; Development: kler/shop-api:2026.11.6-rc2',
      ],
      'shop-api/shop-api/environmentNames': [
        'Development has DB_PASSWORD, Production lacks it',
        'Production has DB_URL, Development lacks it',
        'Production has LOG_LEVEL, Development lacks it',
      ],
    });
    expect(
      rowOf(view.rows, 'shop-api/shop-api/environmentNames').cells.development,
    ).toEqual({ kind: 'names', names: ['DB_PASSWORD', 'KLER_ENVIRONMENT'] });
    // Each environment registers its own revisions: shown, never a difference.
    expect(rowOf(view.rows, 'shop-api/taskDefinition')).toMatchObject({
      state: 'notCompared',
      differences: [],
      cells: {
        production: { kind: 'value', value: 'shop-api:42' },
        development: { kind: 'value', value: 'shop-api:57' },
      },
    });
  });

  it('compares every environment present, naming those that have and lack a name', () => {
    const { development, production } = healthyPair();
    const staging = healthySnapshot('development');
    staging.environment = {
      ...environment('development'),
      name: 'staging',
      title: 'Staging',
    };
    serviceOf(staging, 'shop-api').taskDefinitions![0].containers[0].secrets =
      [];
    const view = buildParityView(
      responseOf([staging, development, production]),
    );
    expect(view.environments.map(e => e.name)).toEqual([
      'production',
      'development',
      'staging',
    ]);
    expect(rowOf(view.rows, 'shop-api/shop-api/secretNames')).toMatchObject({
      state: 'different',
      differences: [
        'Production and Development have APP_SECRET, Staging lacks it',
      ],
    });
  });

  it('says what is unknown: task definitions not read, a service not deployed, an environment never read, a digest not reported', () => {
    const { development, production } = healthyPair();
    serviceOf(development, 'shop-api').taskDefinitions = undefined;
    for (const task of serviceOf(production, 'shop-api').tasks) {
      for (const container of task.containers) {
        container.imageDigest = undefined;
      }
    }
    const view = buildParityView(responseOf([production, development]));
    expect(rowOf(view.rows, 'shop-api/shop-api/image')).toMatchObject({
      state: 'unknown',
      cells: {
        development: { kind: 'unknown', reason: 'taskDefinitionsNotRead' },
      },
    });
    expect(
      rowOf(view.rows, 'shop-api/shop-api/imageDigest').cells.production,
    ).toEqual({ kind: 'unknown', reason: 'digestNotReported' });
    // Scaling does not come from task definitions: still compared.
    expect(rowOf(view.rows, 'shop-api/scaling').state).toBe('same');

    const response = responseOf([production, development], ['shop-api']);
    response.environments[1].services = [];
    response.environments[0].summary.refreshedAt = undefined;
    const missing = buildParityView(response);
    expect(rowOf(missing.rows, 'shop-api/scaling').cells).toEqual({
      production: { kind: 'unknown', reason: 'notRead' },
      development: { kind: 'unknown', reason: 'notDeployed' },
    });
  });

  it('has no container rows and says so when no task definition was read yet', () => {
    const { development, production } = healthyPair();
    serviceOf(development, 'shop-api').taskDefinitions = undefined;
    serviceOf(production, 'shop-api').taskDefinitions = undefined;
    const view = buildParityView(responseOf([production, development]));
    expect(view.taskDefinitionsUnread).toBe(true);
    expect(view.rows.map(r => r.key)).toEqual([
      'shop-api/taskDefinition',
      'shop-api/taskSize',
      'shop-api/scaling',
    ]);
    expect(rowOf(view.rows, 'shop-api/taskDefinition').cells).toEqual({
      production: { kind: 'unknown', reason: 'taskDefinitionsNotRead' },
      development: { kind: 'unknown', reason: 'taskDefinitionsNotRead' },
    });
  });

  it('marks a container that one environment lacks', () => {
    const { development, production } = healthyPair();
    const prodTaskDefinition = serviceOf(production, 'shop-api')
      .taskDefinitions![0];
    prodTaskDefinition.containers.push({
      ...prodTaskDefinition.containers[0],
      name: 'log-router',
    });
    const view = buildParityView(responseOf([production, development]));
    expect(rowOf(view.rows, 'shop-api/log-router/image')).toMatchObject({
      state: 'different',
      cells: {
        development: { kind: 'value', value: 'no such container' },
      },
    });
  });
});
