// Boots what `yarn bench:ui` measures: the local AWS sandbox with a generated
// world of SIZE services in each of two environments, and the real portal
// backend (packages/backend) reading it and serving the built app.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot, startBackend } from '../../scripts/lib/backend.mjs';
import { startSandbox } from '../../scripts/lib/sandbox.mjs';
import { waitFor } from '../../scripts/lib/net.mjs';

export const ENVIRONMENTS = 2;
const TASKS_PER_SERVICE = 5;

// The sandbox CLI's `--generate` runs this same function with the same default
// seed, so the config below names the accounts and clusters the sandbox holds.
const sandboxRequire = createRequire(
  join(repoRoot, 'packages/aws-sandbox/package.json'),
);
sandboxRequire('@backstage/cli-node/config/nodeTransform.cjs');
const { generateScenario } = sandboxRequire(
  join(repoRoot, 'packages/aws-sandbox/src/scenario/generate.ts'),
);

/**
 * Starts the sandbox with `size` services per environment (clock frozen, so
 * every run of a size sees one world) and the portal backend on it; resolves
 * once both environments have been read.
 */
export async function startGeneratedPortal(size) {
  const sandbox = await startSandbox({
    args: [
      '--generate',
      String(size),
      '--environments',
      String(ENVIRONMENTS),
      '--tasks-per-service',
      String(TASKS_PER_SERVICE),
    ],
  });
  let backend;
  try {
    await sandbox.admin('POST', '/clock', { speed: 0 });
    const scenario = generateScenario({
      environments: ENVIRONMENTS,
      servicesPerEnvironment: size,
      tasksPerService: TASKS_PER_SERVICE,
    });
    backend = await startBackend({
      serveApp: true,
      config: {
        // The generated environments only; KLER's catalog stays, so the app
        // has its usual entities, but none of its environments is configured.
        aws: {
          accounts: scenario.accounts.map(account => ({
            accountId: account.id,
            accessKeyId: `SANDBOX${account.id}`,
            secretAccessKey: 'sandbox-placeholder',
          })),
        },
        environments: {
          environments: scenario.environments.map((env, i) => ({
            name: env.name,
            tier: i === 0 ? 'production' : 'development',
            accountId: env.account,
            region: env.region,
            cluster: env.cluster,
            backupVault: env.vault,
            wellArchitectedWorkloadId: env.workload?.id,
            endpoint: sandbox.url,
          })),
          // Read once at boot; the page measured is not raced by a refresh.
          refresh: { frequency: { hours: 6 }, timeout: { seconds: 240 } },
        },
      },
    });
    const token = await backend.guestToken();
    await waitFor(
      async () => {
        const res = await backend.get(
          '/api/environments/v1/environments',
          token,
        );
        return (
          res.status === 200 &&
          res.body.items.length === ENVIRONMENTS &&
          res.body.items.every(item => item.refreshedAt)
        );
      },
      {
        timeoutMs: 300_000,
        what: `both generated environments read (${size} services)`,
      },
    );
    return {
      size,
      sandbox,
      backend,
      token,
      environmentNames: scenario.environments.map(env => env.name),
      async stop() {
        await backend.stop();
        sandbox.stop();
      },
    };
  } catch (error) {
    await backend?.stop();
    sandbox.stop();
    throw error;
  }
}
