// Starts the local AWS sandbox (packages/aws-sandbox) as a child process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './backend.mjs';
import { freePort, waitFor } from './net.mjs';

export async function startSandbox({
  scenario = 'packages/aws-sandbox/scenarios/kler.yaml',
  args = [],
} = {}) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'packages/aws-sandbox/bin/aws-sandbox'),
      '--port',
      String(port),
      '--scenario',
      join(repoRoot, scenario),
      ...args,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const lines = [];
  child.stdout.on('data', d =>
    lines.push(...d.toString().split('\n').filter(Boolean)),
  );
  child.stderr.on('data', d =>
    lines.push(...d.toString().split('\n').filter(Boolean)),
  );
  let exited;
  child.on('exit', code => {
    exited = code ?? -1;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (exited !== undefined) {
        throw Object.assign(
          new Error(`sandbox exited with ${exited}: ${lines.join('\n')}`),
          { fatal: true },
        );
      }
      return (await fetch(`${url}/_sandbox/state`)).ok;
    },
    { timeoutMs: 60_000, what: 'the AWS sandbox' },
  );
  return {
    url,
    port,
    lines,
    pid: child.pid,
    async admin(method, path, body) {
      const res = await fetch(`${url}/_sandbox${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok)
        throw new Error(
          `sandbox admin ${method} ${path}: HTTP ${
            res.status
          } ${await res.text()}`,
        );
      const text = await res.text();
      return text ? JSON.parse(text) : undefined;
    },
    stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  };
}
