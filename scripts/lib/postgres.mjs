// Starts a throwaway PostgreSQL server on 127.0.0.1 for a test run, with the
// server binaries of the machine (Debian's postgresql-15). As root, the server
// runs as the `postgres` user, since PostgreSQL refuses to run as root.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.mjs';

function binary(name) {
  for (const dir of [
    '/usr/lib/postgresql/15/bin',
    '/usr/local/bin',
    '/usr/bin',
  ]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(
    `PostgreSQL server binary '${name}' not found; install postgresql-15`,
  );
}

function runAsOwner(file, args) {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', file, ...args]]
    : [file, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} failed: ${result.stderr || result.stdout}`,
    );
  }
  return result.stdout;
}

export async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'kler-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(
      execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }),
    );
    const gid = Number(
      execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }),
    );
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const port = await freePort();
  const password = `kler-${Math.random().toString(36).slice(2)}`;
  runAsOwner(binary('initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
  ]);
  runAsOwner(binary('pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-h 127.0.0.1 -p ${port} -k ${dir}`,
    'start',
  ]);
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    stop() {
      try {
        runAsOwner(binary('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
