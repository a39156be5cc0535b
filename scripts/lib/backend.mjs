// Boots the real KLER backend (packages/backend) as a child process, the way
// `./kler start` does, with extra config layered on top of app-config.yaml.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './net.mjs';

export const repoRoot = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../..',
);

const ansi = /\u001b\[[0-9;]*m/g;

/**
 * `dir` is the backend package's directory relative to the repo (default
 * packages/backend) and `entry` its entry file relative to `dir` (default
 * src/index.ts): the benchmark boots a smaller backend of its own with them;
 * `nodeArgs` go to Node before the entry (for example `--cpu-prof`).
 *
 * @param {{ configFiles?: string[], config?: object, env?: Record<string,string>, serveApp?: boolean, dir?: string, entry?: string, nodeArgs?: string[] }} options
 */
export async function startBackend(options = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kler-backend-'));
  const overrides = join(dir, 'app-config.test.yaml');
  writeFileSync(
    overrides,
    JSON.stringify({
      ...options.config,
      // A test backend publishes environments to a repository of its own, and
      // so mirrors none of another run's into its catalog.
      kler: {
        ...options.config?.kler,
        environments: {
          localRepository: join(dir, 'environments.git'),
          ...options.config?.kler?.environments,
        },
      },
      // The backend's app plugin serves packages/app/dist at the backend's own URL.
      ...(options.serveApp
        ? { app: { baseUrl: `http://localhost:${port}` } }
        : {}),
      backend: {
        ...options.config?.backend,
        baseUrl: `http://localhost:${port}`,
        // A caller may set listen.host (for example 127.0.0.1); the port is ours.
        listen: { ...options.config?.backend?.listen, port },
      },
    }),
  );
  const configs = [
    join(repoRoot, 'app-config.yaml'),
    ...(options.configFiles ?? []).map(f => resolve(repoRoot, f)),
    overrides,
  ];
  // What `backstage-cli package start` runs, without its file watcher, so that a
  // crash ends the process instead of waiting for a change.
  const nodeTransform = createRequire(
    join(repoRoot, 'packages/backend/package.json'),
  ).resolve('@backstage/cli-node/config/nodeTransform.cjs');
  const args = [
    '--enable-source-maps',
    ...(options.nodeArgs ?? []),
    '--require',
    nodeTransform,
    options.entry ?? 'src/index.ts',
    ...configs.flatMap(c => ['--config', c]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: join(repoRoot, options.dir ?? 'packages/backend'),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      ...options.env,
      FORCE_COLOR: '0',
      ESBK_TSCONFIG_PATH: join(repoRoot, 'tsconfig.json'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const backend = await superviseBackend(child, {
    baseUrl: `http://localhost:${port}`,
    guestEnv: 'development',
    readinessTimeoutMs: 180_000,
  });
  return Object.assign(backend, {
    /** Lines the backend logged at level error, or that look like a crash. */
    errorLines: () =>
      backend.lines.filter(
        l =>
          /^\S+Z \S+ error /.test(l) ||
          /^(Error|TypeError|Backend failed)/.test(l),
      ),
    /** Waits until the catalog has ingested the entity, and returns it. */
    async waitForEntity(kind, name, token) {
      return waitFor(
        async () => {
          const res = await backend.get(
            `/api/catalog/entities/by-name/${kind}/default/${name}`,
            token,
          );
          return res.status === 200 && res.body;
        },
        { timeoutMs: 60_000, what: `${kind} ${name} in the catalog` },
      );
    },
  });
}

/**
 * A backend process started in its own process group (`detached`), as the
 * tests and the benchmark start one: its output kept line by line, stopped
 * with SIGTERM then SIGKILL after 10 s, a guest token and JSON GETs at
 * `baseUrl`; resolves once its readiness check answers, and stops it when it
 * exits or is not ready within `readinessTimeoutMs`.
 *
 * @param {import('node:child_process').ChildProcess} child
 * @param {{ baseUrl: string, guestEnv: string, readinessTimeoutMs: number }} options
 */
export async function superviseBackend(child, options) {
  const { baseUrl } = options;
  const lines = [];
  let exited;
  const onData = data => {
    for (const line of data.toString().split('\n')) {
      if (line.trim()) lines.push(line.replace(ansi, ''));
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise(r =>
    child.on('exit', code => {
      exited = code ?? -1;
      r();
    }),
  );

  const backend = {
    baseUrl,
    /** The process id; the backend runs in its own process group (-pid). */
    pid: child.pid,
    lines,
    exitCode: () => exited,
    async stop() {
      if (exited === undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, 10_000);
        await exit;
        clearTimeout(timer);
      }
    },
    async guestToken() {
      const res = await fetch(
        `${baseUrl}/api/auth/guest/refresh?env=${options.guestEnv}`,
        {
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
        },
      );
      if (!res.ok)
        throw new Error(
          `guest sign-in: HTTP ${res.status} ${await res.text()}`,
        );
      return (await res.json()).backstageIdentity.token;
    },
    async get(path, token) {
      const res = await fetch(`${baseUrl}${path}`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
      const text = await res.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      return { status: res.status, body };
    },
  };
  try {
    await waitFor(
      async () => {
        if (exited !== undefined) {
          throw Object.assign(
            new Error(
              `backend exited with ${exited}:\n${lines.slice(-30).join('\n')}`,
            ),
            { fatal: true },
          );
        }
        const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
        return res.ok;
      },
      { timeoutMs: options.readinessTimeoutMs, what: 'backend readiness' },
    );
  } catch (error) {
    await backend.stop();
    throw error;
  }
  return backend;
}

/** Starts the backend expecting it to fail at startup; resolves with its output. */
export async function expectStartupFailure(options) {
  try {
    const backend = await startBackend(options);
    await backend.stop();
  } catch (error) {
    return error.message;
  }
  throw new Error('backend started although its config is invalid');
}
