// The "no variable value anywhere" drill: the sandbox's KLER scenario sets a
// plaintext variable DB_PASSWORD on development's shop-api whose value is a
// canary. After a refresh, the drill reads every environments route, the
// backend's log and every entry of the cache (Redis) and looks for the
// canary: the portal keeps variables' names, never their values.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { startBackend } from '../lib/backend.mjs';
import { waitFor } from '../lib/net.mjs';
import {
  ENVIRONMENTS,
  drillBackendConfig,
  drillBackendEnv,
  sandboxConfig,
} from './support/environments.mjs';
import { startRedis } from './support/redis.mjs';

const run = promisify(execFile);

/** The value of development shop-api's DB_PASSWORD in packages/aws-sandbox/scenarios/kler.yaml. */
export const CANARY = 'kler-canary-7f3a9c';
/** The variable's name: it must show, or the search proves nothing. */
export const CANARY_NAME = 'DB_PASSWORD';

const API = '/api/environments/v1';

/** Every key of the Redis at `url`, and its value (strings; other types by their type). */
async function redisEntries(url) {
  const { stdout } = await run('redis-cli', ['-u', url, '--scan'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const keys = stdout.split('\n').filter(Boolean);
  const entries = [];
  for (let i = 0; i < keys.length; i += 100) {
    const batch = keys.slice(i, i + 100);
    const values = await run(
      'redis-cli',
      ['-u', url, '--raw', 'MGET', ...batch],
      {
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    // --raw prints one value a line; a value never spans lines once
    // JSON-encoded, which is how the cache stores it.
    const lines = values.stdout.split('\n');
    batch.forEach((key, j) => entries.push({ key, value: lines[j] ?? '' }));
  }
  return entries;
}

/**
 * Registers the drill as a describe block of the drill run, with its row in
 * `report`; `sandboxUrl()` gives the running sandbox's URL.
 */
export function describeVariableValuesDrills({ report, sandboxUrl }) {
  describe('no variable value anywhere', () => {
    let redis;
    let backend;

    before(() =>
      report.setup('no variable value anywhere', async () => {
        redis = await startRedis();
        backend = await startBackend({
          config: drillBackendConfig({
            ...sandboxConfig({
              endpoints: {
                production: sandboxUrl(),
                development: sandboxUrl(),
              },
            }),
            backend: { cache: { store: 'redis', connection: redis.url } },
          }),
          env: drillBackendEnv,
        });
      }),
    );

    after(async () => {
      await backend?.stop();
      redis?.stop();
    });

    test(
      'no environment variable value in any response, log line or cache entry',
      { timeout: 240_000 },
      () =>
        report.drill(
          {
            drill: 'No variable value anywhere',
            injected: `development shop-api's task definition sets ${CANARY_NAME}=${CANARY} in plain text (sandbox scenario); a refresh of both environments`,
            expected: `${CANARY} in no API response, log line or Redis cache entry; ${CANARY_NAME} shown`,
          },
          async () => {
            const token = await backend.guestToken();
            // Read once the development snapshot carries shop-api's task definition.
            await waitFor(
              async () => {
                const res = await backend.get(
                  `${API}/environments/development`,
                  token,
                );
                const shopApi = res.body?.snapshot?.services?.find(
                  s => s.serviceName === 'shop-api',
                );
                return shopApi?.taskDefinitions?.length > 0;
              },
              {
                timeoutMs: 90_000,
                intervalMs: 500,
                what: "development shop-api's task definition in the snapshot",
              },
            );
            await backend.waitForEntity('component', 'shop-api', token);

            const routes = [
              `${API}/environments`,
              ...ENVIRONMENTS.flatMap(name => [
                `${API}/environments/${name}`,
                `${API}/environments/${name}/services`,
                `${API}/environments/${name}/runs`,
              ]),
              `${API}/entity/default/component/shop-api`,
              `${API}/entity/default/component/storefront`,
              `${API}/problems`,
            ];
            let bytes = 0;
            let nameShown = false;
            for (const route of routes) {
              const res = await backend.get(route, token);
              assert.equal(res.status, 200, `${route}: HTTP ${res.status}`);
              const text = JSON.stringify(res.body);
              bytes += text.length;
              assert.ok(!text.includes(CANARY), `${CANARY} in ${route}`);
              nameShown ||= text.includes(CANARY_NAME);
            }
            assert.ok(
              nameShown,
              `${CANARY_NAME} in no response: the search cannot fail`,
            );

            const lines = backend.lines;
            const logged = lines.filter(line => line.includes(CANARY));
            assert.deepEqual(logged, [], `${CANARY} in the backend log`);
            assert.deepEqual(backend.errorLines(), [], 'errors in the log');

            const entries = await redisEntries(redis.url);
            const cached = entries.filter(
              e => e.key.includes(CANARY) || e.value.includes(CANARY),
            );
            assert.deepEqual(
              cached.map(e => e.key),
              [],
              `${CANARY} in Redis entries`,
            );
            const withName = entries.filter(e => e.value.includes(CANARY_NAME));
            assert.ok(
              withName.length > 0,
              `${CANARY_NAME} in no Redis entry: the snapshots are not in Redis, the search proves nothing`,
            );
            const cacheBytes = entries.reduce(
              (sum, e) => sum + e.value.length,
              0,
            );
            return `${CANARY} in none of ${routes.length} responses (${(
              bytes / 1024
            ).toFixed(0)} kB), ${lines.length} log lines, ${
              entries.length
            } Redis entries (${(cacheBytes / 1024).toFixed(
              0,
            )} kB); ${CANARY_NAME} shown in responses and in ${
              withName.length
            } cache entries`;
          },
        ),
    );
  });
}
