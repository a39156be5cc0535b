// Closed-loop HTTP load: N clients, each sends its next GET as soon as the
// previous one answered, for a fixed time. Keep-alive connections, as a browser.
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
  const latencies = [];
  const failures = [];
  const deadline = performance.now() + durationMs;
  let inspected = 0;
  const client = async () => {
    while (performance.now() < deadline) {
      const res = await get(agent, url, headers);
      latencies.push(res.ms);
      if (res.status !== 200) {
        failures.push({ status: res.status, body: res.body.slice(0, 300) });
      } else if (inspect && inspected++ % 10 === 0) {
        // Parse one answer in ten: enough to see a throttling error a user would
        // see, without the load generator spending the CPU the backend needs.
        inspect(res.body);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: latencies[latencies.length - 1],
    failures,
  };
}
