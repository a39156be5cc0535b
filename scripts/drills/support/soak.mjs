// Helpers of the refresh ownership drills: memory of a process over time,
// random faults per environment in the sandbox, and how old served data is.
import { readFileSync } from 'node:fs';

/** Resident memory of a process in MB, from /proc; undefined once it is gone. */
export function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Least-squares slope of `samples` ({ at: ms, mb }) in MB per minute. */
export function slopeMbPerMinute(samples) {
  const n = samples.length;
  if (n < 2) return NaN;
  const xs = samples.map(s => s.at / 60_000);
  const ys = samples.map(s => s.mb);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** The faults a soak draws from: each breaks one environment's reads for a while. */
export const SOAK_FAULTS = [
  { kind: '503s', fault: { serverError: 503 } },
  { kind: 'throttling', fault: { throttle: { ratePerSecond: 0, burst: 0 } } },
  { kind: 'AccessDenied', fault: { accessDenied: true } },
  { kind: 'slow calls', fault: { latencyMs: 600 } },
];

/**
 * Injects a random fault into a random environment of the sandbox every
 * `everyMs`, for `forMs`, until stopped. Remembers each fault's window, so
 * that stale data during one is told from data that stopped being refreshed.
 * `random` is seeded by the caller, so that a failing soak can be replayed.
 */
export function startFaultInjector({
  sandbox,
  environments,
  everyMs,
  forMs,
  random,
}) {
  const windows = [];
  let stopped = false;
  let timer;
  const pick = list => list[Math.floor(random() * list.length)];
  const next = async () => {
    if (stopped) return;
    const environment = pick(environments);
    const { kind, fault } = pick(SOAK_FAULTS);
    const id = `soak-${windows.length}`;
    const window = { environment, kind, from: Date.now(), to: Infinity };
    windows.push(window);
    await sandbox.admin('POST', '/faults', { id, environment, ...fault });
    timer = setTimeout(async () => {
      await sandbox.admin('DELETE', `/faults/${id}`).catch(() => {});
      window.to = Date.now();
      timer = setTimeout(next, Math.max(0, everyMs - forMs));
    }, forMs);
  };
  timer = setTimeout(next, everyMs / 2);
  return {
    windows,
    /** Whether a fault touched `environment` between `from` and `to`. */
    faultedBetween(environment, from, to) {
      return windows.some(
        w => w.environment === environment && w.from <= to && w.to >= from,
      );
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await sandbox.admin('DELETE', '/faults');
      for (const w of windows) if (w.to === Infinity) w.to = Date.now();
    },
  };
}

/** A seeded pseudo-random generator (mulberry32), in [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
