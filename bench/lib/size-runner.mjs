// One size of the services axis: SIZE services in each of two environments
// (two accounts), read by the built environments backend through the
// counting proxy from the sandbox, with 40 ms per call and the sandbox's
// default throttling. Measures the cold refresh (and when health showed),
// a steady refresh after it, the tabs' and the saturation loads, memory, and
// the naive reader on the same world.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSandbox } from '../../scripts/lib/sandbox.mjs';
import { chainTurnaround, measurePolicyChain } from './chain-bound.mjs';
import { startBuiltBackend } from './built-backend.mjs';
import { startCountingProxy } from './counting-proxy.mjs';
import {
  failuresOf,
  runSaturation,
  runTabs,
  throttlingInProblems,
  throttlingInSummaries,
} from './loads.mjs';
import { cpuSecondsOfTree, readProcStatusKb } from './memory.mjs';
import {
  listLiveCounts,
  minimumCalls,
  structuralInventory,
  sumMinimums,
} from './minimum-calls.mjs';
import { readNaive } from './naive-reader.mjs';
import { mentionsThrottling } from './operations.mjs';
import {
  refreshNow,
  refreshUntilWhole,
  waitForRefresh,
  watchFirstSnapshots,
} from './refresh.mjs';
import { benchBackendConfig, freezeSandboxClock } from './scenario.mjs';

export const ENVIRONMENTS = 2;
export const TASKS_PER_SERVICE = 5;
export const LATENCY_MS = 40;
export const CLIENTS = 20;
/** Each tab of the open-loop load sends one GET per endpoint this often. */
export const TAB_INTERVAL_MS = 1000;

/** What the calls of a refresh were, from the proxy's counts. */
export function refreshCalls(stats) {
  return {
    calls: stats.calls,
    byOperation: Object.fromEntries(
      Object.entries(stats.byOperation).map(([op, s]) => [op, s.calls]),
    ),
    windows: Object.fromEntries(
      Object.entries(stats.byOperation).map(([op, s]) => [
        op,
        [
          s.firstAt - stats.firstRequestAt,
          (s.lastAt ?? s.firstAt) - stats.firstRequestAt,
        ],
      ]),
    ),
    throttledByOperation: Object.fromEntries(
      Object.entries(stats.byOperation).map(([op, s]) => [op, s.throttled]),
    ),
    throttled: stats.throttled,
    awsErrors: Object.fromEntries(
      Object.entries(stats.byOperation)
        .filter(([, s]) => s.errors > 0)
        .map(([op, s]) => [op, s.errors]),
    ),
    ms: (stats.lastResponseAt ?? stats.firstRequestAt) - stats.firstRequestAt,
  };
}

/**
 * The refreshes after a cold one that describe the task definitions it left
 * pending: how many, their DescribeTaskDefinition calls and throttled answers,
 * their other calls (health read again by each), and when the last task
 * definition was in (its answer, from the cold refresh's first call).
 */
export function taskDefinitionFill(coldStats, afterStats, refreshes) {
  const op = 'DescribeTaskDefinition';
  const cold = coldStats.byOperation[op] ?? { calls: 0, throttled: 0 };
  const after = afterStats.byOperation[op] ?? cold;
  return {
    refreshes,
    describeCalls: after.calls - cold.calls,
    describeThrottled: after.throttled - cold.throttled,
    otherCalls: afterStats.calls - coldStats.calls - (after.calls - cold.calls),
    completeMs: after.lastAt
      ? after.lastAt - coldStats.firstRequestAt
      : undefined,
  };
}

/**
 * Has a throwaway backend read the whole world once, straight from the
 * sandbox (not through the proxy) while its throttling is off. The sandbox
 * computes and memoizes its world on first read (task shapes, alarm states,
 * target counts): without this the measured cold refresh would also time the
 * sandbox's first computation, which AWS does not have.
 */
export async function warmUpSandbox(ctx, { scenario, sandbox, configDir }) {
  const file = join(configDir, 'warm-up.json');
  writeFileSync(
    file,
    JSON.stringify(benchBackendConfig({ scenario, endpoint: sandbox.url })),
  );
  const backend = await startBuiltBackend({
    file: ctx.backends.environments,
    configFiles: [file],
  });
  try {
    const token = await backend.guestToken();
    await waitForRefresh(backend, token, {
      after: undefined,
      timeoutMs: 480_000,
    });
  } finally {
    await backend.stop();
  }
}

/** CPU-seconds of each process of a refresh, between two readings. */
function cpuMeter(pids) {
  const read = () =>
    Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [name, cpuSecondsOfTree(pid)]),
    );
  const before = read();
  return () => {
    const after = read();
    return Object.fromEntries(
      Object.keys(after).map(name => [name, after[name] - before[name]]),
    );
  };
}

/**
 * @param {number} size services per environment
 * @param {object} ctx the run: generateScenario, backends (built files),
 *   options (tabMs, pollMs, cpuProf, naive, compareDecisions), log, cleanups,
 *   requestCostProbe
 * @param {object} result filled as the size goes, so that a failure keeps
 *   what was measured
 */
export async function benchmarkSize(size, ctx, result) {
  const { log, cleanups, options } = ctx;
  log(`size ${size} services x ${ENVIRONMENTS} environments: the sandbox`);
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
  await freezeSandboxClock(sandbox);
  const scenario = ctx.generateScenario({
    environments: ENVIRONMENTS,
    servicesPerEnvironment: size,
    tasksPerService: TASKS_PER_SERVICE,
  });

  // The inventory for the minimum, read directly (not through the proxy) with
  // throttling off; switching it back on starts every bucket full.
  await sandbox.admin('PUT', '/throttling', { enabled: false });
  const minimums = [];
  result.tasks = 0;
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
    result.tasks += live.runningTasks + live.stoppedTasks;
  }
  result.minimum = sumMinimums(minimums);
  const configDir = mkdtempSync(join(tmpdir(), 'kler-bench-'));
  cleanups.push(() => rmSync(configDir, { recursive: true, force: true }));
  log(`size ${size}: the sandbox's first read, by a throwaway backend`);
  await warmUpSandbox(ctx, { scenario, sandbox, configDir });
  result.throttling = await sandbox.admin('PUT', '/throttling', {
    enabled: true,
  });
  await sandbox.admin('POST', '/faults', {
    id: 'bench-latency',
    latencyMs: LATENCY_MS,
  });

  const proxy = await startCountingProxy(sandbox.url);
  cleanups.push(() => proxy.stop());
  const configFile = (name, cache) => {
    const file = join(configDir, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        benchBackendConfig({ scenario, endpoint: proxy.url, cache }),
      ),
    );
    return file;
  };

  log(`size ${size}: the environments backend (built)`);
  const backend = await startBuiltBackend({
    file: ctx.backends.environments,
    configFiles: [configFile('default', {})],
    inspect: true,
    nodeArgs: options.cpuProf
      ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.cpuProf)}`]
      : [],
  });
  const stopBackend = () => backend.stop();
  cleanups.push(stopBackend);
  result.backendLog = () => backend.lines.slice(-15);
  result.backendErrors = () =>
    backend.lines
      .filter(
        l =>
          /"level":"(error|warn)"| (error|warn) /.test(l) ||
          /^\s*(Error|TypeError|RangeError|FATAL|<--- )/.test(l),
      )
      .slice(-15);
  result.backendExitCode = () => backend.exitCode();
  const token = await backend.guestToken();
  const names = scenario.environments.map(env => env.name);

  // The boot-time refresh meets the unarmed proxy and fails at once; the
  // measured refresh is the first one that reads anything: nothing cached.
  const boot = await waitForRefresh(backend, token, {
    after: undefined,
    timeoutMs: 120_000,
  });
  await proxy.reset();
  await proxy.arm();

  log(`size ${size}: cold refresh`);
  const coldCpu = cpuMeter({
    backend: backend.pid,
    sandbox: sandbox.pid,
    proxy: proxy.pid,
  });
  const since = Date.now();
  const [cold, firstSeen] = await Promise.all([
    refreshNow(backend, token, {
      after: boot.lastRunEndedAt,
      timeoutMs: 480_000,
    }),
    watchFirstSnapshots(backend, token, { since, names }),
  ]);
  result.coldCpuSeconds = coldCpu();
  const coldStats = await proxy.stats();
  result.cold = refreshCalls(coldStats);
  result.coldChain = chainTurnaround(coldStats);
  result.coldHealthMs = Math.max(
    ...names.map(name => firstSeen[name] - coldStats.firstRequestAt),
  );
  if (cold.lastRunError) result.refreshError = cold.lastRunError;

  // The task definitions the cold refresh left pending (one burst per
  // environment is described per read), described by the next refreshes.
  log(`size ${size}: the task definitions' fill`);
  const fill = await refreshUntilWhole(backend, token, {
    after: cold.lastRunEndedAt,
    timeoutMs: 480_000,
  });
  result.taskDefinitionFill = taskDefinitionFill(
    coldStats,
    await proxy.stats(),
    fill.refreshes,
  );
  if (fill.state.lastRunError) result.refreshError = fill.state.lastRunError;
  // Operations the sandbox did not answer fail at once and stop what depends
  // on them; the calls are then compared on the others too.
  const unanswered = new Set(Object.keys(result.cold.awsErrors));
  result.unanswered = [...unanswered].sort();
  result.answeredCalls = Object.entries(result.cold.byOperation)
    .filter(([op]) => !unanswered.has(op))
    .reduce((sum, [, n]) => sum + n, 0);
  result.answeredMinimum = Object.entries(result.minimum.byOperation)
    .filter(([op]) => !unanswered.has(op) && result.cold.byOperation[op])
    .reduce((sum, [, n]) => sum + n, 0);

  // What a user sees after the refresh: throttling errors, whole data.
  const apiBase = `${backend.baseUrl}/api/environments/v1`;
  result.userThrottlingErrors = 0;
  result.readErrors = [];
  result.servicesRead = 0;
  result.detailsBytes = 0;
  result.servicesBytes = 0;
  const snapshots = [];
  const refreshedAt = {};
  for (const name of names) {
    const details = await backend.get(
      `/api/environments/v1/environments/${name}`,
      token,
    );
    if (details.status !== 200) {
      throw new Error(`GET environment ${name}: HTTP ${details.status}`);
    }
    result.detailsBytes += JSON.stringify(details.body).length;
    const cells = await backend.get(
      `/api/environments/v1/environments/${name}/services`,
      token,
    );
    result.servicesBytes += JSON.stringify(cells.body).length;
    const { summary, snapshot } = details.body;
    refreshedAt[name] = summary.refreshedAt;
    result.servicesRead += snapshot?.services?.length ?? 0;
    if (snapshot) snapshots.push(snapshot);
    for (const error of [summary.error, ...(snapshot?.readErrors ?? [])]) {
      if (!error) continue;
      result.readErrors.push(
        `${name} ${error.area ?? 'refresh'}: ${error.name}: ${
          error.message
        }`.slice(0, 300),
      );
      if (mentionsThrottling(error.name) || mentionsThrottling(error.message)) {
        result.userThrottlingErrors += 1;
      }
    }
  }
  result.retained = ctx.requestCostProbe.retained(snapshots);

  log(`size ${size}: steady refresh`);
  await proxy.reset();
  const steadyCpu = cpuMeter({ backend: backend.pid });
  const steady = await refreshNow(backend, token, {
    after: fill.state.lastRunEndedAt,
    timeoutMs: 480_000,
  });
  result.steadyCpuSeconds = steadyCpu().backend;
  result.steady = refreshCalls(await proxy.stats());
  if (steady.lastRunError) result.refreshError = steady.lastRunError;
  const afterSteady = await backend.get(
    '/api/environments/v1/environments',
    token,
  );
  result.steadyFresh = afterSteady.body.items.every(
    item =>
      !item.stale &&
      !item.error &&
      item.refreshedAt &&
      item.refreshedAt > refreshedAt[item.name] &&
      !item.pending,
  );

  // One client alone: the time a request takes without queueing.
  const endpoints = [
    {
      name: 'environments',
      url: `${apiBase}/environments`,
      inspect: body => {
        result.userThrottlingErrors += throttlingInSummaries(body);
      },
    },
    {
      name: 'problems',
      url: `${apiBase}/problems`,
      inspect: body => {
        result.userThrottlingErrors += throttlingInProblems(body);
      },
    },
    { name: 'services', url: `${apiBase}/environments/${names[0]}/services` },
  ];
  result.serial = await runSaturation({
    endpoints,
    token,
    clients: 1,
    durationMs: Math.min(2000, options.pollMs),
  });
  const beforeLoads = (await proxy.stats()).calls;
  log(
    `size ${size}: ${CLIENTS} tabs, one GET per endpoint every ${TAB_INTERVAL_MS} ms, ${
      options.tabMs / 1000
    } s per endpoint`,
  );
  result.tabs = await runTabs({
    endpoints,
    token,
    tabs: CLIENTS,
    intervalMs: TAB_INTERVAL_MS,
    durationMs: options.tabMs,
  });
  // The peak through the refreshes and the tabs' load, before the saturation
  // load piles up garbage that V8 collects lazily.
  result.peakTabsKb = readProcStatusKb(backend.pid, 'VmHWM');
  // What it retains: the plugin's data and code, without the garbage V8 lets
  // pile up between collections (the peak above includes it).
  result.afterGc = await backend.heapAfterGc();
  log(`size ${size}: saturation, ${CLIENTS} closed-loop clients`);
  result.saturation = await runSaturation({
    endpoints,
    token,
    clients: CLIENTS,
    durationMs: options.pollMs,
  });
  result.callsDuringLoads = (await proxy.stats()).calls - beforeLoads;
  result.peakRssKb = readProcStatusKb(backend.pid, 'VmHWM');
  result.rssAfterKb = readProcStatusKb(backend.pid, 'VmRSS');
  result.httpFailures = failuresOf(result.tabs, result.saturation);
  for (const failure of result.httpFailures) {
    if (mentionsThrottling(failure.body)) result.userThrottlingErrors += 1;
  }
  cleanups.splice(cleanups.indexOf(stopBackend), 1);
  await stopBackend();

  // What the longest chain of the cold read takes alone (see chain-bound.mjs).
  log(`size ${size}: the scaling policies' chain alone`);
  await sandbox.admin('PUT', '/throttling', { enabled: true }); // fresh buckets
  await proxy.reset();
  result.policyChain = {
    ...(await measurePolicyChain({
      endpoint: proxy.url,
      environments: scenario.environments.map(env => ({
        accountId: env.account,
        region: env.region,
      })),
    })),
    turnaround: chainTurnaround(await proxy.stats()),
  };

  if (options.compareDecisions) {
    result.decisionsOn = await tabsWithDecisionsReused(size, ctx, {
      proxy,
      sandbox,
      configFile: configFile('decisions', { permissionDecisions: true }),
      names,
    });
  }

  if (options.naive) {
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
      taskDefinitionCalls:
        naiveStats.byOperation.DescribeTaskDefinition?.calls ?? 0,
      ms: naive.durationMs,
      throttledResponses: naiveStats.throttled,
      failedServices: naive.environments.reduce(
        (sum, e) => sum + e.failures.throttling + e.failures.other,
        0,
      ),
      servicesRead: naive.environments.reduce((sum, e) => sum + e.services, 0),
    };
  }
  await cleanups.pop()(); // proxy
  await cleanups.pop()(); // config
  await cleanups.pop()(); // sandbox
  log(
    `size ${size}: cold ${result.cold.calls} calls (min ${
      result.minimum.total
    }) ${Math.round(result.cold.ms)} ms, health at ${Math.round(
      result.coldHealthMs,
    )} ms; steady ${
      result.steady.calls
    } calls, ${result.steadyCpuSeconds.toFixed(2)} CPU-s`,
  );
  return result;
}

/**
 * The tabs' load on /environments and /problems of a backend that reuses each
 * token's permission decision for 5 s (environments.cache.permissionDecisions),
 * for comparison with the default, which asks the policy on every request.
 */
async function tabsWithDecisionsReused(
  size,
  ctx,
  { proxy, sandbox, configFile, names },
) {
  const { log, options } = ctx;
  log(`size ${size}: the tabs again, with permission decisions reused`);
  await proxy.block();
  const backend = await startBuiltBackend({
    file: ctx.backends.environments,
    configFiles: [configFile],
  });
  try {
    const token = await backend.guestToken();
    const boot = await waitForRefresh(backend, token, {
      after: undefined,
      timeoutMs: 120_000,
    });
    await sandbox.admin('PUT', '/throttling', { enabled: true });
    await proxy.arm();
    await refreshNow(backend, token, {
      after: boot.lastRunEndedAt,
      timeoutMs: 480_000,
    });
    const apiBase = `${backend.baseUrl}/api/environments/v1`;
    return await runTabs({
      endpoints: [
        { name: 'environments', url: `${apiBase}/environments` },
        { name: 'problems', url: `${apiBase}/problems` },
        {
          name: 'services',
          url: `${apiBase}/environments/${names[0]}/services`,
        },
      ],
      token,
      tabs: CLIENTS,
      intervalMs: TAB_INTERVAL_MS,
      durationMs: options.tabMs,
    });
  } finally {
    await backend.stop();
  }
}
