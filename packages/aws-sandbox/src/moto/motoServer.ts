import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** The region moto is addressed in, and the SDK client settings for it. */
export const MOTO_REGION = 'eu-west-1';

export interface StartMotoOptions {
  /** Ports to try in order; moto_server runs on the first free one. */
  ports: number[];
  /** Extra environment for moto_server, e.g. `MOTO_ECS_SERVICE_RUNNING`. */
  env?: Record<string, string>;
}

/** A running moto_server. */
export interface MotoServer {
  endpoint: string;
  port: number;
  /** Settings for an AWS SDK v3 client: this endpoint, the region, test credentials. */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Calls an AWS query-protocol API (EC2) that the installed SDK clients do not cover. */
  query(service: string, params: Record<string, string>): Promise<string>;
  /** Calls an AWS REST-JSON API (EFS) that the installed SDK clients do not cover. */
  restJson(service: string, path: string, body: object): Promise<any>;
  /** Forgets every resource, as a fresh moto_server. */
  reset(): Promise<void>;
  /** Keeps ECS tasks in the state they were started or stopped in. */
  freezeEcsTasks(): Promise<void>;
  stop(): Promise<void>;
}

export function isMotoInstalled(): boolean {
  return (
    spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).error ===
    undefined
  );
}

/** Whether a missing moto_server must fail the run (CI) rather than be reported and passed. */
export function isMotoRequired(): boolean {
  return process.env.KLER_REQUIRE_MOTO === '1';
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function fakeAuthorization(service: string) {
  // moto reads the region from the credential scope and checks no signature
  return `AWS4-HMAC-SHA256 Credential=testing/20260101/${MOTO_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise(resolve => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** Spawns moto_server on the port; resolves false when it exits before it answers (port taken). */
async function launch(
  port: number,
  env: Record<string, string>,
): Promise<ChildProcess | false> {
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  let spawnError: Error | undefined;
  child.once('error', error => {
    spawnError = error;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    await new Promise(resolve => setTimeout(resolve, 200));
    if (spawnError) throw spawnError;
    if (child.exitCode !== null) return false;
    try {
      // the child must still be alive: a moto that lost the port race exits,
      // and the answer would then come from another process
      if ((await fetch(`http://127.0.0.1:${port}/moto-api/`)).ok) {
        if (child.exitCode === null) return child;
        return false;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`moto_server did not start on port ${port}`);
    }
  }
}

/**
 * Starts moto_server on the first free port of `options.ports` and waits until
 * `/moto-api/` answers. Check `isMotoInstalled()` first: without moto_server on
 * PATH this rejects.
 */
export async function startMoto(
  options: StartMotoOptions,
): Promise<MotoServer> {
  let child: ChildProcess | undefined;
  let port = 0;
  for (const candidate of options.ports) {
    if (!(await isPortFree(candidate))) continue;
    const launched = await launch(candidate, options.env ?? {});
    if (launched) {
      child = launched;
      port = candidate;
      break;
    }
  }
  if (!child) {
    throw new Error(`No free moto port in ${options.ports.join(', ')}`);
  }
  const running = child;
  const endpoint = `http://127.0.0.1:${port}`;

  const motoApi = async (path: string, body?: unknown) => {
    const response = await fetch(`${endpoint}/moto-api/${path}`, {
      method: 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`moto-api ${path}: HTTP ${response.status}`);
    }
  };

  return {
    endpoint,
    port,
    clientConfig: {
      endpoint,
      region: MOTO_REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    },
    async query(service, params) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: fakeAuthorization(service),
        },
        body: new URLSearchParams({ Version: '2016-11-15', ...params }),
      });
      const text = await response.text();
      if (!response.ok) {
        throw new Error(`${service} ${params.Action} failed: ${text}`);
      }
      return text;
    },
    async restJson(service, path, body) {
      const response = await fetch(`${endpoint}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: fakeAuthorization(service),
        },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) {
        throw new Error(`${service} ${path} failed: ${text}`);
      }
      return JSON.parse(text);
    },
    reset: () => motoApi('reset'),
    freezeEcsTasks: () =>
      motoApi('state-manager/set-transition', {
        model_name: 'ecs::task',
        transition: { progression: 'manual', times: 1_000_000 },
      }),
    stop: () => stopChild(running),
  };
}
