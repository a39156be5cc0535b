// HTTP load, keep-alive connections as a browser's.
// - pollConcurrently, closed loop: N clients, each sends its next GET as soon as
//   the previous one answered. It measures saturation: the throughput of the
//   backend, and latency as queueing behind the other N - 1 requests.
// - pollOnSchedule, open loop: N tabs, each sends a GET every intervalMs whether
//   or not the previous answer came (as the frontend's setInterval does). The
//   latency counts from the scheduled send time, so a backend that falls behind
//   shows it, instead of slowing the senders down (no coordinated omission).
import { Agent, request } from 'node:http';

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  );
  return sorted[Math.max(0, index)];
}

function get(agent, url, headers) {
  return new Promise(resolve => {
    const started = performance.now();
    const req = request(url, { agent, headers }, res => {
      const chunks = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        }),
      );
      res.on('error', error =>
        resolve({
          status: 0,
          body: String(error),
          ms: performance.now() - started,
        }),
      );
    });
    req.on('error', error =>
      resolve({
        status: 0,
        body: String(error),
        ms: performance.now() - started,
      }),
    );
    req.end();
  });
}

/**
 * What both loads keep of each answer: its latency, the failures, and one
 * successful body in ten for `inspect`.
 */
function createRecorder(inspect) {
  const latencies = [];
  const failures = [];
  let inspected = 0;
  return {
    latencies,
    failures,
    record(res, latencyMs) {
      latencies.push(latencyMs);
      if (res.status !== 200) {
        failures.push({ status: res.status, body: res.body.slice(0, 300) });
      } else if (inspect && inspected++ % 10 === 0) {
        // Parse one answer in ten: enough to see a throttling error a user would
        // see, without the load generator spending the CPU the backend needs.
        inspect(res.body);
      }
    },
  };
}

/**
 * @param {{ url: string, token: string, clients: number, durationMs: number, inspect?: (body: string) => void }} options
 */
export async function pollConcurrently({
  url,
  token,
  clients,
  durationMs,
  inspect,
}) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const headers = { authorization: `Bearer ${token}` };
  const { latencies, failures, record } = createRecorder(inspect);
  const deadline = performance.now() + durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const res = await get(agent, url, headers);
      record(res, res.ms);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    ratePerSecond: (latencies.length * 1000) / elapsedMs,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: latencies[latencies.length - 1],
    failures,
  };
}

/**
 * @param {{ url: string, token: string, tabs: number, intervalMs: number, durationMs: number, inspect?: (body: string) => void }} options
 */
export async function pollOnSchedule({
  url,
  token,
  tabs,
  intervalMs,
  durationMs,
  inspect,
}) {
  const headers = { authorization: `Bearer ${token}` };
  const { latencies, failures, record } = createRecorder(inspect);
  let lateSends = 0;
  const agents = [];
  const start = performance.now() + 50;
  const tab = async index => {
    // A browser opens at most 6 connections per host.
    const agent = new Agent({ keepAlive: true, maxSockets: 6 });
    agents.push(agent);
    const pending = [];
    // Staggered: the tabs' schedules are spread evenly over one interval.
    for (
      let scheduled = start + (index * intervalMs) / tabs;
      scheduled < start + durationMs;
      scheduled += intervalMs
    ) {
      const wait = scheduled - performance.now();
      if (wait > 0) await new Promise(r => setTimeout(r, wait));
      else if (wait < -5) lateSends += 1;
      const sentFor = scheduled;
      pending.push(
        get(agent, url, headers).then(res =>
          record(res, performance.now() - sentFor),
        ),
      );
    }
    await Promise.all(pending);
  };
  await Promise.all(Array.from({ length: tabs }, (_, i) => tab(i)));
  for (const agent of agents) agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    ratePerSecond: (tabs * 1000) / intervalMs,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    lateSends,
    failures,
  };
}
