import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FIXTURE_MODULE, TERRAFORM_BINARY } from '../__testUtils__/fixtures';

jest.setTimeout(120_000);

/**
 * The offline fixture module's own `terraform test` (tests/*.tftest.hcl):
 * the behaviour the action tests rely on, proved by Terraform's test runner.
 */
describe('templates/terraform-fixtures', () => {
  it('passes its terraform test, offline', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-fixture-test-'));
    try {
      await fs.cp(FIXTURE_MODULE, dir, {
        recursive: true,
        filter: source => !/\.terraform|tfstate/.test(path.basename(source)),
      });
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        TF_IN_AUTOMATION: '1',
        CHECKPOINT_DISABLE: '1',
        TF_CLI_CONFIG_FILE: '/dev/null',
      };
      const terraform = (...args: string[]) =>
        promisify(execFile)(TERRAFORM_BINARY, [...args, '-no-color'], {
          cwd: dir,
          env,
        });
      await terraform('init', '-input=false');
      const { stdout } = await terraform('test');
      expect(stdout).toContain('Success! 3 passed, 0 failed.');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
