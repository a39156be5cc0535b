// The benchmark's backends built as a deployment runs them: each entry of
// bench/backend compiled ahead of time into one CommonJS file (the KLER
// workspace packages' TypeScript included; npm dependencies loaded from
// node_modules, as a production image installs them), started with plain
// Node and NODE_ENV=production: no TypeScript transform at run time.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot, superviseBackend } from '../../scripts/lib/backend.mjs';
import { freePort } from '../../scripts/lib/net.mjs';

const backendDir = join(repoRoot, 'bench/backend');
const distDir = join(backendDir, 'dist');

/** The entries of bench/backend, by what they hold. */
export const BENCH_BACKENDS = {
  /** The environments plugin with auth, catalog and permission: a split deployment. */
  environments: 'index.ts',
  /** The same without the environments plugin: the floor of its memory share. */
  withoutEnvironments: 'without-environments.ts',
  /** No plugin at all: what any Backstage backend costs. */
  empty: 'empty.ts',
};

/**
 * Compiles every entry of BENCH_BACKENDS into bench/backend/dist/<entry>.cjs
 * (esbuild, which the Backstage CLI builds with too); returns the files.
 */
export async function buildBenchBackends() {
  const esbuild = createRequire(join(repoRoot, 'package.json'))('esbuild');
  const entries = Object.values(BENCH_BACKENDS);
  await esbuild.build({
    entryPoints: entries.map(entry => join(backendDir, entry)),
    outdir: distDir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: false,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [
      {
        // npm packages stay in node_modules; the KLER workspace packages
        // (TypeScript sources) are compiled in.
        name: 'external-npm-packages',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, args =>
            args.path.startsWith('@kler/')
              ? undefined
              : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  return Object.fromEntries(
    Object.entries(BENCH_BACKENDS).map(([name, entry]) => [
      name,
      join(distDir, entry.replace(/\.ts$/, '.cjs')),
    ]),
  );
}

/**
 * Starts a built bench backend with the given config files on top of
 * app-config.yaml, on a free port of 127.0.0.1, in production mode (guest
 * sign-in allowed, for the benchmark's users).
 */
export async function startBuiltBackend({
  file,
  configFiles = [],
  nodeArgs = [],
  inspect = false,
}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kler-bench-backend-'));
  const overrides = join(dir, 'app-config.built.json');
  writeFileSync(
    overrides,
    JSON.stringify({
      backend: {
        baseUrl: `http://127.0.0.1:${port}`,
        listen: { host: '127.0.0.1', port },
      },
      auth: {
        providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
      },
    }),
  );
  const configs = [
    join(repoRoot, 'app-config.yaml'),
    ...configFiles.map(f => resolve(repoRoot, f)),
    overrides,
  ];
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      // The inspector on a random port, for heapAfterGc().
      ...(inspect ? ['--inspect=127.0.0.1:0'] : []),
      file,
      ...configs.flatMap(c => ['--config', c]),
    ],
    {
      // bench/backend is a root of its own: the backend collects the config
      // schema of its own dependencies, not of every package of the repo.
      cwd: backendDir,
      env: { ...process.env, NODE_ENV: 'production', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const backend = await superviseBackend(child, {
    baseUrl: `http://127.0.0.1:${port}`,
    guestEnv: 'production',
    readinessTimeoutMs: 120_000,
  });
  return Object.assign(backend, {
    /**
     * Collects the garbage of the whole heap (the inspector's
     * HeapProfiler.collectGarbage), then answers process.memoryUsage() of the
     * backend: what it retains, apart from what V8 lets pile up between
     * collections. Needs `inspect: true`.
     */
    async heapAfterGc() {
      const url = backend.lines
        .map(l => /Debugger listening on (ws:\/\/\S+)/.exec(l)?.[1])
        .find(Boolean);
      if (!url) throw new Error('the backend was not started with inspect');
      return inspectorCalls(url, [
        { method: 'HeapProfiler.collectGarbage' },
        {
          method: 'Runtime.evaluate',
          params: {
            expression: 'JSON.stringify(process.memoryUsage())',
            returnByValue: true,
          },
        },
      ]).then(([, evaluated]) => JSON.parse(evaluated.result.value));
    },
  });
}

/** Sends the Chrome DevTools Protocol calls in order; answers their results. */
async function inspectorCalls(url, calls) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  const pending = new Map();
  socket.addEventListener('message', event => {
    const message = JSON.parse(event.data);
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.error) {
      waiting.reject(new Error(`inspector: ${message.error.message}`));
    } else {
      waiting.resolve(message.result);
    }
  });
  try {
    const results = [];
    for (const [index, call] of calls.entries()) {
      const id = index + 1;
      results.push(
        await new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject });
          socket.send(JSON.stringify({ id, ...call }));
        }),
      );
    }
    return results;
  } finally {
    socket.close();
  }
}
