import { CacheManager } from '@backstage/backend-defaults/cache';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EnvironmentRun } from '@kler/plugin-environments-common';
import {
  FakeEnvironmentReader,
  ecsService,
  environmentEntity,
} from '../__testUtils__/fixtures';
import { EnvironmentRegistry } from './environments/EnvironmentRegistry';
import {
  EnvironmentsService,
  isLoopbackEndpoint,
  selectProblems,
} from './EnvironmentsService';
import { SnapshotStore } from './snapshots/SnapshotStore';

function failedApply(
  id: string,
  at = new Date().toISOString(),
): EnvironmentRun {
  return {
    id,
    environment: 'production',
    kind: 'apply',
    source: 'portal',
    outcome: 'failed',
    actor: 'user:default/alice',
    reportedBy: 'plugin:scaffolder',
    at,
    link: `/create/tasks/${id}`,
    message:
      'terraform apply failed (exit code 1): Error: creating ECS Service',
  };
}

function setup(runs: EnvironmentRun[] = []) {
  const entities = [environmentEntity('production')];
  const catalog = catalogServiceMock({ entities });
  const getEntities = jest.spyOn(catalog, 'getEntities');
  const reader = new FakeEnvironmentReader({
    production: [ecsService('shop-api', { runningCount: 0 })],
    development: [ecsService('shop-api')],
  });
  const logger = mockServices.logger.mock();
  const registry = new EnvironmentRegistry({
    catalog,
    auth: mockServices.auth(),
    logger,
    overrides: [],
    maxAgeMs: 60_000,
  });
  const store = new SnapshotStore({
    cache: CacheManager.fromConfig(
      new ConfigReader({ backend: { cache: { store: 'memory' } } }),
    ).forPlugin('environments'),
    reader,
    logger,
    ttlMs: 60_000,
    timeoutMs: 5_000,
  });
  const latestRuns = jest.fn(
    async () =>
      new Map([['production', runs]]) as Map<string, EnvironmentRun[]>,
  );
  const service = new EnvironmentsService({
    registry,
    store,
    logger,
    runs: { latestRuns },
  });
  return { service, reader, entities, getEntities, latestRuns };
}

describe('EnvironmentsService', () => {
  it('refreshes an environment registered in the catalog since the last cycle', async () => {
    const { service, reader, entities, getEntities } = setup();
    await service.refreshAll();
    expect(reader.calls).toEqual(['production']);

    entities.push(environmentEntity('development'));
    getEntities.mockResolvedValue({ items: [...entities] });
    await service.refreshAll();

    expect([...reader.calls].sort()).toEqual([
      'development',
      'production',
      'production',
    ]);
    const views = await service.listEnvironments();
    expect(views.map(v => v.summary.name)).toEqual([
      'development',
      'production',
    ]);
  });

  it('reuses the evaluation of a snapshot for a few seconds, then evaluates again', async () => {
    const { service } = setup();
    await service.refreshAll();
    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(1_000_000);
      const first = await service.getEnvironment('production');
      now.mockReturnValue(1_010_000);
      const second = await service.getEnvironment('production');
      expect(second?.evaluation).toBe(first?.evaluation);

      expect(second?.version).toBe(first?.version);

      now.mockReturnValue(1_016_000);
      const later = await service.getEnvironment('production');
      expect(later?.evaluation).not.toBe(first?.evaluation);
      expect(later?.evaluation).toEqual(first?.evaluation);
      // Evaluated at another time: derived bodies are built again.
      expect(later?.version).not.toBe(first?.version);
    } finally {
      now.mockRestore();
    }
  });

  it('marks a summary stale with the error when a refresh fails after a good one', async () => {
    const { service, reader } = setup();
    await service.refreshAll();
    reader.failing.add('production');
    await service.refreshAll();

    const view = await service.getEnvironment('production');
    expect(view?.summary).toMatchObject({
      stale: true,
      error: { name: 'AccessDeniedException' },
      counts: { services: 1 },
    });
    expect(view?.summary.refreshedAt).toBe(view?.state?.snapshot?.readAt);
    expect(view?.evaluation?.problems.length).toBeGreaterThan(0);
  });

  it('evaluates the latest runs with the snapshot, and again as soon as they change', async () => {
    const runs: EnvironmentRun[] = [];
    const { service, latestRuns } = setup(runs);
    const before = await service.getEnvironment('production');
    expect(
      before?.evaluation?.problems.filter(p => p.area === 'provisioning'),
    ).toEqual([]);

    runs.push(failedApply('7'));
    const after = await service.getEnvironment('production');
    expect(after?.evaluation?.problems).toContainEqual(
      expect.objectContaining({
        id: 'production/provisioning/apply-failed',
        runUrl: '/create/tasks/7',
      }),
    );
    expect(after?.summary.areas.provisioning).toBe('error');
    expect(latestRuns).toHaveBeenCalledTimes(2);
    // The same runs and snapshot: the evaluation is reused, and the view's
    // version (which keys derived bodies) is the same.
    const again = await service.getEnvironment('production');
    expect(again?.evaluation).toBe(after?.evaluation);
    expect(again?.version).toBe(after?.version);
    expect(again?.version).not.toBe(before?.version);
  });

  it('shows the problems of the runs of an environment that could not be read', async () => {
    const { service, reader } = setup([failedApply('8')]);
    reader.failing.add('production');
    const view = await service.getEnvironment('production');
    expect(view?.state?.snapshot).toBeUndefined();
    expect(view?.summary).toMatchObject({
      status: 'error',
      error: { name: 'AccessDeniedException' },
      areas: { health: 'unknown', provisioning: 'error' },
      counts: { problems: { high: 1 } },
    });
    expect(
      selectProblems([view!], { areas: ['provisioning'] }).map(p => p.id),
    ).toEqual(['production/provisioning/apply-failed']);
  });

  it('has an environment without reading it', async () => {
    const { service, reader } = setup();
    await expect(service.hasEnvironment('production')).resolves.toBe(true);
    await expect(service.hasEnvironment('staging')).resolves.toBe(false);
    expect(reader.calls).toEqual([]);
  });

  it('summarizes only what is cached for metrics, without reading AWS', async () => {
    const { service, reader } = setup();
    // Nothing read yet: a scrape observes nothing and reads nothing.
    await expect(service.listCachedSummaries()).resolves.toEqual([]);
    expect(reader.calls).toEqual([]);

    await service.refreshAll();
    expect(reader.calls).toEqual(['production']);
    const summaries = await service.listCachedSummaries();
    expect(summaries.map(summary => summary.name)).toEqual(['production']);
    expect(summaries[0].refreshedAt).toEqual(expect.any(String));
    // The same summary the routes serve.
    expect(summaries).toEqual(
      (await service.listEnvironments()).map(view => view.summary),
    );
    expect(reader.calls).toEqual(['production']);
  });

  it('filters problems by severity and area', async () => {
    const { service } = setup();
    const views = await service.listEnvironments();
    const all = selectProblems(views, {});
    expect(all.length).toBeGreaterThan(0);
    expect(selectProblems(views, { areas: ['wellArchitected'] })).toEqual(
      all.filter(p => p.area === 'wellArchitected'),
    );
    expect(selectProblems(views, { minSeverity: 'critical' })).toEqual(
      all.filter(p => p.severity === 'critical'),
    );
  });
});

describe('isLoopbackEndpoint', () => {
  it.each([
    ['http://127.0.0.1:4566', true],
    ['http://localhost:4566', true],
    ['http://[::1]:4566', true],
    ['https://ecs.eu-west-1.amazonaws.com', false],
    ['http://10.0.0.5:4566', false],
    [undefined, false],
  ])('%s -> %s', (endpoint, expected) => {
    expect(isLoopbackEndpoint(endpoint)).toBe(expected);
  });
});
