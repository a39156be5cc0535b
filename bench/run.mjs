#!/usr/bin/env node
// `yarn bench`: the environments backend, built as deployed, against the AWS
// sandbox with 40 ms added per call and the sandbox's default per-operation
// throttling, on two axes: services per environment (2 environments, with a
// naive reader beside it) and environments of 50 services, one account each
// (with one account slow or throttled). Prints a table with PASS/FAIL per floor
// and saves it to bench/results/latest.md. See bench/README.md.
//
// lib/size-runner.mjs runs one size of the services axis, lib/accounts-runner.mjs
// one of the accounts axis, lib/loads.mjs the HTTP loads, lib/report.mjs the report.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchmarkAccounts } from './lib/accounts-runner.mjs';
import { buildBenchBackends, startBuiltBackend } from './lib/built-backend.mjs';
import { runTabs } from './lib/loads.mjs';
import { readProcStatusKb } from './lib/memory.mjs';
import { formatReport } from './lib/report.mjs';
import { loadRequestCostProbe } from './lib/request-cost.mjs';
import { loadScenarioGenerator } from './lib/scenario.mjs';
import { CLIENTS, TAB_INTERVAL_MS, benchmarkSize } from './lib/size-runner.mjs';

if (Number(process.versions.node.split('.')[0]) < 22) {
  process.stderr.write(
    `bench: Node ${process.version}; the backend needs Node 22+. Run it as: source scripts/toolchain.sh && kler_use_node && kler_yarn bench\n`,
  );
  process.exit(1);
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(benchDir, '..');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    accounts: { type: 'string' },
    'fault-accounts': { type: 'string' },
    'naive-sizes': { type: 'string' },
    'poll-seconds': { type: 'string' },
    'tab-seconds': { type: 'string' },
    output: { type: 'string' },
    // Writes a V8 CPU profile of the environments backend per size into DIR.
    'cpu-prof': { type: 'string' },
    // Formats the report again from a run's saved measurements (the .json
    // beside its .md) without measuring anything.
    render: { type: 'string' },
  },
});
const list = (value, fallback) =>
  value === undefined
    ? fallback
    : value === ''
    ? []
    : value.split(',').map(Number);
const sizes = list(args.sizes, args.quick ? [10, 100] : [10, 100, 300, 1000]);
const accountSizes = list(args.accounts, args.quick ? [2, 20] : [2, 20, 100]);
/** The accounts size at which one account is read under each fault. */
const faultAccounts = list(args['fault-accounts'], [20])[0];
/** The naive reader takes 50 s at 1,000: it runs where its floor is measured. */
const naiveSizes = new Set(
  list(args['naive-sizes'], args.quick ? [100] : [10, 100, 300]),
);
const options = {
  pollMs: Number(args['poll-seconds'] ?? (args.quick ? 3 : 8)) * 1000,
  tabMs: Number(args['tab-seconds'] ?? (args.quick ? 6 : 15)) * 1000,
  cpuProf: args['cpu-prof'],
};
const outputFile = args.output ?? join(benchDir, 'results/latest.md');

const log = message =>
  process.stderr.write(
    `[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );

const cleanups = [];
async function cleanupAll() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch {
      // keep cleaning up
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => cleanupAll().then(() => process.exit(130)));
}

const loadText = () =>
  loadavg()
    .map(l => l.toFixed(2))
    .join(' ');

/**
 * A built backend's peak resident set after boot, and after the tabs' load
 * on `path` when one is given (the same requests per second as the
 * environments backend gets, through auth and the permission plugin); then
 * what it retains after a full garbage collection.
 */
async function peakOf(file, path) {
  const backend = await startBuiltBackend({ file, inspect: true });
  const stop = () => backend.stop();
  cleanups.push(stop);
  try {
    await new Promise(r => setTimeout(r, 3000));
    if (path) {
      const token = await backend.guestToken();
      await runTabs({
        endpoints: [{ name: 'baseline', url: `${backend.baseUrl}${path}` }],
        token,
        tabs: CLIENTS,
        intervalMs: TAB_INTERVAL_MS,
        durationMs: options.tabMs,
      });
    }
    return {
      peakKb: readProcStatusKb(backend.pid, 'VmHWM'),
      afterGc: await backend.heapAfterGc(),
    };
  } finally {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
  }
}

/** The saved table in the repo's Prettier style, so that `prettier --check .` stays green. */
function formatMarkdown(text, file) {
  try {
    const prettier = createRequire(join(repoRoot, 'package.json'))('prettier');
    const config = prettier.resolveConfig.sync(file) ?? {};
    return prettier.format(text, { ...config, filepath: file });
  } catch {
    return text;
  }
}

async function main() {
  const startedAt = new Date();
  const loadAtStart = loadText();
  log('building the bench backends (esbuild)');
  const backends = await buildBenchBackends();
  const ctx = {
    backends,
    generateScenario: loadScenarioGenerator(repoRoot),
    requestCostProbe: loadRequestCostProbe(repoRoot),
    log,
    cleanups,
  };
  const results = [];
  const accounts = [];
  const failures = [];
  const memory = {};
  const failed = (what, error, result) => {
    failures.push({
      what,
      size: result.size,
      error: `${error?.message ?? error}`
        .split('\n')
        .slice(0, 4)
        .join(' ')
        .slice(0, 600),
      backendExitCode: result.backendExitCode?.(),
      backendLog: result.backendLog?.() ?? [],
      backendErrors: result.backendErrors?.() ?? [],
    });
    log(`${what} failed: ${error?.stack ?? error}`);
  };
  try {
    log('memory of the built backends without the environments plugin');
    const empty = await peakOf(backends.empty);
    const withoutEnvironments = await peakOf(
      backends.withoutEnvironments,
      '/api/catalog/entities?limit=20',
    );
    memory.emptyKb = empty.peakKb;
    memory.withoutEnvironmentsKb = withoutEnvironments.peakKb;
    memory.withoutEnvironmentsAfterGc = withoutEnvironments.afterGc;
    for (const size of sizes) {
      const result = {};
      try {
        await benchmarkSize(
          size,
          {
            ...ctx,
            options: {
              ...options,
              naive: naiveSizes.has(size),
              compareDecisions: size === sizes[sizes.length - 1],
            },
          },
          result,
        );
        results.push(result);
      } catch (error) {
        // One size failing does not hide the others; the report says what broke.
        failed(`Size ${size} x 2`, error, result);
        await cleanupAll();
      }
    }
    for (const environments of accountSizes) {
      const result = {};
      try {
        await benchmarkAccounts(
          environments,
          { ...ctx, options },
          {
            faults: environments === faultAccounts ? ['slow', 'throttled'] : [],
          },
          result,
        );
        accounts.push(result);
      } catch (error) {
        failed(`${environments} environments x 50`, error, result);
        await cleanupAll();
      }
    }
  } finally {
    await cleanupAll();
  }
  const throttling = results[0]?.throttling;
  const measured = {
    sizes: results,
    accounts,
    failures,
    memory,
    meta: {
      startedAt: startedAt.toISOString(),
      mode: args.quick
        ? 'quick'
        : args.sizes || args.accounts
        ? 'partial'
        : 'full',
      command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
      loadAtStart,
      loadAtEnd: loadText(),
      tabMs: options.tabMs,
      pollMs: options.pollMs,
      throttling: throttling
        ? `${throttling.enabled ? 'on' : 'off'}, ${
            throttling.ratePerSecond
          }/s burst ${
            throttling.burst
          } per account, region and operation (its default)`
        : 'n/a',
    },
  };
  mkdirSync(dirname(outputFile), { recursive: true });
  writeFileSync(
    outputFile.replace(/(\.md)?$/, '.json'),
    `${JSON.stringify(measured, null, 1)}\n`,
  );
  saveReport(measured);
  // Failing floors are results; a size that could not be measured is an error.
  process.exitCode = failures.length ? 1 : 0;
}

function saveReport(measured) {
  const text = formatReport(measured);
  mkdirSync(dirname(outputFile), { recursive: true });
  writeFileSync(outputFile, formatMarkdown(`${text}\n`, outputFile));
  process.stdout.write(`${text}\n\nSaved to ${outputFile}\n`);
}

if (args.render) {
  saveReport(JSON.parse(readFileSync(args.render, 'utf8')));
} else {
  main().catch(async error => {
    await cleanupAll();
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  });
}
