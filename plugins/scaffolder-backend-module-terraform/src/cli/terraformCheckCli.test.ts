import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runTerraformCheckCli } from './terraformCheckCli';

const BIN = path.resolve(
  // Tests always run from source, where __dirname is this folder.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../bin/kler-terraform-check',
);

jest.setTimeout(60_000);

describe('kler-terraform-check', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-check-cli-'));
    await fs.mkdir(path.join(cwd, 'environments', 'staging'), {
      recursive: true,
    });
    await fs.mkdir(path.join(cwd, 'environments', 'clean'), {
      recursive: true,
    });
    await fs.writeFile(
      path.join(cwd, 'environments', 'staging', 'main.tf'),
      [
        'resource "aws_efs_file_system" "data" {',
        '  encrypted = false',
        '  nmae      = "data"',
        '}',
        '',
      ].join('\n'),
    );
    await fs.writeFile(
      path.join(cwd, 'environments', 'clean', 'main.tf'),
      'resource "aws_ecr_repository" "app" {\n  name = "app"\n\n  encryption_configuration {\n    encryption_type = "KMS"\n  }\n}\n',
    );
  });
  afterEach(async () => {
    await fs.rm(cwd, { recursive: true, force: true });
  });

  async function run(...argv: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runTerraformCheckCli(argv, {
      cwd,
      stdout: line => stdout.push(line),
      stderr: line => stderr.push(line),
    });
    return { code, stdout, stderr };
  }

  it('prints each problem with the file and line under the directory given, and exits 1 on an error', async () => {
    const { code, stdout } = await run('environments/staging');
    expect(code).toBe(1);
    expect(stdout).toEqual([
      expect.stringMatching(
        /^environments\/staging\/main\.tf:3: error: \[schema\] resource "aws_efs_file_system" "data": "nmae" is not an argument/,
      ),
      expect.stringMatching(
        /^environments\/staging\/main\.tf:1: error: \[review backup-selection-missing-resource\] aws_efs_file_system\.data: .* Fix: /,
      ),
      expect.stringMatching(
        /^environments\/staging\/main\.tf:1: error: \[review efs-unencrypted\] .* Fix: Set encrypted = true/,
      ),
      'environments/staging: 3 error(s), 0 warning(s) (content policy, AWS schema, review rules)',
    ]);
  });

  it('exits 0 on a configuration without errors, and checks every directory given', async () => {
    expect(await run('environments/clean')).toEqual({
      code: 0,
      stdout: [
        'environments/clean: 0 error(s), 0 warning(s) (content policy, AWS schema, review rules)',
      ],
      stderr: [],
    });
    const both = await run('environments/clean', 'environments/staging');
    expect(both.code).toBe(1);
    expect(both.stdout.filter(line => line.includes(' error(s), '))).toEqual([
      expect.stringMatching(/^environments\/clean: 0 error/),
      expect.stringMatching(/^environments\/staging: 3 error/),
    ]);
  });

  it("refuses with the portal's content policy, which the flags change as kler.terraform does", async () => {
    await fs.writeFile(
      path.join(cwd, 'environments', 'clean', 'dns.tf'),
      'terraform {\n  required_providers {\n    cloudflare = {\n      source = "cloudflare/cloudflare"\n    }\n  }\n}\n',
    );
    const refused = await run('environments/clean');
    expect(refused.code).toBe(1);
    expect(refused.stdout[0]).toMatch(
      /^environments\/clean\/dns\.tf:\d+: error: \[policy\] .*cloudflare\/cloudflare/,
    );
    const allowed = await run(
      '--allowed-provider',
      'hashicorp/aws',
      '--allowed-provider',
      'cloudflare/cloudflare',
      'environments/clean',
    );
    expect(allowed.code).toBe(0);
  });

  it('writes GitHub workflow commands with --format github, escaped', async () => {
    const { code, stdout } = await run(
      '--format',
      'github',
      'environments/staging',
    );
    expect(code).toBe(1);
    expect(stdout[0]).toMatch(
      /^::error file=environments\/staging\/main\.tf,line=3,title=schema::resource "aws_efs_file_system"/,
    );
    expect(stdout[1]).toMatch(
      /^::error file=environments\/staging\/main\.tf,line=1,title=review backup-selection-missing-resource::/,
    );
    // Commas and colons would end a property; percent signs start an escape.
    await fs.cp(
      path.join(cwd, 'environments', 'staging'),
      path.join(cwd, 'odd,dir:100%'),
      { recursive: true },
    );
    const odd = await run('--format', 'github', 'odd,dir:100%');
    expect(odd.stdout[0]).toMatch(
      /^::error file=odd%2Cdir%3A100%25\/main\.tf,line=3,title=schema::/,
    );
  });

  it('exits 2 on a wrong use', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('--format', 'xml', 'environments/clean')).code).toBe(2);
    expect((await run('--frobnicate', 'environments/clean')).code).toBe(2);
    const missing = await run('environments/nowhere');
    expect(missing).toMatchObject({
      code: 2,
      stderr: ['kler-terraform-check: environments/nowhere is not a directory'],
    });
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout[0]).toMatch(/^Usage: kler-terraform-check/);
  });

  it('runs as the package bin, with its exit code', async () => {
    const env = { PATH: process.env.PATH, HOME: cwd };
    const failing = await promisify(execFile)(
      process.execPath,
      [BIN, 'environments/staging'],
      { cwd, env },
    ).catch(error => error);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain(
      'environments/staging: 3 error(s), 0 warning(s)',
    );
    const passing = await promisify(execFile)(
      process.execPath,
      [BIN, 'environments/clean'],
      { cwd, env },
    );
    expect(passing.stdout).toBe(
      'environments/clean: 0 error(s), 0 warning(s) (content policy, AWS schema, review rules)\n',
    );
  });
});
