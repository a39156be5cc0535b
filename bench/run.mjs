#!/usr/bin/env node
// `yarn bench`: the real environments backend against the AWS sandbox with 40 ms
// added per call and the sandbox's default per-operation throttling, at several
// sizes, next to a naive reader that does what the Amazon ECS plugin does. The
// backend measured is the environments plugin alone (bench/backend, as a split
// deployment runs it); the whole portal backend's memory is measured beside it
// at the smallest and the largest size.
// Prints a table with PASS/FAIL per floor and saves it to bench/results/latest.md.
// See bench/README.md for what is measured and how.
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBackend } from '../scripts/lib/backend.mjs';
import { startSandbox } from '../scripts/lib/sandbox.mjs';
import { startCountingProxy } from './lib/counting-proxy.mjs';
import { pollConcurrently, pollOnSchedule } from './lib/load.mjs';
import {
  cpuSecondsOfTree,
  findPidByArgument,
  readProcStatusKb,
} from './lib/memory.mjs';
import {
  listLiveCounts,
  minimumCalls,
  structuralInventory,
  sumMinimums,
} from './lib/minimum-calls.mjs';
import { readNaive } from './lib/naive-reader.mjs';
import { loadRequestCostProbe } from './lib/request-cost.mjs';
import { mentionsThrottling } from './lib/operations.mjs';

if (Number(process.versions.node.split('.')[0]) < 22) {
  process.stderr.write(
    `bench: Node ${process.version}; the backend needs Node 22+. Run it as: source scripts/toolchain.sh && kler_use_node && kler_yarn bench\n`,
  );
  process.exit(1);
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(benchDir, '..');

const ENVIRONMENTS = 2;
const TASKS_PER_SERVICE = 5;
const LATENCY_MS = 40;
const CLIENTS = 20;
/** Each on-call tab of the open-loop load sends one GET per endpoint this often. */
const TAB_INTERVAL_MS = 1000;
/** The environments plugin alone, as a split deployment runs it. */
const ENVIRONMENTS_BACKEND = { dir: 'bench/backend', entry: 'index.ts' };
/** A Backstage backend with no plugin: the floor under any backend's memory. */
const EMPTY_BACKEND = { dir: 'bench/backend', entry: 'empty.ts' };
const REGION = 'eu-west-1';
const TASK_ID = 'environments-refresh';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    'poll-seconds': { type: 'string' },
    'tab-seconds': { type: 'string' },
    output: { type: 'string' },
    // Writes a V8 CPU profile of the environments backend per size into DIR.
    'cpu-prof': { type: 'string' },
  },
});
const sizes = args.sizes
  ? args.sizes.split(',').map(Number)
  : args.quick
  ? [10, 100]
  : [10, 100, 300, 1000];
const pollMs = Number(args['poll-seconds'] ?? (args.quick ? 3 : 8)) * 1000;
const tabMs = Number(args['tab-seconds'] ?? (args.quick ? 6 : 15)) * 1000;
/** Sizes at which the whole portal backend's memory is measured too. */
const portalSizes = new Set([sizes[0], sizes[sizes.length - 1]]);
const outputFile = args.output ?? join(benchDir, 'results/latest.md');

// The scenario generator is TypeScript in packages/aws-sandbox; the sandbox CLI
// runs the same function with the same default seed, so both see one world.
const sandboxRequire = createRequire(
  join(repoRoot, 'packages/aws-sandbox/package.json'),
);
sandboxRequire('@backstage/cli-node/config/nodeTransform.cjs');
const { generateScenario } = sandboxRequire(
  join(repoRoot, 'packages/aws-sandbox/src/scenario/generate.ts'),
);

const requestCostProbe = loadRequestCostProbe(repoRoot);

/** How often the frontend polls, read from its source: the report compares the load with it. */
function frontendPollingMs() {
  const read = (file, constant) => {
    try {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      const match = new RegExp(`${constant}\\s*=\\s*([\\d_]+)`).exec(text);
      return match ? Number(match[1].replace(/_/g, '')) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    onCall: read(
      'plugins/environments/src/components/OnCallPage/OnCallPage.tsx',
      'ON_CALL_REFRESH_INTERVAL_MS',
    ),
    entity: read(
      'plugins/environments/src/components/shared/usePolling.ts',
      'ENTITY_REFRESH_INTERVAL_MS',
    ),
  };
}
const frontendPolling = frontendPollingMs();

const log = message =>
  process.stderr.write(
    `[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );
const sleep = ms => new Promise(r => setTimeout(r, ms));

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

function backendConfig({ scenario, endpoint }) {
  return {
    backend: { listen: { host: '127.0.0.1' } },
    // Only the benchmark's environments: none from KLER's catalog.
    catalog: { locations: [] },
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
        endpoint,
      })),
      // The benchmark triggers the refreshes it measures; no timer refresh runs
      // meanwhile. A longer timeout than the default 60 s so that a slow refresh is
      // measured instead of cut short (the report says when it exceeds 60 s).
      refresh: { frequency: { hours: 6 }, timeout: { seconds: 240 } },
    },
  };
}

async function taskState(backend, token) {
  const res = await backend.get(
    '/api/environments/.backstage/scheduler/v1/tasks',
    token,
  );
  if (res.status !== 200) {
    throw new Error(
      `scheduler state: HTTP ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  return res.body.tasks.find(t => t.taskId === TASK_ID)?.taskState ?? {};
}

async function waitForRefresh(backend, token, { after, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  let seenRunning = false;
  while (Date.now() < deadline) {
    const state = await taskState(backend, token);
    if (state.status === 'running') seenRunning = true;
    if (
      state.status === 'idle' &&
      state.lastRunEndedAt &&
      (seenRunning || state.lastRunEndedAt !== after)
    ) {
      return state;
    }
    await sleep(100);
  }
  throw new Error(`refresh did not end within ${timeoutMs} ms`);
}

/** GET with the cause of a network failure in the message. */
async function getJson(url, token, retried = false) {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await res.text();
    return { status: res.status, body: res.ok ? JSON.parse(text) : text };
  } catch (error) {
    // A pooled keep-alive connection the server closed meanwhile: ask once more.
    if (!retried && error.cause?.code === 'UND_ERR_SOCKET') {
      return getJson(url, token, true);
    }
    throw new Error(
      `GET ${url} failed after ${Math.round(performance.now() - started)} ms: ${
        error.message
      }${
        error.cause
          ? ` (${error.cause.code ?? ''} ${error.cause.message ?? error.cause})`
          : ''
      }`,
    );
  }
}

/** Throttling errors in what a user gets: summaries, read errors, problems. */
function throttlingInSummaries(body) {
  let count = 0;
  for (const item of JSON.parse(body).items ?? []) {
    if (
      mentionsThrottling(item.error?.name) ||
      mentionsThrottling(item.error?.message)
    ) {
      count += 1;
    }
  }
  return count;
}
function throttlingInProblems(body) {
  let count = 0;
  for (const problem of JSON.parse(body).items ?? []) {
    if (mentionsThrottling(JSON.stringify(problem))) count += 1;
  }
  return count;
}

async function benchmarkSize(size, result) {
  log(
    `size ${size} services x ${ENVIRONMENTS} environments: starting the sandbox`,
  );
  Object.assign(result, { size, loadAtStart: loadavg()[0] });
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
  cleanups.push(() => sandbox.stop());
  // A frozen clock: every read of this size sees the same world.
  await sandbox.admin('POST', '/clock', { speed: 0 });
  const scenario = generateScenario({
    environments: ENVIRONMENTS,
    servicesPerEnvironment: size,
    tasksPerService: TASKS_PER_SERVICE,
  });

  // The inventory for the minimum, read directly (not through the proxy) with
  // throttling off; switching it back on starts every bucket full.
  await sandbox.admin('PUT', '/throttling', { enabled: false });
  const minimums = [];
  for (const env of scenario.environments) {
    const live = await listLiveCounts({
      endpoint: sandbox.url,
      accountId: env.account,
      region: env.region,
      cluster: env.cluster,
    });
    minimums.push(
      minimumCalls({ ...structuralInventory(env, TASKS_PER_SERVICE), ...live }),
    );
    result.tasks = (result.tasks ?? 0) + live.runningTasks + live.stoppedTasks;
  }
  result.minimum = sumMinimums(minimums);
  result.throttling = await sandbox.admin('PUT', '/throttling', {
    enabled: true,
  });
  await sandbox.admin('POST', '/faults', {
    id: 'bench-latency',
    latencyMs: LATENCY_MS,
  });

  const proxy = await startCountingProxy(sandbox.url);
  cleanups.push(() => proxy.stop());

  const configDir = mkdtempSync(join(tmpdir(), 'kler-bench-'));
  const configFile = join(configDir, 'app-config.bench.json');
  writeFileSync(
    configFile,
    JSON.stringify(backendConfig({ scenario, endpoint: proxy.url })),
  );
  cleanups.push(() => rmSync(configDir, { recursive: true, force: true }));
  log(`size ${size}: starting the environments backend (bench/backend)`);
  const backend = await startBackend({
    configFiles: [configFile],
    ...ENVIRONMENTS_BACKEND,
    nodeArgs: args['cpu-prof']
      ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args['cpu-prof'])}`]
      : [],
  });
  cleanups.push(() => backend.stop());
  const pid = findPidByArgument(configFile);
  // VmHWM is already a high-water mark; sampling it keeps the last value should
  // the backend die before the end of the size.
  const sampler = setInterval(() => {
    try {
      result.peakRssKb = readProcStatusKb(pid, 'VmHWM');
    } catch {
      // the process is gone; keep the last value
    }
  }, 500);
  cleanups.push(() => clearInterval(sampler));
  result.backendLog = () => backend.lines.slice(-15);
  result.backendErrors = () =>
    backend.lines
      .filter(
        l =>
          / (error|warn) /.test(l) ||
          /^\s*(Error|TypeError|RangeError|FATAL|<--- )/.test(l),
      )
      .slice(-15);
  result.backendExitCode = () => backend.exitCode();
  const token = await backend.guestToken();

  // The boot-time refresh meets the unarmed proxy and fails at once; the
  // measured refresh is the first one that reads anything: nothing cached.
  const boot = await waitForRefresh(backend, token, {
    after: undefined,
    timeoutMs: 120_000,
  });
  await proxy.reset();
  await proxy.arm();
  log(`size ${size}: cold refresh`);
  // Where the CPU of the cold refresh goes: every process is on the same 2 CPUs.
  const cpuOf = () => ({
    backend: pid ? cpuSecondsOfTree(pid) : NaN,
    sandbox: cpuSecondsOfTree(sandbox.pid),
    proxy: cpuSecondsOfTree(proxy.pid),
  });
  const cpuBefore = cpuOf();
  const triggered = await fetch(
    `${backend.baseUrl}/api/environments/.backstage/scheduler/v1/tasks/${TASK_ID}/trigger`,
    { method: 'POST', headers: { authorization: `Bearer ${token}` } },
  );
  if (!triggered.ok) {
    throw new Error(
      `trigger refresh: HTTP ${triggered.status} ${await triggered.text()}`,
    );
  }
  const done = await waitForRefresh(backend, token, {
    after: boot.lastRunEndedAt,
    timeoutMs: 480_000,
  });
  const cpuAfter = cpuOf();
  result.coldCpuSeconds = Object.fromEntries(
    Object.keys(cpuAfter).map(key => [key, cpuAfter[key] - cpuBefore[key]]),
  );
  const cold = await proxy.stats();
  result.calls = cold.calls;
  result.callsByOperation = Object.fromEntries(
    Object.entries(cold.byOperation).map(([op, s]) => [op, s.calls]),
  );
  result.windows = Object.fromEntries(
    Object.entries(cold.byOperation).map(([op, s]) => [
      op,
      [
        s.firstAt - cold.firstRequestAt,
        (s.lastAt ?? s.firstAt) - cold.firstRequestAt,
      ],
    ]),
  );
  result.throttledByOperation = Object.fromEntries(
    Object.entries(cold.byOperation).map(([op, s]) => [op, s.throttled]),
  );
  result.throttledResponses = cold.throttled;
  result.awsErrors = Object.fromEntries(
    Object.entries(cold.byOperation)
      .filter(([, s]) => s.errors > 0)
      .map(([op, s]) => [op, s.errors]),
  );
  result.coldMs = cold.lastResponseAt - cold.firstRequestAt;
  // Operations the sandbox did not answer (not implemented yet) fail at once and
  // stop what depends on them; the calls are then compared on the others too.
  const unanswered = new Set(Object.keys(result.awsErrors));
  result.unanswered = [...unanswered].sort();
  result.answeredCalls = Object.entries(result.callsByOperation)
    .filter(([op]) => !unanswered.has(op))
    .reduce((sum, [, n]) => sum + n, 0);
  result.answeredMinimum = Object.entries(result.minimum.byOperation)
    .filter(([op]) => !unanswered.has(op) && result.callsByOperation[op])
    .reduce((sum, [, n]) => sum + n, 0);
  if (done.lastRunError) result.refreshError = done.lastRunError;

  // What a user sees after the refresh: throttling errors, and that the data is whole.
  result.userThrottlingErrors = 0;
  result.readErrors = [];
  result.servicesRead = 0;
  result.requestCost = { storedBytes: 0, deserializeMs: 0, evaluateMs: 0 };
  const snapshots = [];
  for (const env of scenario.environments) {
    const details = await getJson(
      `${backend.baseUrl.replace(
        'localhost',
        '127.0.0.1',
      )}/api/environments/v1/environments/${env.name}`,
      token,
    );
    if (details.status !== 200) {
      throw new Error(`GET environment ${env.name}: HTTP ${details.status}`);
    }
    const { summary, snapshot } = details.body;
    result.servicesRead += snapshot?.services?.length ?? 0;
    if (snapshot) snapshots.push(snapshot);
    for (const error of [summary.error, ...(snapshot?.readErrors ?? [])]) {
      if (!error) continue;
      result.readErrors.push(
        `${env.name} ${error.area ?? 'refresh'}: ${error.name}: ${
          error.message
        }`.slice(0, 300),
      );
      if (mentionsThrottling(error.name) || mentionsThrottling(error.message)) {
        result.userThrottlingErrors += 1;
      }
    }
  }
  // After the GETs: the probe keeps this process busy for seconds at large sizes.
  result.retained = requestCostProbe.retained(snapshots);
  for (const snapshot of snapshots) {
    const cost = requestCostProbe.measure(snapshot);
    for (const key of Object.keys(result.requestCost))
      result.requestCost[key] += cost[key];
  }

  // One client alone first: the time a request takes without queueing.
  const apiBase = `${backend.baseUrl.replace(
    'localhost',
    '127.0.0.1',
  )}/api/environments/v1`;
  result.serial = {};
  for (const endpoint of ['environments', 'problems']) {
    const alone = await pollConcurrently({
      url: `${apiBase}/${endpoint}`,
      token,
      clients: 1,
      durationMs: Math.min(2000, pollMs),
    });
    result.serial[endpoint] = alone;
  }
  result.snapshotBytes = 0;
  for (const env of scenario.environments) {
    const res = await fetch(`${apiBase}/environments/${env.name}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    result.snapshotBytes += (await res.arrayBuffer()).byteLength;
  }

  const beforePolling = (await proxy.stats()).calls;
  let throttlingSeen = 0;
  log(
    `size ${size}: ${CLIENTS} tabs, one GET per endpoint every ${TAB_INTERVAL_MS} ms, for ${
      tabMs / 1000
    } s per endpoint`,
  );
  result.environmentsTabs = await pollOnSchedule({
    url: `${apiBase}/environments`,
    token,
    tabs: CLIENTS,
    intervalMs: TAB_INTERVAL_MS,
    durationMs: tabMs,
    inspect: body => {
      throttlingSeen += throttlingInSummaries(body);
    },
  });
  result.problemsTabs = await pollOnSchedule({
    url: `${apiBase}/problems`,
    token,
    tabs: CLIENTS,
    intervalMs: TAB_INTERVAL_MS,
    durationMs: tabMs,
    inspect: body => {
      throttlingSeen += throttlingInProblems(body);
    },
  });
  // The peak through the refresh and the tabs' load, before the saturation
  // load piles up garbage that V8 collects lazily.
  result.peakTabsKb = pid ? readProcStatusKb(pid, 'VmHWM') : undefined;
  log(
    `size ${size}: saturation, ${CLIENTS} closed-loop clients for ${
      pollMs / 1000
    } s per endpoint`,
  );
  result.environmentsLatency = await pollConcurrently({
    url: `${apiBase}/environments`,
    token,
    clients: CLIENTS,
    durationMs: pollMs,
    inspect: body => {
      throttlingSeen += throttlingInSummaries(body);
    },
  });
  result.problemsLatency = await pollConcurrently({
    url: `${apiBase}/problems`,
    token,
    clients: CLIENTS,
    durationMs: pollMs,
    inspect: body => {
      throttlingSeen += throttlingInProblems(body);
    },
  });
  result.callsDuringPolling = (await proxy.stats()).calls - beforePolling;
  result.userThrottlingErrors += throttlingSeen;
  result.httpFailures = pollingFailures(result).length;
  for (const failure of pollingFailures(result)) {
    if (mentionsThrottling(failure.body)) result.userThrottlingErrors += 1;
  }
  result.peakRssKb = pid ? readProcStatusKb(pid, 'VmHWM') : undefined;
  result.rssAfterKb = pid ? readProcStatusKb(pid, 'VmRSS') : undefined;
  await cleanups.pop()(); // sampler
  await cleanups.pop()(); // backend

  if (portalSizes.has(size)) {
    try {
      result.portal = await measurePortalMemory(size, configFile);
    } catch (error) {
      // The environments backend's figures of this size stand without it.
      log(`size ${size}: portal backend failed: ${error?.stack ?? error}`);
      result.portal = { error: `${error?.message ?? error}`.slice(0, 300) };
    }
  }
  await cleanups.pop()(); // config

  log(`size ${size}: naive reader`);
  await sandbox.admin('PUT', '/throttling', { enabled: true }); // fresh buckets
  await proxy.reset();
  const naive = await readNaive({
    endpoint: proxy.url,
    environments: scenario.environments.map(env => ({
      name: env.name,
      accountId: env.account,
      region: env.region,
      cluster: env.cluster,
      serviceNames: env.services.map(s => s.name),
    })),
  });
  const naiveStats = await proxy.stats();
  result.naive = {
    calls: naiveStats.calls,
    ms: naive.durationMs,
    throttledResponses: naiveStats.throttled,
    failedServices: naive.environments.reduce(
      (sum, e) => sum + e.failures.throttling + e.failures.other,
      0,
    ),
    throttlingFailures: naive.environments.reduce(
      (sum, e) => sum + e.failures.throttling,
      0,
    ),
    servicesRead: naive.environments.reduce((sum, e) => sum + e.services, 0),
  };
  await cleanups.pop()(); // proxy
  await cleanups.pop()(); // sandbox
  log(
    `size ${size}: ${result.calls} calls (min ${
      result.minimum.total
    }), cold ${Math.round(result.coldMs)} ms; naive ${
      result.naive.calls
    } calls ${Math.round(result.naive.ms)} ms`,
  );
  return result;
}

/** Every failed request of the polling phases. */
function pollingFailures(r) {
  return [
    ...r.environmentsTabs.failures,
    ...r.problemsTabs.failures,
    ...r.environmentsLatency.failures,
    ...r.problemsLatency.failures,
  ];
}

/**
 * The whole portal backend (packages/backend: catalog, scaffolder, TechDocs,
 * search...) on the same environments: its cold refresh at boot, the tabs'
 * load, then the saturation load; its peak RSS at both points.
 */
async function measurePortalMemory(size, configFile) {
  log(`size ${size}: the whole portal backend, for its memory`);
  const portal = await startBackend({ configFiles: [configFile] });
  const stop = () => portal.stop();
  cleanups.push(stop);
  try {
    const token = await portal.guestToken();
    // The boot refresh meets the armed proxy: a cold refresh of everything.
    await waitForRefresh(portal, token, {
      after: undefined,
      timeoutMs: 480_000,
    });
    const apiBase = `${portal.baseUrl.replace(
      'localhost',
      '127.0.0.1',
    )}/api/environments/v1`;
    const list = await getJson(`${apiBase}/environments`, token);
    const refreshed =
      list.status === 200 && list.body.items.every(item => item.refreshedAt);
    for (const endpoint of ['environments', 'problems']) {
      await pollOnSchedule({
        url: `${apiBase}/${endpoint}`,
        token,
        tabs: CLIENTS,
        intervalMs: TAB_INTERVAL_MS,
        durationMs: tabMs,
      });
    }
    const peakTabsKb = readProcStatusKb(portal.pid, 'VmHWM');
    for (const endpoint of ['environments', 'problems']) {
      await pollConcurrently({
        url: `${apiBase}/${endpoint}`,
        token,
        clients: CLIENTS,
        durationMs: pollMs,
      });
    }
    const peakKb = readProcStatusKb(portal.pid, 'VmHWM');
    return { refreshed, peakTabsKb, peakKb };
  } finally {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
  }
}

/** An empty Backstage backend's peak RSS after boot: what any backend costs here. */
async function measureEmptyBackend() {
  log('an empty Backstage backend, for its memory');
  const empty = await startBackend({ ...EMPTY_BACKEND });
  const stop = () => empty.stop();
  cleanups.push(stop);
  try {
    await sleep(3000);
    return readProcStatusKb(empty.pid, 'VmHWM');
  } finally {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
  }
}

// ---------------------------------------------------------------------------
// Report

/** The CPU the processes of a cold refresh used, next to its wall time. */
function coldCpuText(r) {
  const { backend, sandbox, proxy } = r.coldCpuSeconds;
  const total = backend + sandbox + proxy;
  return `${(r.coldMs / 1000).toFixed(2)} s of wall time, ${total.toFixed(
    1,
  )} CPU-seconds on ${cpus().length} CPUs: backend ${backend.toFixed(
    1,
  )} s, sandbox ${sandbox.toFixed(1)} s, counting proxy ${proxy.toFixed(1)} s`;
}

const fmtMs = ms =>
  Number.isFinite(ms)
    ? ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(1)} ms`
    : 'n/a';
const fmtMb = kb => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(0)} MB`);
const fmtS = ms => (ms === undefined ? 'n/a' : `${ms / 1000} s`);
const fmtBytes = bytes => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
function fmtRetained(retained) {
  return retained
    ? `snapshots ${fmtBytes(retained.objectsBytes)} as objects, ${fmtBytes(
        retained.serializedBytes,
      )} serialized in the memory cache, evaluations ${fmtBytes(
        retained.evaluationsBytes,
      )}`
    : 'n/a';
}
function fmtPortal(portal) {
  if (!portal) return 'not measured';
  if (portal.error) return `failed: ${portal.error}`;
  return `${fmtMb(portal.peakTabsKb)} / ${fmtMb(portal.peakKb)}${
    portal.refreshed ? '' : ' (refresh incomplete)'
  }`;
}
const fmtLatency = l => `${fmtMs(l.p50)} / ${fmtMs(l.p95)}`;
const fmtSaturation = l =>
  `${l.ratePerSecond.toFixed(0)}/s, ${fmtMs(l.p50)} / ${fmtMs(l.p95)}`;
const ratio = (a, b) => (b > 0 ? a / b : NaN);
const fmtX = x => (Number.isFinite(x) ? `${x.toFixed(2)}x` : 'n/a');

/** What the failed polling requests were, e.g. "3x status 0: socket hang up". */
function failureKinds(r) {
  const kinds = new Map();
  for (const f of pollingFailures(r)) {
    const key = `status ${f.status}: ${f.body.slice(0, 80)}`;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => `${n}x ${k}`).join('; ');
}

const ECS_OPERATIONS = [
  'DescribeClusters',
  'ListServices',
  'DescribeServices',
  'ListTasks',
  'DescribeTasks',
  'DescribeCapacityProviders',
];
/** The backend's calls that read what the naive reader reads: ECS. */
const ecsCalls = r =>
  ECS_OPERATIONS.reduce((sum, op) => sum + (r.callsByOperation[op] ?? 0), 0);

function linearityCheck(results, field = 'peakRssKb') {
  const points = results
    .filter(r => r[field] !== undefined)
    .map(r => ({ size: r.size, peakRssKb: r[field] }));
  if (points.length < 3)
    return { verdict: 'NOT MEASURED', detail: 'needs 3 sizes or more' };
  const first = points[0];
  const last = points[points.length - 1];
  const slope = (last.peakRssKb - first.peakRssKb) / (last.size - first.size);
  const worst = points.slice(1, -1).map(p => {
    const expected = first.peakRssKb + slope * (p.size - first.size);
    return { size: p.size, deviationKb: p.peakRssKb - expected, expected };
  });
  // Linear within noise: every middle size within 10% (or 20 MB) of the line
  // through the smallest and the largest size.
  const bad = worst.filter(
    w => Math.abs(w.deviationKb) > Math.max(20 * 1024, 0.1 * w.expected),
  );
  const detail = `${(slope / 1024).toFixed(
    3,
  )} MB per service per environment; ${worst
    .map(
      w =>
        `${w.size}: ${w.deviationKb >= 0 ? '+' : ''}${(
          w.deviationKb / 1024
        ).toFixed(0)} MB off the line`,
    )
    .join(', ')}`;
  return { verdict: bad.length ? 'FAIL' : 'PASS', detail };
}

function report(results, failures, meta) {
  const lines = [];
  lines.push(`# Environments backend benchmark`);
  lines.push('');
  lines.push(
    `Run ${meta.startedAt} (${meta.mode}), ${meta.durationS} s; ${
      cpus().length
    } CPUs, load average at start ${meta.load}.`,
  );
  lines.push(
    `${ENVIRONMENTS} environments, ${TASKS_PER_SERVICE} tasks per service; sandbox latency ${LATENCY_MS} ms per call; sandbox throttling ${meta.throttling}; backend defaults (per account, region and operation: 8 AWS calls in flight, 20 calls/s, burst 40; SDK standard retry, 5 attempts).`,
  );
  lines.push('');
  lines.push(
    `Backend measured: the environments plugin alone (bench/backend: environments, auth with guest sign-in, catalog, permission with KLER's policy; a split deployment). The whole portal backend (packages/backend) is measured for memory at sizes ${[
      ...portalSizes,
    ].join(
      ' and ',
    )}. Both run TypeScript through @backstage/cli-node's transform, as \`./kler start\` does; an empty Backstage backend (no plugin) peaks at ${fmtMb(
      meta.emptyBackendKb,
    )} in this mode.`,
  );
  lines.push('');
  lines.push(
    `Load: **tabs** = open loop, ${CLIENTS} tabs each sending one GET every ${
      TAB_INTERVAL_MS / 1000
    } s (${
      (CLIENTS * 1000) / TAB_INTERVAL_MS
    } requests/s per endpoint), starts staggered over one interval, latency counted from the scheduled send time (a backend that falls behind is not hidden), ${
      tabMs / 1000
    } s per endpoint. The frontend polls far less: the on-call page reads /environments and /problems every ${fmtS(
      frontendPolling.onCall,
    )}, entity pages every ${fmtS(
      frontendPolling.entity,
    )}, so ${CLIENTS} on-call tabs make ${
      frontendPolling.onCall
        ? ((2 * CLIENTS * 1000) / frontendPolling.onCall).toFixed(1)
        : 'n/a'
    } requests/s in all. **Saturation** = closed loop, ${CLIENTS} clients sending back to back with no think time, ${
      pollMs / 1000
    } s per endpoint: the throughput, and latency as queueing behind ${
      CLIENTS - 1
    } other requests on one event loop (2 CPUs shared with the sandbox, the proxy and the load generator).`,
  );
  lines.push('');
  lines.push(
    '| services/env | AWS calls per refresh | minimum | calls/min | calls/min (answered ops) | naive calls (ECS only) | naive/ours calls (all areas) | naive/ours calls (ECS) | cold refresh | naive read | naive/ours time | tabs: GET /environments p50 / p95 | tabs: GET /problems p50 / p95 | saturation: GET /environments req/s, p50 / p95 | saturation: GET /problems req/s, p50 / p95 | throttled AWS answers (retried) | throttling errors to users | environments backend peak RSS, refresh + tabs | environments backend peak RSS, after saturation | environments backend RSS after polling | portal backend peak RSS, refresh + tabs / after saturation |',
  );
  lines.push('|' + ' --- |'.repeat(21));
  for (const r of results) {
    lines.push(
      `| ${r.size} | ${r.calls} | ${r.minimum.total} | ${fmtX(
        ratio(r.calls, r.minimum.total),
      )} | ${fmtX(ratio(r.answeredCalls, r.answeredMinimum))} | ${
        r.naive.calls
      } | ${fmtX(ratio(r.naive.calls, r.calls))} | ${fmtX(
        ratio(r.naive.calls, ecsCalls(r)),
      )} | ${fmtMs(r.coldMs)}${
        r.coldMs > 60_000 ? ' (> 60 s default timeout)' : ''
      } | ${fmtMs(r.naive.ms)} | ${fmtX(
        ratio(r.naive.ms, r.coldMs),
      )} | ${fmtLatency(r.environmentsTabs)} | ${fmtLatency(
        r.problemsTabs,
      )} | ${fmtSaturation(r.environmentsLatency)} | ${fmtSaturation(
        r.problemsLatency,
      )} | ${r.throttledResponses} | ${r.userThrottlingErrors} | ${fmtMb(
        r.peakTabsKb,
      )} | ${fmtMb(r.peakRssKb)} | ${fmtMb(r.rssAfterKb)} | ${fmtPortal(
        r.portal,
      )} |`,
    );
  }
  lines.push('');

  const floors = [];
  const floor = (name, verdict, detail) =>
    floors.push({ name, verdict, detail });
  const bySize = size => results.find(r => r.size === size);
  const partial = results.filter(r => r.unanswered.length > 0);
  floor(
    'AWS calls within 1.2x of the minimum at every size',
    results.every(r => r.calls <= 1.2 * r.minimum.total) &&
      results.every(r => r.answeredCalls <= 1.2 * r.answeredMinimum)
      ? partial.length
        ? 'PASS (partial)'
        : 'PASS'
      : 'FAIL',
    results
      .map(
        r =>
          `${r.size}: ${fmtX(ratio(r.calls, r.minimum.total))} of all, ${fmtX(
            ratio(r.answeredCalls, r.answeredMinimum),
          )} on the operations the sandbox answered`,
      )
      .join('; ') +
      (partial.length
        ? `; the sandbox did not answer ${partial[0].unanswered.join(
            ', ',
          )}, so what depends on them was not called`
        : ''),
  );
  const big = bySize(1000);
  if (big) {
    floor(
      'cold refresh < 5 s at 1,000 x 2',
      big.coldMs < 5000 ? 'PASS' : 'FAIL',
      `${fmtMs(big.coldMs)}${
        big.coldMs > 60_000 ? ' (over the default 60 s refresh timeout)' : ''
      }${big.coldCpuSeconds ? `; ${coldCpuText(big)}` : ''}`,
    );
    const p95 = Math.max(big.environmentsTabs.p95, big.problemsTabs.p95);
    floor(
      `warm p95 < 50 ms with ${CLIENTS} concurrent clients at 1,000 x 2 (${CLIENTS} tabs polling, open loop, ${
        (CLIENTS * 1000) / TAB_INTERVAL_MS
      } requests/s per endpoint)`,
      p95 < 50 ? 'PASS' : 'FAIL',
      `tabs: /environments ${fmtMs(
        big.environmentsTabs.p95,
      )}, /problems ${fmtMs(
        big.problemsTabs.p95,
      )}; for information, at saturation (${CLIENTS} closed-loop clients, no think time) /environments ${fmtSaturation(
        big.environmentsLatency,
      )}, /problems ${fmtSaturation(big.problemsLatency)} (req/s, p50 / p95)`,
    );
    floor(
      'zero throttling errors reaching a client at 1,000 x 2',
      big.userThrottlingErrors === 0 ? 'PASS' : 'FAIL',
      `${big.userThrottlingErrors} throttling errors; separately, ${
        big.httpFailures
      } requests failed otherwise${
        big.httpFailures ? ` (${failureKinds(big)})` : ''
      }`,
    );
    floor(
      'peak memory < 300 MB at 1,000 per environment (environments backend alone, through the refresh and the tabs)',
      big.peakTabsKb !== undefined && big.peakTabsKb < 300 * 1024
        ? 'PASS'
        : 'FAIL',
      `${fmtMb(big.peakTabsKb)} (smallest size: ${fmtMb(
        results[0].peakTabsKb,
      )}; an empty Backstage backend: ${fmtMb(
        meta.emptyBackendKb,
      )}; the plugin's own data: ${fmtRetained(
        big.retained,
      )}); after the saturation load ${fmtMb(
        big.peakRssKb,
      )}; the whole portal backend (refresh + tabs / after saturation) ${fmtPortal(
        big.portal,
      )}`,
    );
  } else if (failures.some(f => f.size === 1000)) {
    floor(
      'floors at 1,000 x 2 (time, latency, throttling, memory)',
      'FAIL',
      `the size did not complete: ${failures.find(f => f.size === 1000).error}`,
    );
  } else {
    floor(
      'floors at 1,000 x 2 (time, latency, throttling, memory)',
      'NOT MEASURED',
      'size 1,000 not in this run',
    );
  }
  const mid = bySize(300);
  floor(
    '>= 10x fewer AWS calls than the naive reader at 300, all areas (backend) vs ECS only (naive)',
    mid
      ? mid.naive.calls >= 10 * mid.calls
        ? 'PASS'
        : 'FAIL'
      : 'NOT MEASURED',
    mid ? fmtX(ratio(mid.naive.calls, mid.calls)) : 'size 300 not in this run',
  );
  floor(
    '>= 10x fewer AWS calls than the naive reader at 300, same data (ECS calls only)',
    mid
      ? mid.naive.calls >= 10 * ecsCalls(mid)
        ? 'PASS'
        : 'FAIL'
      : 'NOT MEASURED',
    mid
      ? `${fmtX(ratio(mid.naive.calls, ecsCalls(mid)))} (${ecsCalls(
          mid,
        )} ECS calls vs ${mid.naive.calls})`
      : 'size 300 not in this run',
  );
  const linear = linearityCheck(results, 'peakTabsKb');
  floor(
    'memory linear in services (environments backend peak RSS through the refresh and the tabs, VmHWM)',
    linear.verdict,
    linear.detail,
  );
  const saturated = linearityCheck(results);
  floor(
    'memory linear in services (environments backend peak RSS after the saturation load too; for information)',
    saturated.verdict,
    saturated.detail,
  );
  const steady = linearityCheck(results, 'rssAfterKb');
  floor(
    'memory linear in services (resident set after refresh and polling, VmRSS; for information)',
    steady.verdict,
    steady.detail,
  );
  floor(
    'zero throttling errors reaching a client at every size',
    results.every(r => r.userThrottlingErrors === 0) ? 'PASS' : 'FAIL',
    results.map(r => `${r.size}: ${r.userThrottlingErrors}`).join(', '),
  );

  for (const f of failures) {
    lines.push(
      `**Size ${f.size} did not complete**: ${f.error}. Backend exit code: ${
        f.backendExitCode ?? 'n/a'
      }; AWS calls of its refresh: ${f.calls ?? 'n/a'}; refresh time: ${fmtMs(
        f.coldMs,
      )}; peak RSS before it: ${fmtMb(f.peakRssKb)}. Last backend log lines:`,
    );
    lines.push('');
    lines.push('```');
    for (const line of [...f.backendErrors, '...', ...f.backendLog])
      lines.push(line.slice(0, 300));
    lines.push('```');
    lines.push('');
  }
  lines.push('## Floors');
  lines.push('');
  for (const f of floors)
    lines.push(`- **${f.verdict}** ${f.name}: ${f.detail}`);
  lines.push('');
  lines.push('## Details');
  lines.push('');
  for (const r of results) {
    lines.push(
      `### ${r.size} services per environment (${r.tasks} tasks listed in all)`,
    );
    lines.push('');
    lines.push(
      `Services in the snapshots: ${r.servicesRead} of ${
        r.size * ENVIRONMENTS
      }; AWS calls while polling: ${
        r.callsDuringPolling
      }; requests served: tabs /environments ${
        r.environmentsTabs.requests
      }, /problems ${r.problemsTabs.requests}; saturation /environments ${
        r.environmentsLatency.requests
      }, /problems ${r.problemsLatency.requests}; failed ${
        r.httpFailures
      }. Naive reader: ${r.naive.servicesRead} services read, ${
        r.naive.failedServices
      } failed (${r.naive.throttlingFailures} by throttling), ${
        r.naive.throttledResponses
      } throttled answers retried.${
        r.httpFailures ? ` Failed requests: ${failureKinds(r)}.` : ''
      }`,
    );
    lines.push(
      `Load average (1 min) when this size started: ${r.loadAtStart.toFixed(
        2,
      )} on ${cpus().length} CPUs.`,
    );
    if (r.coldCpuSeconds) {
      lines.push(`Cold refresh: ${coldCpuText(r)}.`);
    }
    lines.push(
      `One client alone: /environments p50 ${fmtMs(
        r.serial.environments.p50,
      )}, /problems p50 ${fmtMs(
        r.serial.problems.p50,
      )}; GET /v1/environments/:name bodies ${(
        r.snapshotBytes /
        1024 /
        1024
      ).toFixed(2)} MB for both environments.`,
    );
    lines.push(
      `Tabs (open loop): /environments p99 ${fmtMs(
        r.environmentsTabs.p99,
      )}, max ${fmtMs(r.environmentsTabs.max)}; /problems p99 ${fmtMs(
        r.problemsTabs.p99,
      )}, max ${fmtMs(
        r.problemsTabs.max,
      )}; sends the load generator made more than 5 ms late: ${
        r.environmentsTabs.lateSends + r.problemsTabs.lateSends
      } (their latency still counts from the scheduled time).`,
    );
    lines.push(
      `Costs a warm request does not pay, measured in the benchmark process on the same snapshots, for both environments (the backend deserializes a state only when its version in the cache changed, evaluates a snapshot at most every 15 s, and reuses the serialized /environments and /problems bodies meanwhile): cache read (Keyv deserialize of ${(
        r.requestCost.storedBytes /
        1024 /
        1024
      ).toFixed(2)} MB) ${fmtMs(
        r.requestCost.deserializeMs,
      )}, evaluateEnvironment + summarizeEvaluation ${fmtMs(
        r.requestCost.evaluateMs,
      )}.`,
    );
    lines.push(
      `The plugin's own data for both environments: ${fmtRetained(
        r.retained,
      )} (measured in the benchmark process on the same snapshots).`,
    );
    if (r.refreshError)
      lines.push(`Refresh task error: ${JSON.stringify(r.refreshError)}`);
    lines.push('');
    lines.push(
      '| operation | calls | minimum | throttled (retried) | AWS errors (not throttling) | first call .. last answer |',
    );
    lines.push('| --- | --- | --- | --- | --- | --- |');
    const ops = new Set([
      ...Object.keys(r.minimum.byOperation),
      ...Object.keys(r.callsByOperation),
    ]);
    for (const op of [...ops].sort()) {
      const calls = r.callsByOperation[op] ?? 0;
      const min = r.minimum.byOperation[op] ?? 0;
      if (calls === 0 && min === 0) continue;
      const w = r.windows[op];
      lines.push(
        `| ${op} | ${calls} | ${min} | ${r.throttledByOperation[op] || ''} | ${
          r.awsErrors[op] ?? ''
        } | ${
          w
            ? `${(w[0] / 1000).toFixed(2)} s .. ${(w[1] / 1000).toFixed(2)} s`
            : ''
        } |`,
      );
    }
    lines.push('');
    if (r.readErrors.length) {
      lines.push(
        'Read errors in the snapshots (what the user sees as incomplete areas):',
      );
      lines.push('');
      for (const e of [...new Set(r.readErrors)].slice(0, 12))
        lines.push(`- ${e.replace(/\n/g, ' ')}`);
      lines.push('');
    }
  }
  return lines.join('\n');
}

/** The saved table in the repo's Prettier style, so that `prettier --check .` stays green. */
function formatMarkdown(text, file) {
  try {
    const prettier = createRequire(join(repoRoot, 'package.json'))('prettier');
    const options = prettier.resolveConfig.sync(file) ?? {};
    return prettier.format(text, { ...options, filepath: file });
  } catch {
    return text;
  }
}

async function main() {
  const startedAt = new Date();
  const load = loadavg()
    .map(l => l.toFixed(2))
    .join(' ');
  const results = [];
  const failures = [];
  let emptyBackendKb;
  try {
    try {
      emptyBackendKb = await measureEmptyBackend();
    } catch (error) {
      log(`empty backend: ${error?.message ?? error}`);
      await cleanupAll();
    }
    for (const size of sizes) {
      const result = {};
      try {
        await benchmarkSize(size, result);
        results.push(result);
      } catch (error) {
        // One size failing does not hide the others; the report says what broke.
        const exitCode = result.backendExitCode?.();
        failures.push({
          size,
          error: `${error?.message ?? error}`
            .split('\n')
            .filter(l => !l.startsWith(' →'))
            .slice(0, 4)
            .join(' ')
            .slice(0, 600),
          backendExitCode: exitCode,
          backendLog: result.backendLog?.() ?? [],
          backendErrors: result.backendErrors?.() ?? [],
          peakRssKb: result.peakRssKb,
          coldMs: result.coldMs,
          calls: result.calls,
        });
        log(`size ${size} failed: ${error?.stack ?? error}`);
        await cleanupAll();
      }
    }
  } finally {
    await cleanupAll();
  }
  const t = results[0]?.throttling;
  const text = report(results, failures, {
    emptyBackendKb,
    startedAt: startedAt.toISOString(),
    mode: args.quick
      ? 'quick'
      : args.sizes
      ? `sizes ${sizes.join(', ')}`
      : 'full',
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    load,
    throttling: t
      ? `${t.enabled ? 'on' : 'off'}, ${t.ratePerSecond}/s burst ${
          t.burst
        } per account, region and operation (its default)`
      : 'n/a',
  });
  mkdirSync(dirname(outputFile), { recursive: true });
  writeFileSync(outputFile, formatMarkdown(`${text}\n`, outputFile));
  process.stdout.write(`${text}\n\nSaved to ${outputFile}\n`);
  // Failing floors are results; a size that could not be measured is an error.
  process.exitCode = failures.length ? 1 : 0;
}

main().catch(async error => {
  await cleanupAll();
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
