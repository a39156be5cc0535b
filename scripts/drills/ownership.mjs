// The refresh ownership drills: two replicas on one PostgreSQL and one Redis
// with a 10 s refresh. The refreshing replica is SIGKILLed mid-refresh and
// the time until the survivor refreshes is measured; then a soak: faults at
// random per environment, one replica killed and started again every few
// minutes, clients polling both, the sandbox's clock sped up.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBackend } from '../lib/backend.mjs';
import { waitFor } from '../lib/net.mjs';
import { startPostgres } from '../lib/postgres.mjs';
import { productionBackend } from './restarts.mjs';
import { startAwsProxy } from './support/awsProxy.mjs';
import {
  ACCOUNTS,
  bothHealthy,
  ENVIRONMENTS,
  listEnvironments,
  sandboxConfig,
  sleep,
  waitForEnvironments,
} from './support/environments.mjs';
import { startRedis } from './support/redis.mjs';
import {
  rssMb,
  seededRandom,
  slopeMbPerMinute,
  startFaultInjector,
} from './support/soak.mjs';

const REFRESH_MS = 10_000;
/** The soak's length: short in `./kler test`, 30 minutes with KLER_DRILL_SOAK_MINUTES=30. */
const SOAK_MS = Number(process.env.KLER_DRILL_SOAK_MINUTES ?? 2.5) * 60_000;
/** One replica is killed and started again this often (every 5 minutes in a long soak). */
const KILL_EVERY_MS = Math.min(5 * 60_000, SOAK_MS / 2);
/** Simulated ms per real ms of the sandbox's world during the soak. */
const SOAK_CLOCK_SPEED = 10;
const SOAK_SEED = Number(process.env.KLER_DRILL_SOAK_SEED ?? 18);

/**
 * Registers the refresh ownership drills as a describe block of the drill
 * run, with rows in `report`; `sandbox()` gives the running sandbox.
 */
export function describeOwnershipDrills({ report, sandbox }) {
  describe('refresh ownership across replicas', () => {
    let postgres;
    let redis;
    let proxy;
    const replicas = {};
    const tokens = {};
    /** Every replica process started, with its log, for the error check. */
    const processes = [];

    const start = async name => {
      const options = productionBackend({
        postgres,
        redis,
        config: sandboxConfig({
          endpoints: { production: proxy.url, development: proxy.url },
          keySuffix: name,
        }),
      });
      options.config.environments.refresh = {
        frequency: { milliseconds: REFRESH_MS },
        timeout: { seconds: 8 },
      };
      const backend = await startBackend(options);
      processes.push({ name, backend });
      replicas[name] = backend;
      tokens[name] = await backend.guestToken();
      return backend;
    };

    /** DescribeClusters calls (one per refresh of one environment) of `replica` since `since`. */
    const refreshCalls = (since, replica) =>
      proxy.calls.filter(
        c =>
          c.at >= since &&
          c.operation === 'DescribeClusters' &&
          (!replica || c.accessKeyId?.endsWith(replica)),
      );
    const replicaOf = call => call.accessKeyId.slice(-1);
    /** The message of a JSON log line (production's log format). */
    const messageOf = line => {
      try {
        return JSON.parse(line).message;
      } catch {
        return line;
      }
    };
    /** The lines in which a replica says it took the refresh lease. */
    const takeoverLines = backend =>
      backend.lines.filter(l => l.includes('refreshes the environments now'));

    const kill = async name => {
      process.kill(-replicas[name].pid, 'SIGKILL');
      await waitFor(async () => replicas[name].exitCode() !== undefined, {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: `replica ${name} to die`,
      });
    };

    before(() =>
      report.setup('refresh ownership across replicas', async () => {
        [postgres, redis, proxy] = await Promise.all([
          startPostgres(),
          startRedis(),
          startAwsProxy(sandbox().url),
        ]);
        // One after the other, as a rolling deployment does.
        await start('A');
        await start('B');
        for (const name of ['A', 'B']) {
          await waitForEnvironments(replicas[name], tokens[name], bothHealthy, {
            timeoutMs: 90_000,
            what: `replica ${name} serving both environments`,
          });
        }
      }),
    );

    after(async () => {
      await sandbox().admin('DELETE', '/faults');
      await sandbox().admin('POST', '/reset');
      await Promise.all(Object.values(replicas).map(r => r.stop()));
      await proxy?.stop();
      redis?.stop();
      postgres?.stop();
    });

    test('the refresh owner killed mid-refresh', { timeout: 240_000 }, () =>
      report.drill(
        {
          drill: 'Refresh owner killed',
          injected: `2 replicas (PostgreSQL + Redis, refresh every ${
            REFRESH_MS / 1000
          } s); SIGKILL of the one reading AWS (calls slowed by 300 ms), then started again`,
          expected: `the survivor refreshes within ${
            REFRESH_MS / 1000 + 5
          } s of the kill and every ${
            REFRESH_MS / 1000
          } s after; the returning replica does not refresh; no error logged`,
        },
        async () => {
          await sandbox().admin('POST', '/faults', {
            id: 'slow',
            latencyMs: 300,
          });
          const armedAt = Date.now();
          const call = await waitFor(async () => refreshCalls(armedAt)[0], {
            timeoutMs: REFRESH_MS * 2,
            intervalMs: 20,
            what: 'a refresh to start',
          });
          const victim = replicaOf(call);
          const survivor = victim === 'A' ? 'B' : 'A';
          const takeoversBefore = takeoverLines(replicas[survivor]).length;
          await kill(victim);
          const killedAt = Date.now();
          const first = await waitFor(
            async () => refreshCalls(killedAt, survivor)[0],
            {
              timeoutMs: REFRESH_MS * 3,
              intervalMs: 20,
              what: `replica ${survivor} to refresh`,
            },
          );
          const takeoverS = (first.at - killedAt) / 1000;
          await sandbox().admin('DELETE', '/faults');
          assert.ok(
            takeoverS <= REFRESH_MS / 1000 + 5,
            `the survivor refreshed ${takeoverS.toFixed(1)} s after the kill`,
          );

          // The victim comes back while the survivor keeps refreshing.
          const restartedAt = Date.now();
          await start(victim);
          const backAt = Date.now();
          await sleep(REFRESH_MS * 2.5);
          const watchedUntil = Date.now();
          const survivorCalls = refreshCalls(first.at, survivor).filter(c =>
            c.accessKeyId.includes(ACCOUNTS.production),
          );
          const gaps = survivorCalls
            .slice(1)
            .map((c, i) => c.at - survivorCalls[i].at);
          const maxGapS = Math.max(0, ...gaps) / 1000;
          assert.ok(
            survivorCalls.at(-1).at >= watchedUntil - REFRESH_MS - 5_000,
            'the survivor stopped refreshing production',
          );
          assert.ok(
            maxGapS <= (REFRESH_MS + 5_000) / 1000,
            `production went ${maxGapS.toFixed(1)} s without a refresh`,
          );
          const byVictim = refreshCalls(restartedAt, victim);
          assert.deepEqual(
            byVictim.map(c => new Date(c.at).toISOString()),
            [],
            `the returning replica ${victim} refreshed`,
          );
          const served = await listEnvironments(
            replicas[victim],
            tokens[victim],
          );
          for (const name of ENVIRONMENTS) {
            const ageS =
              (Date.now() - Date.parse(served[name].refreshedAt)) / 1000;
            assert.ok(
              ageS <= (2 * REFRESH_MS) / 1000,
              `${name} served ${ageS.toFixed(
                1,
              )} s old by the returning replica`,
            );
          }
          for (const { name, backend } of processes) {
            assert.deepEqual(
              backend.errorLines(),
              [],
              `replica ${name} logged errors`,
            );
          }
          const took = takeoverLines(replicas[survivor]).slice(takeoversBefore);
          assert.equal(took.length, 1, `${survivor} logged no takeover`);
          return `killed ${victim} mid-refresh; ${survivor} refreshed ${takeoverS.toFixed(
            1,
          )} s after the kill (it logged "${messageOf(
            took[0],
          )}"), then production every ≤ ${maxGapS.toFixed(
            1,
          )} s; ${victim} back after ${((backAt - restartedAt) / 1000).toFixed(
            0,
          )} s made no AWS call in ${((watchedUntil - backAt) / 1000).toFixed(
            0,
          )} s; no error logged`;
        },
      ),
    );

    test('soak', { timeout: SOAK_MS + 10 * 60_000 }, () =>
      report.drill(
        {
          drill: 'Soak',
          injected: `${(SOAK_MS / 60_000).toFixed(
            1,
          )} min, sandbox clock ×${SOAK_CLOCK_SPEED}: a random fault (503s, throttling, AccessDenied, slow calls) on a random environment every 20 s for 10 s; one replica SIGKILLed and started again every ${(
            KILL_EVERY_MS / 60_000
          ).toFixed(1)} min; 4 clients polling both replicas`,
          expected: `no failed request; no error logged; RSS flat; data never older than ${
            (2 * REFRESH_MS) / 1000
          } s except during a fault`,
        },
        () => soak(),
      ),
    );

    async function soak() {
      await sandbox().admin('POST', '/clock', { speed: SOAK_CLOCK_SPEED });
      const random = seededRandom(SOAK_SEED);
      const faults = startFaultInjector({
        sandbox: sandbox(),
        environments: ENVIRONMENTS,
        everyMs: 20_000,
        forMs: 10_000,
        random,
      });
      const startedAt = Date.now();
      const until = startedAt + SOAK_MS;
      const up = { A: true, B: true };
      const stats = { requests: 0, failures: [], tooOld: [], maxAgeS: 0 };
      /** RSS samples per replica process (a restart starts a new series). */
      const memory = new Map();

      const poller = async () => {
        while (Date.now() < until) {
          for (const name of ['A', 'B']) {
            if (!up[name]) continue;
            const backend = replicas[name];
            try {
              const byName = await listEnvironments(backend, tokens[name]);
              stats.requests += 1;
              const now = Date.now();
              for (const env of ENVIRONMENTS) {
                const ageMs = now - Date.parse(byName[env].refreshedAt);
                const faulted = faults.faultedBetween(
                  env,
                  now - 2 * REFRESH_MS,
                  now,
                );
                if (!faulted) {
                  stats.maxAgeS = Math.max(stats.maxAgeS, ageMs / 1000);
                  if (ageMs > 2 * REFRESH_MS) {
                    stats.tooOld.push(
                      `${env} ${(ageMs / 1000).toFixed(1)} s old from ${name}`,
                    );
                  }
                }
              }
            } catch (error) {
              // A request cut by the kill of its replica is not the portal's failure.
              if (up[name] && backend === replicas[name]) {
                stats.failures.push(`${name}: ${error.message.slice(0, 120)}`);
              }
            }
          }
          await sleep(500);
        }
      };

      const sampler = async () => {
        while (Date.now() < until) {
          for (const name of ['A', 'B']) {
            const backend = replicas[name];
            if (!up[name]) continue;
            const mb = rssMb(backend.pid);
            if (mb === undefined) continue;
            if (!memory.has(backend))
              memory.set(backend, { name, samples: [] });
            memory.get(backend).samples.push({ at: Date.now(), mb });
          }
          await sleep(2_000);
        }
      };

      const killer = async () => {
        let next = 'A';
        const kills = [];
        for (
          let at = startedAt + KILL_EVERY_MS;
          at + 60_000 < until;
          at += KILL_EVERY_MS
        ) {
          await sleep(Math.max(0, at - Date.now()));
          up[next] = false;
          await kill(next);
          const restartedAt = Date.now();
          await start(next);
          up[next] = true;
          kills.push(
            `${next} back in ${((Date.now() - restartedAt) / 1000).toFixed(
              0,
            )} s`,
          );
          next = next === 'A' ? 'B' : 'A';
        }
        return kills;
      };

      const [, , kills] = await Promise.all([
        Promise.all(Array.from({ length: 4 }, poller)),
        sampler(),
        killer(),
      ]);
      await faults.stop();
      await sandbox().admin('POST', '/clock', { speed: 1 });

      const series = [...memory.values()].map(({ name, samples }) => {
        // The second half of a process's life: the first is its warm-up
        // (JIT, first reads, the heap growing to its working size).
        const from = (samples[0].at + samples.at(-1).at) / 2;
        return {
          name,
          minutes: (samples.at(-1).at - samples[0].at) / 60_000,
          slope: slopeMbPerMinute(samples.filter(x => x.at >= from)),
          mb: samples.at(-1).mb,
        };
      });
      const longest = series.sort((a, b) => b.minutes - a.minutes)[0];

      assert.deepEqual(stats.failures.slice(0, 5), [], 'requests failed');
      assert.deepEqual(
        stats.tooOld.slice(0, 5),
        [],
        'data older than two refresh intervals',
      );
      for (const { name, backend } of processes) {
        assert.deepEqual(
          backend.errorLines(),
          [],
          `replica ${name} logged errors`,
        );
      }
      assert.ok(
        stats.requests > SOAK_MS / 1000,
        `only ${stats.requests} requests`,
      );
      assert.ok(kills.length >= 1, 'no replica was killed during the soak');
      // A short soak catches a gross leak only (a response body kept per
      // request would be about 40 MB/min here); a long one, a slow leak.
      const slopeLimit = SOAK_MS >= 20 * 60_000 ? 2 : 30;
      assert.ok(
        longest.slope <= slopeLimit,
        `RSS of replica ${longest.name} grows ${longest.slope.toFixed(
          1,
        )} MB/min`,
      );
      const faultKinds = faults.windows.map(
        w => `${w.kind} on ${w.environment}`,
      );
      return (
        `${stats.requests} requests, none failed; ${
          faults.windows.length
        } faults (${faultKinds.slice(0, 4).join(', ')}${
          faultKinds.length > 4 ? ', …' : ''
        }); kills: ${kills.join(', ')}; ` +
        `oldest data outside faults ${stats.maxAgeS.toFixed(
          1,
        )} s; RSS slope over the second half of each process's life: ${series
          .map(
            s =>
              `${s.name} ${s.slope.toFixed(2)} MB/min over ${s.minutes.toFixed(
                1,
              )} min (${s.mb.toFixed(0)} MB)`,
          )
          .join(', ')}; no error logged`
      );
    }
  });
}
