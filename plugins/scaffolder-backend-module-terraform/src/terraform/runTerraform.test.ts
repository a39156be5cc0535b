import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRecordingLogger } from '../__testUtils__/fixtures';
import { createSecretMasker } from './masking';
import {
  interruptRunningTerraform,
  runTerraform,
  TerraformInterruptedError,
} from './runTerraform';
import { TERRAFORM_BINARY } from '../__testUtils__/fixtures';

jest.setTimeout(20_000);

describe('runTerraform', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-run-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function script(name: string, body: string) {
    const file = path.join(dir, name);
    await fs.writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  }

  function options(
    binary: string,
    extra: Partial<Parameters<typeof runTerraform>[0]> = {},
  ) {
    const { logger, lines } = createRecordingLogger();
    return {
      lines,
      options: {
        binary,
        args: ['apply', '-input=false'],
        cwd: dir,
        env: { PATH: process.env.PATH ?? '' },
        logger,
        mask: createSecretMasker(['hunter2-secret']),
        timeoutMs: 60_000,
        killGraceMs: 500,
        ...extra,
      },
    };
  }

  it('streams each line as it is printed, masked, and passes arguments without a shell', async () => {
    const binary = await script(
      'echo-args',
      'for a in "$@"; do echo "arg: $a"; done\necho "the password is hunter2-secret" >&2\nsleep 1\necho late',
    );
    const { options: run, lines } = options(binary, {
      args: ['plan', '$(touch pwned)', 'a;b'],
    });
    const pending = runTerraform(run);
    // The first lines are logged before the process has finished.
    await new Promise(resolve => setTimeout(resolve, 500));
    expect(lines).toContain('arg: plan');
    expect(lines).not.toContain('late');
    const result = await pending;
    expect(result.exitCode).toBe(0);
    expect(lines).toContain('arg: $(touch pwned)');
    expect(lines).toContain('arg: a;b');
    expect(lines).toContain('the password is ***');
    expect(lines.join('\n')).not.toContain('hunter2-secret');
    await expect(fs.stat(path.join(dir, 'pwned'))).rejects.toThrow();
  });

  it('times out: interrupts with SIGINT', async () => {
    const binary = await script(
      'slow',
      "trap 'echo interrupted; exit 130' INT\nsleep 30 & wait",
    );
    const { options: run, lines } = options(binary, { timeoutMs: 300 });
    await expect(runTerraform(run)).rejects.toThrow(
      /terraform apply timed out/,
    );
    expect(lines).toContain('interrupted');
  });

  it('kills Terraform with SIGKILL when it ignores SIGINT past the grace period', async () => {
    const binary = await script(
      'stubborn',
      "trap '' INT\nsleep 30 & wait\nsleep 30",
    );
    const controller = new AbortController();
    const { options: run, lines } = options(binary, {
      signal: controller.signal,
      killGraceMs: 300,
    });
    const started = Date.now();
    const pending = runTerraform(run);
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toThrow(TerraformInterruptedError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(lines.join('\n')).toMatch(/did not stop within 300 ms: killing it/);
  });

  it('does not start when the task is already cancelled', async () => {
    const binary = await script('never', `touch '${dir}/started'`);
    const controller = new AbortController();
    controller.abort();
    const { options: run } = options(binary, { signal: controller.signal });
    await expect(runTerraform(run)).rejects.toThrow(/cancelled before/);
    await expect(fs.stat(path.join(dir, 'started'))).rejects.toThrow();
  });

  it('interrupts every running Terraform when the backend shuts down', async () => {
    const binary = await script(
      'until-interrupted',
      `trap 'echo interrupted; exit 130' INT\necho started\nwhile true; do sleep 0.1; done`,
    );
    const first = options(binary);
    const second = options(binary);
    const ending = Promise.allSettled([
      runTerraform(first.options),
      runTerraform(second.options),
    ]);
    while (![first, second].every(run => run.lines.includes('started'))) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    await interruptRunningTerraform();
    const ended = await ending;
    expect(ended.map(run => run.status)).toEqual(['rejected', 'rejected']);
    for (const run of ended) {
      expect(String((run as PromiseRejectedResult).reason)).toMatch(
        /interrupted because the backend shut down/,
      );
    }
    expect(first.lines).toContain('interrupted');
    expect(second.lines).toContain('interrupted');
  });

  it('lets the real Terraform stop gracefully on SIGINT mid-apply: state saved, lock released', async () => {
    const config = await fs.mkdtemp(path.join(dir, 'apply-'));
    // Applying a thousand resources takes a few seconds: time to interrupt.
    await fs.writeFile(
      path.join(config, 'main.tf'),
      'resource "terraform_data" "many" {\n  count = 1000\n  input = count.index\n}\n',
    );
    const env = {
      PATH: process.env.PATH ?? '',
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      TF_CLI_CONFIG_FILE: '/dev/null',
    };
    const run = (args: string[], signal?: AbortSignal) => {
      const { options: base, lines } = options(TERRAFORM_BINARY, {
        args,
        cwd: config,
        env,
        signal,
        killGraceMs: 60_000,
      });
      return { result: runTerraform(base), lines };
    };
    expect(
      (await run(['init', '-input=false', '-no-color']).result).exitCode,
    ).toBe(0);

    const controller = new AbortController();
    const apply = run(
      ['apply', '-auto-approve', '-input=false', '-no-color'],
      controller.signal,
    );
    while (!apply.lines.some(line => line.includes('Creation complete'))) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    controller.abort();
    await expect(apply.result).rejects.toThrow(/was cancelled/);
    expect(apply.lines.join('\n')).not.toMatch(/killing it/);

    const state = JSON.parse(
      await fs.readFile(path.join(config, 'terraform.tfstate'), 'utf8'),
    );
    const saved = state.resources?.[0]?.instances?.length ?? 0;
    expect(saved).toBeGreaterThan(0);
    expect(saved).toBeLessThan(1000);
    await expect(
      fs.stat(path.join(config, '.terraform.tfstate.lock.info')),
    ).rejects.toThrow();
  }, 120_000);
});
