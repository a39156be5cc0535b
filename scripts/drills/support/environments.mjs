// Config and polling helpers shared by the drills: how a drill backend is
// pointed at the sandbox, and how a drill waits for the environments API to
// reach a state.
import { waitFor } from '../../lib/net.mjs';

export const ENVIRONMENTS = ['development', 'production'];
export const ACCOUNTS = {
  production: '222222222222',
  development: '111111111111',
};

/** Refresh often and give up on AWS quickly, so that a drill sees a fault and its end within seconds. */
export const REFRESH_SECONDS = 2;

/**
 * The `aws` and `environments` config of app-config.sandbox.yaml, pointed at
 * the drill's own sandbox (or proxy) endpoints, with short timings.
 * `keySuffix` tells one replica's AWS calls from another's.
 */
export function sandboxConfig({ endpoints, keySuffix = '' }) {
  return {
    aws: {
      accounts: Object.values(ACCOUNTS).map(accountId => ({
        accountId,
        accessKeyId: `SANDBOX${accountId}${keySuffix}`,
        secretAccessKey: 'sandbox-placeholder',
      })),
    },
    environments: {
      environments: ENVIRONMENTS.map(name => ({
        name,
        endpoint: endpoints[name],
      })),
      refresh: {
        frequency: { seconds: REFRESH_SECONDS },
        timeout: { seconds: 4 },
      },
      aws: { timeoutMs: 800, maxAttempts: 2 },
    },
  };
}

/**
 * The drills' backend config around `config`: the backend listens on loopback
 * only, and behaves as in production (no stack traces in error responses,
 * with NODE_ENV=production from `drillBackendEnv`) while still signing in as guest.
 */
export function drillBackendConfig(config) {
  return {
    ...config,
    backend: { ...config.backend, listen: { host: '127.0.0.1' } },
    auth: {
      ...config.auth,
      providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
    },
  };
}
/**
 * app-config.yaml's catalog location: a drill that adds a location of its own
 * repeats it, since config arrays replace instead of merging.
 */
export const KLER_CATALOG_LOCATION = {
  type: 'file',
  target: '../../catalog/all.yaml',
  rules: [
    {
      allow: [
        'Component',
        'System',
        'API',
        'Resource',
        'Location',
        'Domain',
        'Group',
        'User',
        'Template',
      ],
    },
  ],
};

export const drillBackendEnv = { NODE_ENV: 'production' };

/** GET /api/environments/v1/environments as a map by name. */
export async function listEnvironments(backend, token) {
  const res = await backend.get('/api/environments/v1/environments', token);
  if (res.status !== 200) {
    throw new Error(
      `GET /v1/environments: HTTP ${res.status} ${JSON.stringify(
        res.body,
      ).slice(0, 300)}`,
    );
  }
  return Object.fromEntries(res.body.items.map(item => [item.name, item]));
}

/** Polls the environments list until `check(byName)` returns something truthy; returns it. */
export function waitForEnvironments(
  backend,
  token,
  check,
  { timeoutMs = 30_000, what },
) {
  return waitFor(
    async () => {
      const byName = await listEnvironments(backend, token);
      return check(byName);
    },
    { timeoutMs, intervalMs: 250, what },
  );
}

/** Served from a read that started after `since`, with no error. */
export function isFreshSince(summary, since) {
  return (
    summary !== undefined &&
    !summary.stale &&
    !summary.error &&
    summary.refreshedAt !== undefined &&
    Date.parse(summary.refreshedAt) >= since
  );
}

/** Both KLER environments read from the sandbox, with their five services. */
export function bothHealthy(byName) {
  return (
    ENVIRONMENTS.every(
      name =>
        byName[name] &&
        !byName[name].stale &&
        !byName[name].error &&
        byName[name].refreshedAt &&
        byName[name].counts.services === 5,
    ) && byName
  );
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Percentile of a sorted array of numbers. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}
