// A throwaway Redis server on a free loopback port, without persistence.
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort, waitFor } from '../../lib/net.mjs';

function ping(port) {
  return new Promise(resolve => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let answer = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', d => {
      answer += d;
      if (answer.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(answer.startsWith('+PONG')));
    socket.on('error', () => resolve(false));
  });
}

export async function startRedis() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const lines = [];
  child.stdout.on('data', d => lines.push(d.toString()));
  child.stderr.on('data', d => lines.push(d.toString()));
  let exited;
  child.on('exit', code => {
    exited = code ?? -1;
  });
  await waitFor(
    async () => {
      if (exited !== undefined) {
        throw Object.assign(
          new Error(`redis-server exited: ${lines.join('')}`),
          { fatal: true },
        );
      }
      return ping(port);
    },
    { timeoutMs: 20_000, intervalMs: 200, what: 'redis-server' },
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  };
}
