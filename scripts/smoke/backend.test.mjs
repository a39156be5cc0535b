// Boots the real backend, on SQLite and on a real PostgreSQL 15 server, signs in
// as guest and reads KLER's catalog over HTTP. The backend must log no error.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectStartupFailure, startBackend } from '../lib/backend.mjs';
import { waitFor } from '../lib/net.mjs';
import { startPostgres } from '../lib/postgres.mjs';

const expectedEntities = [
  'domain:default/kler',
  'system:default/kler-shop',
  'component:default/storefront',
  'component:default/shop-api',
  'component:default/admin-panel',
  'component:default/image-service',
  'resource:default/production',
  'resource:default/development',
  'group:default/platform-team',
  'user:default/guest',
];

async function readsKlerCatalog(backend) {
  const token = await backend.guestToken();
  const unauthenticated = await backend.get('/api/catalog/entities');
  assert.equal(
    unauthenticated.status,
    401,
    'the catalog must refuse a request without a token',
  );

  const refs = await waitFor(
    async () => {
      const res = await backend.get('/api/catalog/entities', token);
      assert.equal(res.status, 200);
      const found = new Set(
        res.body.map(e =>
          `${e.kind}:${e.metadata.namespace ?? 'default'}/${
            e.metadata.name
          }`.toLowerCase(),
        ),
      );
      return expectedEntities.every(ref => found.has(ref)) && found;
    },
    { timeoutMs: 60_000, what: "KLER's entities in the catalog" },
  );
  assert.ok(refs.size >= expectedEntities.length);

  const environments = await backend.get(
    '/api/catalog/entities?filter=kind=resource,spec.type=environment',
    token,
  );
  assert.deepEqual(environments.body.map(e => e.metadata.name).sort(), [
    'development',
    'production',
  ]);
}

describe('backend on SQLite', () => {
  let backend;
  before(async () => {
    backend = await startBackend();
  });
  after(() => backend?.stop());

  test("serves KLER's catalog to a guest", async () => {
    await readsKlerCatalog(backend);
  });

  test('logs no error', () => {
    assert.deepEqual(backend.errorLines(), []);
  });
});

describe('backend on PostgreSQL 15', () => {
  let postgres;
  let backend;
  before(async () => {
    postgres = await startPostgres();
    backend = await startBackend({
      // The production config, its database connection from the environment.
      configFiles: [
        'app-config.production.yaml',
        'scripts/smoke/app-config.smoke.yaml',
      ],
      env: {
        POSTGRES_HOST: postgres.host,
        POSTGRES_PORT: String(postgres.port),
        POSTGRES_USER: postgres.user,
        POSTGRES_PASSWORD: postgres.password,
        KLER_PORTAL_URL: 'http://localhost:3000',
        BACKEND_SECRET: `smoke-${process.pid}-${Date.now()}`,
        REDIS_URL: 'redis://127.0.0.1:6379',
      },
    });
  });
  after(async () => {
    await backend?.stop();
    postgres?.stop();
  });

  test("serves KLER's catalog to a guest", async () => {
    await readsKlerCatalog(backend);
  });

  test('keeps the catalog in PostgreSQL', async () => {
    const { execFileSync } = await import('node:child_process');
    const databases = execFileSync(
      'psql',
      [
        '-h',
        postgres.host,
        '-p',
        String(postgres.port),
        '-U',
        'postgres',
        '-Atc',
        'select datname from pg_database',
      ],
      { encoding: 'utf8' },
    );
    assert.match(databases, /backstage_plugin_catalog/);
  });

  test('logs no error', () => {
    assert.deepEqual(backend.errorLines(), []);
  });
});

describe('backend with bad config', () => {
  test('fails at start naming the missing PostgreSQL host', async () => {
    const output = await expectStartupFailure({
      configFiles: [
        'app-config.production.yaml',
        'scripts/smoke/app-config.smoke.yaml',
      ],
      env: {
        POSTGRES_HOST: '',
        POSTGRES_PORT: '5432',
        POSTGRES_USER: 'postgres',
        POSTGRES_PASSWORD: 'unused',
        KLER_PORTAL_URL: 'http://localhost:3000',
        BACKEND_SECRET: 'unused',
        REDIS_URL: 'redis://127.0.0.1:6379',
      },
    });
    assert.match(output, /backend\.database\.connection\.host is missing/);
    assert.match(output, /POSTGRES_HOST/);
  });
});
