import { CacheManager } from '@backstage/backend-defaults/cache';
import { PermissionsService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EnvironmentListResponse,
  ProblemListResponse,
} from '@kler/plugin-environments-common';
import express from 'express';
import request from 'supertest';
import {
  FakeEnvironmentReader,
  ecsService,
  environmentEntity,
} from './__testUtils__/fixtures';
import { PermissionDecisionCache } from './caches/PermissionDecisionCache';
import { ResponseBodyCache } from './caches/ResponseBodyCache';
import { createRouter } from './router';
import { EnvironmentRegistry } from './services/environments/EnvironmentRegistry';
import { EnvironmentsService } from './services/EnvironmentsService';
import { RunHistory } from './services/runs/RunHistory';
import { SnapshotStore } from './services/snapshots/SnapshotStore';

const userA = mockCredentials.user.header('user:default/alice');
const userB = mockCredentials.user.header('user:default/bob');

async function setup(
  decide: () => AuthorizeResult,
  options: {
    entities?: Entity[];
    reuseDecisions?: boolean;
    /** The compression middleware in front, as Backstage's root router has it. */
    compression?: boolean;
  } = {},
) {
  const entities = options.entities ?? [environmentEntity('production')];
  const logger = mockServices.logger.mock();
  const catalog = catalogServiceMock({ entities });
  const reader = new FakeEnvironmentReader({
    production: [ecsService('shop-api'), ecsService('storefront')],
  });
  const environments = new EnvironmentsService({
    registry: new EnvironmentRegistry({
      catalog,
      auth: mockServices.auth(),
      logger,
      overrides: [],
      maxAgeMs: 60_000,
    }),
    store: new SnapshotStore({
      cache: CacheManager.fromConfig(
        new ConfigReader({ backend: { cache: { store: 'memory' } } }),
      ).forPlugin('environments'),
      reader,
      logger,
      ttlMs: 60_000,
      timeoutMs: 5_000,
    }),
    logger,
  });
  const authorize = jest.fn(async (requests: unknown[]) =>
    requests.map(() => ({ result: decide() })),
  );
  const router = await createRouter({
    httpAuth: mockServices.httpAuth(),
    permissions: { authorize } as unknown as PermissionsService,
    catalog,
    environments,
    runs: new RunHistory({
      store: {
        add: jest.fn(),
        list: jest.fn(),
        latestOfEachKind: async () => new Map(),
      },
      logger,
    }),
    bodies: new ResponseBodyCache({ enabled: true, maxEntries: 8 }),
    decisions: options.reuseDecisions
      ? new PermissionDecisionCache({ ttlMs: 5_000, maxEntries: 100 })
      : undefined,
  });
  const middleware = MiddlewareFactory.create({
    config: new ConfigReader({}),
    logger,
  });
  const app = express();
  if (options.compression) {
    app.use(middleware.compression());
  }
  app.use(router).use(middleware.error());
  /** A GET as alice, with the request headers given. */
  const get = (path: string, headers: Record<string, string> = {}) =>
    request(app)
      .get(path)
      .set({ Authorization: userA, ...headers });
  return { app, get, authorize, reader, environments, catalog };
}

describe('router', () => {
  it('asks the policy on every request by default', async () => {
    const { app, authorize } = await setup(() => AuthorizeResult.ALLOW);
    for (const path of ['/v1/environments', '/v1/problems']) {
      const response = await request(app).get(path).set('Authorization', userA);
      expect(response.status).toBe(200);
    }
    expect(authorize).toHaveBeenCalledTimes(2);
  });

  it('with decisions reused, asks the policy once per token within a few seconds, and again for another token', async () => {
    const { app, authorize } = await setup(() => AuthorizeResult.ALLOW, {
      reuseDecisions: true,
    });
    for (const path of [
      '/v1/environments',
      '/v1/problems',
      '/v1/environments',
    ]) {
      const response = await request(app).get(path).set('Authorization', userA);
      expect(response.status).toBe(200);
    }
    expect(authorize).toHaveBeenCalledTimes(1);

    await request(app).get('/v1/environments').set('Authorization', userB);
    expect(authorize).toHaveBeenCalledTimes(2);
  });

  it('with decisions reused, keeps answering 403 to a denied token, and 401 to an invalid one without asking the policy', async () => {
    const { app, authorize } = await setup(() => AuthorizeResult.DENY, {
      reuseDecisions: true,
    });
    for (let i = 0; i < 3; i++) {
      const response = await request(app)
        .get('/v1/problems')
        .set('Authorization', userA);
      expect(response.status).toBe(403);
      expect(response.body.items).toBeUndefined();
    }
    expect(authorize).toHaveBeenCalledTimes(1);

    const invalid = await request(app)
      .get('/v1/environments')
      .set('Authorization', mockCredentials.user.invalidHeader());
    expect(invalid.status).toBe(401);
    expect(authorize).toHaveBeenCalledTimes(1);
  });

  it('serves a new snapshot after a refresh, not the body of the previous one', async () => {
    const { app, reader, environments } = await setup(
      () => AuthorizeResult.ALLOW,
    );
    const first = await request(app)
      .get('/v1/environments')
      .set('Authorization', userA);
    expect(first.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    const before = first.body as EnvironmentListResponse;
    expect(before.items[0].counts.services).toBe(2);
    const problemsBefore = (
      await request(app).get('/v1/problems').set('Authorization', userA)
    ).body as ProblemListResponse;
    expect(problemsBefore.items.map(p => p.id)).not.toContain(
      'production/service/shop-api/running-below-desired',
    );

    reader.servicesByEnvironment.production = [
      ecsService('shop-api', { runningCount: 0, desiredCount: 3 }),
      ecsService('storefront'),
      ecsService('admin-panel'),
    ];
    await environments.refreshAll();

    const after = (
      await request(app).get('/v1/environments').set('Authorization', userA)
    ).body as EnvironmentListResponse;
    expect(after.items[0].counts.services).toBe(3);
    const problemsAfter = (
      await request(app).get('/v1/problems').set('Authorization', userA)
    ).body as ProblemListResponse;
    expect(problemsAfter.items.map(p => p.id)).toContain(
      'production/service/shop-api/running-below-desired',
    );
    // A filter has its own body.
    const filtered = (
      await request(app)
        .get('/v1/problems?area=backup')
        .set('Authorization', userA)
    ).body as ProblemListResponse;
    expect(filtered.items.every(p => p.area === 'backup')).toBe(true);
  });

  it('tags the list bodies, answers 304 without a body to the tag of the same content, and the full body once it changed', async () => {
    const { get, reader, environments } = await setup(
      () => AuthorizeResult.ALLOW,
    );
    const identity = { 'Accept-Encoding': 'identity' };
    for (const path of [
      '/v1/environments',
      '/v1/problems',
      '/v1/environments/production/services',
    ]) {
      const first = await get(path, identity);
      expect(first.status).toBe(200);
      const etag = first.headers.etag;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(first.headers['content-length']).toBe(
        String(Buffer.byteLength(first.text)),
      );

      const again = await get(path, { ...identity, 'If-None-Match': etag });
      expect(again.status).toBe(304);
      expect(again.text).toBe('');

      const otherTag = await get(path, {
        ...identity,
        'If-None-Match': '"something-else"',
      });
      expect(otherTag.status).toBe(200);
      expect(otherTag.text).toBe(first.text);
      expect(otherTag.headers.etag).toBe(etag);
    }

    const etags = async () =>
      Promise.all(
        ['/v1/environments', '/v1/problems'].map(
          async path => (await get(path)).headers.etag,
        ),
      );
    const before = await etags();
    reader.servicesByEnvironment.production = [
      ecsService('shop-api', { runningCount: 0, desiredCount: 3 }),
      ecsService('storefront'),
    ];
    await environments.refreshAll();
    const after = await etags();
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    const changed = await get('/v1/problems', { 'If-None-Match': before[1] });
    expect(changed.status).toBe(200);
    expect(
      (changed.body as ProblemListResponse).items.map(p => p.id),
    ).toContain('production/service/shop-api/running-below-desired');
  });

  it('sends a browser the gzipped body, made once per body and left alone by the compression middleware, with its own tag', async () => {
    const { get, reader, environments } = await setup(
      () => AuthorizeResult.ALLOW,
      { compression: true },
    );
    // Enough services for a problems list past the gzip threshold.
    reader.servicesByEnvironment.production = Array.from(
      { length: 12 },
      (_, i) =>
        ecsService(`service-${i}`, { runningCount: 0, desiredCount: 2 }),
    );
    await environments.refreshAll();

    const plain = await get('/v1/problems', { 'Accept-Encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBeGreaterThan(1024);

    const zipped = await get('/v1/problems', {
      'Accept-Encoding': 'gzip, deflate, br',
    });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
    expect(zipped.text).toBe(plain.text);
    expect(zipped.headers.etag).toBe(`${plain.headers.etag.slice(0, -1)}.gz"`);
    expect(Number(zipped.headers['content-length'])).toBeLessThan(
      Number(plain.headers['content-length']),
    );

    const withTag = (etag: string) =>
      get('/v1/problems', { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
    expect((await withTag(zipped.headers.etag)).status).toBe(304);
    // The identity tag does not stand for the gzipped bytes.
    expect((await withTag(plain.headers.etag)).status).toBe(200);
  });

  it('answers 403, not 304, to a denied user who sends a tag', async () => {
    let allow = true;
    const { app } = await setup(() =>
      allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
    );
    const first = await request(app)
      .get('/v1/problems')
      .set('Authorization', userA);
    allow = false;
    const denied = await request(app)
      .get('/v1/problems')
      .set('Authorization', userB)
      .set('If-None-Match', first.headers.etag);
    expect(denied.status).toBe(403);
  });
});

describe('router with an environment name claimed twice', () => {
  const impostor: Entity = {
    ...environmentEntity('production', {
      'kler.io/aws-account-id': '666666666666',
    }),
    metadata: {
      ...environmentEntity('production').metadata,
      namespace: 'evil',
    },
  };
  const duplicate = {
    name: 'DuplicateEnvironment',
    message: expect.stringContaining(
      'claimed by 2 catalog entities: resource:default/production, resource:evil/production',
    ),
  };

  it('lists the name with the error instead of either environment, and reads neither from AWS', async () => {
    const { app, reader, environments, catalog } = await setup(
      () => AuthorizeResult.ALLOW,
    );
    const before = (
      await request(app).get('/v1/environments').set('Authorization', userA)
    ).body as EnvironmentListResponse;
    expect(before.items[0]).toMatchObject({
      name: 'production',
      accountId: '222222222222',
      entityRef: 'resource:default/production',
    });

    // An impostor is registered in another namespace.
    jest.spyOn(catalog, 'getEntities').mockResolvedValue({
      items: [environmentEntity('production'), impostor],
    });
    reader.calls.length = 0;
    await environments.refreshAll();
    expect(reader.calls).toEqual([]);

    const list = await request(app)
      .get('/v1/environments')
      .set('Authorization', userA);
    expect(list.status).toBe(200);
    const items = (list.body as EnvironmentListResponse).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      name: 'production',
      status: 'unknown',
      accountId: '',
      error: duplicate,
    });
    expect(items[0].entityRef).toBeUndefined();
    expect(items[0].refreshedAt).toBeUndefined();

    const details = await request(app)
      .get('/v1/environments/production')
      .set('Authorization', userA);
    expect(details.status).toBe(200);
    expect(details.body.summary.error).toEqual(duplicate);
    expect(details.body.snapshot).toBeUndefined();

    const problems = await request(app)
      .get('/v1/problems')
      .set('Authorization', userA);
    expect((problems.body as ProblemListResponse).items).toEqual([]);
  });
});
