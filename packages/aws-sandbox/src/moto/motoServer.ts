import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** This package's moto ports. */
const MOTO_PORTS = [5101, 5102, 5103, 5104, 5105, 5106, 5107, 5108, 5109];

export interface MotoServer {
  endpoint: string;
  /** Calls a query-protocol API the installed SDK clients do not cover (EC2). */
  query(service: string, params: Record<string, string>): Promise<string>;
  post(path: string, body: unknown): Promise<void>;
  stop(): Promise<void>;
}

export function isMotoInstalled(): boolean {
  return (
    spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).error ===
    undefined
  );
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Starts moto_server on the first free port of 5101-5109 and waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  let port: number | undefined;
  for (const candidate of MOTO_PORTS) {
    if (await isPortFree(candidate)) {
      port = candidate;
      break;
    }
  }
  if (!port) throw new Error('No free moto port in 5101-5109');
  const child: ChildProcess = spawn(
    'moto_server',
    ['-H', '127.0.0.1', '-p', String(port)],
    {
      stdio: 'ignore',
    },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`moto_server did not start on port ${port}`);
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  return {
    endpoint,
    async query(service, params) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          // moto reads the region from the credential scope and checks no signature
          authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: new URLSearchParams({ Version: '2016-11-15', ...params }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${service} ${params.Action}: ${text}`);
      return text;
    },
    async post(path, body) {
      const response = await fetch(`${endpoint}${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      if (!response.ok)
        throw new Error(`moto ${path}: HTTP ${response.status}`);
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
