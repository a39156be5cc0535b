import { Config } from '@backstage/config';

/** The config key naming the local AWS sandbox's admin API. */
export const SANDBOX_ADMIN_URL_CONFIG_KEY =
  'kler.environments.sandbox.adminUrl';

/**
 * Where the local AWS sandbox is, when the portal runs against it
 * (`app-config.sandbox.yaml`), e.g. `http://127.0.0.1:4566`; undefined
 * otherwise. Throws naming the key when it is not an http(s) URL.
 */
export function readSandboxAdminUrl(config: Config): string | undefined {
  const value = config.getOptionalString(SANDBOX_ADMIN_URL_CONFIG_KEY);
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw new Error(
      `Invalid config at ${SANDBOX_ADMIN_URL_CONFIG_KEY}: '${value}' is not an http(s) URL`,
    );
  }
  return value.replace(/\/+$/, '');
}

/** How long the sandbox may take to add an environment. */
const ADD_TIMEOUT_MS = 10_000;

/** What the sandbox answers to an added environment. */
export interface SandboxAddedEnvironment {
  created: boolean;
  environment: {
    name: string;
    cluster: string;
    services: Array<{ name: string; desired: number; running: number }>;
  };
}

/**
 * Adds an environment to the sandbox (`POST /_sandbox/environments`). The
 * sandbox takes the same environment again without change, so a retried
 * step is harmless; anything else it refuses is an Error with its reasons.
 */
export async function addSandboxEnvironment(
  adminUrl: string,
  environment: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<SandboxAddedEnvironment> {
  const timeout = AbortSignal.timeout(ADD_TIMEOUT_MS);
  const response = await fetch(`${adminUrl}/_sandbox/environments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(environment),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    throw new Error(
      `The sandbox at ${adminUrl} refused the environment (HTTP ${
        response.status
      }): ${body?.error ?? text.slice(0, 500)}`,
    );
  }
  return body as SandboxAddedEnvironment;
}
