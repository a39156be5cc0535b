// The HTTP loads of one size, against a running environments backend: tabs
// (open loop, the warm p95 floor) and saturation (closed loop, for
// information), each endpoint in turn; what a user would see of throttling
// in the answers is counted on the way.
import { pollConcurrently, pollOnSchedule } from './load.mjs';
import { mentionsThrottling } from './operations.mjs';

/** Throttling errors in what a user gets: summaries (and a services summary). */
export function throttlingInSummaries(body) {
  const parsed = JSON.parse(body);
  const items = parsed.items?.every?.(item => 'tier' in item)
    ? parsed.items
    : [parsed.summary].filter(Boolean);
  return items.filter(
    item =>
      mentionsThrottling(item.error?.name) ||
      mentionsThrottling(item.error?.message),
  ).length;
}

/** Throttling errors among problems. */
export function throttlingInProblems(body) {
  return (JSON.parse(body).items ?? []).filter(problem =>
    mentionsThrottling(JSON.stringify(problem)),
  ).length;
}

/**
 * Runs the tabs' load on each endpoint (`{ name, url, inspect }`) in turn:
 * `tabs` tabs each sending a GET every `intervalMs` for `durationMs`.
 */
export async function runTabs({
  endpoints,
  token,
  tabs,
  intervalMs,
  durationMs,
}) {
  const results = {};
  for (const endpoint of endpoints) {
    results[endpoint.name] = await pollOnSchedule({
      url: endpoint.url,
      token,
      tabs,
      intervalMs,
      durationMs,
      inspect: endpoint.inspect,
    });
  }
  return results;
}

/** Runs the saturation load on each endpoint in turn: `clients` back to back. */
export async function runSaturation({ endpoints, token, clients, durationMs }) {
  const results = {};
  for (const endpoint of endpoints) {
    results[endpoint.name] = await pollConcurrently({
      url: endpoint.url,
      token,
      clients,
      durationMs,
      inspect: endpoint.inspect,
    });
  }
  return results;
}

/** Every failed request of some load results. */
export function failuresOf(...loads) {
  return loads.flatMap(load =>
    Object.values(load ?? {}).flatMap(result => result.failures),
  );
}
