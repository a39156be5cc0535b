import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

jest.setTimeout(60_000);

const BIN = resolvePackagePath('@kler/aws-sandbox', 'bin/aws-sandbox');

function run(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', chunk => (output += chunk));
  child.stderr.on('data', chunk => (output += chunk));
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', resolve),
  );
  const line = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (output.includes('\n')) resolve(output.split('\n')[0]);
    });
    child.once('exit', code => reject(new Error(`exited ${code}: ${output}`)));
  });
  return { child, line, exited, output: () => output };
}

describe('aws-sandbox CLI', () => {
  it('starts the KLER scenario and prints where it listens', async () => {
    const cli = run([
      '--port',
      '0',
      '--start',
      '2026-11-26T19:30:00Z',
      '--speed',
      '0',
    ]);
    try {
      const line = await cli.line;
      expect(line).toMatch(
        /^aws-sandbox listening on http:\/\/127\.0\.0\.1:\d+$/,
      );
      const url = line.split(' ').pop()!;
      const state = await (await fetch(`${url}/_sandbox/state`)).json();
      expect(state.now).toBe('2026-11-26T19:30:00.000Z');
      expect(state.environments.map((e: any) => e.name)).toEqual([
        'production',
        'development',
      ]);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('generates a large scenario on request', async () => {
    const cli = run([
      '--port',
      '0',
      '--generate',
      '20',
      '--environments',
      '1',
      '--tasks-per-service',
      '2',
    ]);
    try {
      const url = (await cli.line).split(' ').pop()!;
      const state = await (await fetch(`${url}/_sandbox/state`)).json();
      expect(state.environments).toHaveLength(1);
      expect(state.environments[0].services).toHaveLength(20);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('exits with the path of a bad scenario key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-sandbox-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      "accounts:\n  - { id: '111111111111', name: a, color: red }\n",
    );
    const cli = run(['--port', '0', '--scenario', file]);
    await expect(cli.line).rejects.toThrow(/accounts\[0\]\.color: unknown key/);
    expect(await cli.exited).toBe(1);
  });

  it('keeps added environments in --environments-file across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-sandbox-cli-'));
    const file = join(dir, 'state', 'environments.json');
    const staging = {
      name: 'staging',
      account: '111111111111',
      cluster: 'kler-staging',
      vault: 'kler-staging',
    };
    const names = async (url: string) =>
      (await (await fetch(`${url}/_sandbox/environments`)).json()).environments
        .map((e: { name: string }) => e.name)
        .join(', ');
    const first = run(['--port', '0', '--environments-file', file]);
    try {
      const url = (await first.line).split(' ').pop()!;
      const added = await fetch(`${url}/_sandbox/environments`, {
        method: 'POST',
        body: JSON.stringify(staging),
      });
      expect(added.status).toBe(201);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([
        expect.objectContaining(staging),
      ]);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }

    const second = run(['--port', '0', '--environments-file', file]);
    try {
      const url = (await second.line).split(' ').pop()!;
      expect(await names(url)).toBe('production, development, staging');
      await fetch(`${url}/_sandbox/environments/staging`, { method: 'DELETE' });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }

    writeFileSync(file, JSON.stringify([{ ...staging, cluster: 7 }]));
    const bad = run(['--port', '0', '--environments-file', file]);
    await expect(bad.line).rejects.toThrow(
      `Invalid scenario ${file}:\n  [0] environment.cluster: `,
    );
    expect(await bad.exited).toBe(1);
  });
});
