// The restart drills: replicas that start at the same moment on an empty
// PostgreSQL, and a backend killed (with every process it started) while a
// scaffolder task applies Terraform, then started again on the same database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBackend } from '../lib/backend.mjs';
import { startPostgres } from '../lib/postgres.mjs';
import {
  drillBackendConfig,
  drillBackendEnv,
  sandboxConfig,
} from './support/environments.mjs';
import { startRedis } from './support/redis.mjs';

/** The production config of a drill backend on `postgres` and `redis`. */
export function productionBackend({ postgres, redis, config = {} }) {
  return {
    configFiles: [
      'app-config.production.yaml',
      'scripts/smoke/app-config.smoke.yaml',
    ],
    config: drillBackendConfig({
      ...config,
      backend: {
        ...config.backend,
        cache: { store: 'redis', connection: redis.url },
      },
    }),
    env: {
      ...drillBackendEnv,
      POSTGRES_HOST: postgres.host,
      POSTGRES_PORT: String(postgres.port),
      POSTGRES_USER: postgres.user,
      POSTGRES_PASSWORD: postgres.password,
      KLER_PORTAL_URL: 'http://localhost:3000',
      BACKEND_SECRET: `drill-${process.pid}-${Date.now()}`,
      REDIS_URL: redis.url,
    },
  };
}

/**
 * Registers the restart drills as describe blocks of the drill run, with rows
 * in `report`; `sandboxUrl()` gives the running sandbox's URL.
 */
export function describeRestartDrills({ report, sandboxUrl }) {
  describe('two replicas starting together on an empty PostgreSQL', () => {
    let postgres;
    let redis;
    const replicas = [];

    before(() =>
      report.setup('two replicas starting together', async () => {
        [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
      }),
    );

    after(async () => {
      await Promise.all(replicas.map(r => r.stop()));
      redis?.stop();
      postgres?.stop();
    });

    test(
      'two replicas start at the same moment on an empty database',
      { timeout: 240_000 },
      () =>
        report.drill(
          {
            drill: 'Replicas start together',
            injected:
              '2 backends with the production config started at the same moment on one empty PostgreSQL',
            expected: 'both replicas up; no error in either log',
          },
          async () => {
            const options = productionBackend({
              postgres,
              redis,
              config: sandboxConfig({
                endpoints: {
                  production: sandboxUrl(),
                  development: sandboxUrl(),
                },
              }),
            });
            const startedAt = Date.now();
            const results = await Promise.allSettled(
              ['A', 'B'].map(async name => {
                const backend = await startBackend(options);
                replicas.push(backend);
                return {
                  name,
                  backend,
                  seconds: (Date.now() - startedAt) / 1000,
                };
              }),
            );
            // A replica that exits says why on its last lines.
            const failed = results
              .filter(r => r.status === 'rejected')
              .map(r =>
                String(r.reason?.message ?? r.reason)
                  .split('\n')
                  .filter(l => /failed|Error|Locked/.test(l))
                  .slice(-3)
                  .join(' / '),
              );
            assert.deepEqual(failed, [], 'a replica did not come up');
            const up = results.map(r => r.value);
            for (const { name, backend } of up) {
              assert.deepEqual(
                backend.errorLines(),
                [],
                `replica ${name} logged errors`,
              );
            }
            const waited = up
              .map(({ name, backend }) => {
                const line = backend.lines.find(
                  l =>
                    l.includes('"type":"startupLock"') &&
                    l.includes('waitedMs'),
                );
                return (
                  line &&
                  `${name} waited ${(JSON.parse(line).waitedMs / 1000).toFixed(
                    1,
                  )} s for the other's start`
                );
              })
              .filter(Boolean);
            return `both up: ${up
              .map(
                ({ name, seconds }) =>
                  `${name} ready ${seconds.toFixed(1)} s after the start`,
              )
              .join(', ')}${
              waited.length ? ` (${waited.join('; ')})` : ''
            }; no error in either log`;
          },
        ),
    );
  });
}
