import { ChildProcess, spawn } from 'node:child_process';

export interface MotoServer {
  endpoint: string;
  /** Calls an AWS query-protocol API (EC2) that the installed SDK clients do not cover. */
  query(service: string, params: Record<string, string>): Promise<string>;
  /** Calls an AWS REST-JSON API (EFS) that the installed SDK clients do not cover. */
  restJson(service: string, path: string, body: object): Promise<any>;
  stop(): Promise<void>;
}

const REGION = 'eu-west-1';

function fakeAuthorization(service: string) {
  // moto reads the region from the credential scope and checks no signature.
  return `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

/**
 * Starts `moto_server` on the given port. Resolves undefined when moto_server is
 * not on PATH, so that callers can decide whether that is acceptable.
 */
export async function startMoto(
  port: number,
  env: Record<string, string> = {},
): Promise<MotoServer | undefined> {
  const child: ChildProcess = spawn(
    'moto_server',
    ['-H', '127.0.0.1', '-p', String(port)],
    { env: { ...process.env, ...env }, stdio: 'ignore' },
  );
  const spawnError = new Promise<Error>(resolve =>
    child.once('error', resolve),
  );
  const endpoint = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    const failed = await Promise.race([
      spawnError,
      new Promise<undefined>(resolve => setTimeout(resolve, 250)),
    ]);
    if (failed) {
      if ((failed as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw failed;
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server did not start on port ${port}`);
    }
  }

  return {
    endpoint,
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
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Whether a missing moto_server must fail the run (CI) rather than skip. */
export function isMotoRequired() {
  return process.env.KLER_REQUIRE_MOTO === '1';
}
