// One size of the accounts axis: N environments of 50 services, each in an
// account of its own, read by the built environments backend through the
// counting proxy, 40 ms per call and the sandbox's default throttling. A cold
// refresh as it is, then (at one size) again with one account slowed down and
// with one account throttled: how long each account's read took, the others'
// beside the faulty one's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../scripts/lib/sandbox.mjs';
import { startBuiltBackend } from './built-backend.mjs';
import { startCountingProxy } from './counting-proxy.mjs';
import { cpuSecondsOfTree } from './memory.mjs';
import {
  listLiveCounts,
  minimumCalls,
  structuralInventory,
  sumMinimums,
} from './minimum-calls.mjs';
import { mentionsThrottling } from './operations.mjs';
import { refreshNow, refreshUntilWhole, waitForRefresh } from './refresh.mjs';
import { benchBackendConfig, freezeSandboxClock } from './scenario.mjs';
import {
  LATENCY_MS,
  TASKS_PER_SERVICE,
  refreshCalls,
  taskDefinitionFill,
  warmUpSandbox,
} from './size-runner.mjs';

export const SERVICES_PER_ENVIRONMENT = 50;

/** The faults one account is read under, beside the others. */
export const ACCOUNT_FAULTS = {
  slow: {
    what: 'every call 400 ms slower',
    fault: { latencyMs: 400 },
  },
  throttled: {
    what: 'throttled to 5 calls a second per operation',
    fault: { throttle: { ratePerSecond: 5, burst: 5 } },
  },
};

/**
 * @param {number} environments how many environments (and accounts)
 * @param {object} ctx the run (see benchmarkSize)
 * @param {{ faults: Array<keyof typeof ACCOUNT_FAULTS> }} options
 */
export async function benchmarkAccounts(environments, ctx, options, result) {
  const { log, cleanups } = ctx;
  log(
    `${environments} environments x ${SERVICES_PER_ENVIRONMENT} services: the sandbox`,
  );
  Object.assign(result, { environments, loadAtStart: loadavg()[0] });
  const sandbox = await startSandbox({
    args: [
      '--generate',
      String(SERVICES_PER_ENVIRONMENT),
      '--environments',
      String(environments),
      '--tasks-per-service',
      String(TASKS_PER_SERVICE),
    ],
  });
  cleanups.push(() => sandbox.stop());
  await freezeSandboxClock(sandbox);
  const scenario = ctx.generateScenario({
    environments,
    servicesPerEnvironment: SERVICES_PER_ENVIRONMENT,
    tasksPerService: TASKS_PER_SERVICE,
  });
  await sandbox.admin('PUT', '/throttling', { enabled: false });
  const minimums = [];
  for (const env of scenario.environments) {
    minimums.push(
      minimumCalls({
        ...structuralInventory(env, TASKS_PER_SERVICE),
        ...(await listLiveCounts({
          endpoint: sandbox.url,
          accountId: env.account,
          region: env.region,
          cluster: env.cluster,
        })),
      }),
    );
  }
  result.minimum = sumMinimums(minimums);
  const configDir = mkdtempSync(join(tmpdir(), 'kler-bench-accounts-'));
  cleanups.push(() => rmSync(configDir, { recursive: true, force: true }));
  log(`${environments} environments: the sandbox's first read`);
  await warmUpSandbox(ctx, { scenario, sandbox, configDir });

  const proxy = await startCountingProxy(sandbox.url);
  cleanups.push(() => proxy.stop());
  const configFile = join(configDir, 'accounts.json');
  writeFileSync(
    configFile,
    JSON.stringify(benchBackendConfig({ scenario, endpoint: proxy.url })),
  );

  const accountOf = new Map(
    scenario.environments.map(env => [`SANDBOX${env.account}`, env.name]),
  );
  const faulty = scenario.environments[scenario.environments.length - 1];

  /** A cold refresh of every environment, with the sandbox's faults as set. */
  const coldRefresh = async variant => {
    await proxy.block();
    // Fresh throttling buckets, the latency of every call, the variant's fault.
    await sandbox.admin('PUT', '/throttling', { enabled: true });
    await sandbox.admin('PUT', '/faults', [
      { id: 'bench-latency', latencyMs: LATENCY_MS },
      ...(variant
        ? [
            {
              id: variant,
              account: faulty.account,
              ...ACCOUNT_FAULTS[variant].fault,
            },
          ]
        : []),
    ]);
    const backend = await startBuiltBackend({
      file: ctx.backends.environments,
      configFiles: [configFile],
    });
    const stop = () => backend.stop();
    cleanups.push(stop);
    try {
      const token = await backend.guestToken();
      const boot = await waitForRefresh(backend, token, {
        after: undefined,
        timeoutMs: 120_000,
      });
      await proxy.reset();
      await proxy.arm();
      const before = cpuSecondsOfTree(backend.pid);
      const cold = await refreshNow(backend, token, {
        after: boot.lastRunEndedAt,
        timeoutMs: 480_000,
      });
      const cpuSeconds = cpuSecondsOfTree(backend.pid) - before;
      const stats = await proxy.stats();
      const calls = refreshCalls(stats);
      if (!variant) {
        // The task definitions left pending, for the calls against the
        // minimum; the times are the cold refresh's.
        const fill = await refreshUntilWhole(backend, token, {
          after: cold.lastRunEndedAt,
          timeoutMs: 480_000,
        });
        calls.taskDefinitionFill = taskDefinitionFill(
          stats,
          await proxy.stats(),
          fill.refreshes,
        );
      }
      // How long each account's read took: first call of the refresh to the
      // account's last answer.
      const readMs = {};
      for (const [key, account] of Object.entries(stats.byAccessKey)) {
        const name = accountOf.get(key);
        if (name) readMs[name] = account.lastAt - stats.firstRequestAt;
      }
      const list = await backend.get(
        '/api/environments/v1/environments',
        token,
      );
      const errors = list.body.items.filter(item => item.error || item.stale);
      return {
        ...calls,
        cpuSeconds,
        readMs,
        faulty: variant ? faulty.name : undefined,
        faultyError: errors.find(item => item.name === faulty.name)?.error,
        othersWithErrors: errors
          .filter(item => item.name !== faulty.name || !variant)
          .map(item => `${item.name}: ${item.error?.name}`),
        throttlingToUsers: errors.filter(
          item =>
            item.name !== faulty.name &&
            mentionsThrottling(item.error?.message),
        ).length,
      };
    } finally {
      cleanups.splice(cleanups.indexOf(stop), 1);
      await stop();
    }
  };

  log(`${environments} environments: cold refresh`);
  result.clean = await coldRefresh(undefined);
  result.variants = {};
  for (const variant of options.faults) {
    log(
      `${environments} environments: cold refresh, ${faulty.name}'s account ${ACCOUNT_FAULTS[variant].what}`,
    );
    result.variants[variant] = await coldRefresh(variant);
  }
  await cleanups.pop()(); // proxy
  await cleanups.pop()(); // config
  await cleanups.pop()(); // sandbox
  log(
    `${environments} environments: ${result.clean.calls} calls (min ${
      result.minimum.total
    }), cold ${Math.round(result.clean.ms)} ms`,
  );
  return result;
}
