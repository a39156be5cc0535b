// Boots the whole portal the way a user sees it: the local AWS sandbox, and the
// real backend reading KLER's environments from it and serving the built app.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startBackend } from './backend.mjs';
import { startSandbox } from './sandbox.mjs';

/** Builds packages/app into packages/app/dist, which the backend's app plugin serves. */
export function buildApp() {
  const dist = join(repoRoot, 'packages/app/dist/index.html');
  if (
    process.env.CI !== 'true' &&
    existsSync(dist) &&
    statSync(dist).mtimeMs > Date.now() - 10 * 60_000
  ) {
    return;
  }
  execFileSync(
    process.execPath,
    [
      join(repoRoot, '.yarn/releases/yarn-4.13.0.cjs'),
      'backstage-cli',
      'package',
      'build',
    ],
    { cwd: join(repoRoot, 'packages/app'), stdio: 'inherit' },
  );
}

export async function startPortal({
  refreshSeconds = 3,
  backendConfig = {},
} = {}) {
  const sandbox = await startSandbox();
  let backend;
  try {
    backend = await startBackend({
      configFiles: ['app-config.sandbox.yaml'],
      serveApp: true,
      config: {
        ...backendConfig,
        kler: {
          ...backendConfig.kler,
          environments: {
            // Environments created from kler-environment go to this sandbox.
            sandbox: { adminUrl: sandbox.url },
            ...backendConfig.kler?.environments,
          },
        },
        environments: {
          environments: [
            { name: 'production', endpoint: sandbox.url },
            { name: 'development', endpoint: sandbox.url },
          ],
          defaultEndpoint: sandbox.url,
          refresh: {
            frequency: { seconds: refreshSeconds },
            timeout: { seconds: 20 },
          },
          ...backendConfig.environments,
        },
      },
    });
  } catch (error) {
    sandbox.stop();
    throw error;
  }
  return {
    sandbox,
    backend,
    async stop() {
      await backend.stop();
      sandbox.stop();
    },
  };
}
