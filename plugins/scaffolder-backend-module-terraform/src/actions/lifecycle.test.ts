import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { NotAllowedError } from '@backstage/errors';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createTerraformApplyAction } from './apply';
import { createTerraformOutputAction } from './output';
import { createTerraformPlanAction } from './plan';
import {
  createFixtureWorkspace,
  createTestContext,
  terraformTestOptions,
  testTarget,
  TERRAFORM_BINARY,
  TEST_ACCOUNTS,
} from '../__testUtils__/fixtures';

jest.setTimeout(180_000);

const SECRET = 'tok-lifecycle-Secret-987';

describe('Terraform actions through plan, apply and output (real CLI)', () => {
  const authorize = jest.fn();
  const permissions = { authorize, authorizeConditional: jest.fn() };
  const options = terraformTestOptions({ permissions });
  const plan = createTerraformPlanAction(options);
  const apply = createTerraformApplyAction(options);
  const output = createTerraformOutputAction(options);
  let workspacePath: string;

  beforeEach(async () => {
    workspacePath = await createFixtureWorkspace();
    authorize.mockReset();
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  async function runPlan(
    vars: Record<string, unknown> = {},
    tier: 'development' | 'production' = 'development',
  ) {
    const { ctx, outputs, lines } = createTestContext({
      workspacePath,
      input: {
        workingDirectory: 'terraform',
        ...testTarget(tier),
        vars: { api_token: SECRET, ...vars },
        sensitiveVars: ['api_token'],
      },
    });
    await plan.handler(ctx);
    return { outputs, lines };
  }

  function applyContext(
    planOutputs: Record<string, any>,
    extra: Record<string, unknown> = {},
    more: { signal?: AbortSignal; checkpoints?: Map<string, unknown> } = {},
  ) {
    return createTestContext({
      workspacePath,
      ...more,
      input: {
        planFile: planOutputs.planFile,
        planSha256: planOutputs.planSha256,
        allowDestroy: false,
        ...extra,
      },
    });
  }

  async function readOutputs(planOutputs: Record<string, any>) {
    const { ctx, outputs, lines } = createTestContext({
      workspacePath,
      input: {
        planFile: planOutputs.planFile,
        planSha256: planOutputs.planSha256,
      },
    });
    await output.handler(ctx);
    return { outputs, lines };
  }

  it('plans, applies once (checkpoint), and returns only non-sensitive outputs', async () => {
    const planned = await runPlan({ name: 'lifecycle' });
    expect(planned.outputs.hasChanges).toBe(true);

    const checkpoints = new Map<string, unknown>();
    const first = applyContext(planned.outputs, {}, { checkpoints });
    await apply.handler(first.ctx);
    expect(first.outputs).toMatchObject({ applied: true, skipped: false });
    expect(first.outputs.summary).toBe(
      '2 to add, 0 to change, 0 to destroy, 0 to replace',
    );
    expect(first.outputs).toMatchObject({
      accountId: TEST_ACCOUNTS.development,
      tier: 'development',
    });
    const applyLog = first.lines.join('\n');
    expect(applyLog).toContain('Apply complete! Resources: 2 added');
    // An output shows the token in clear; the log only ever shows it masked.
    expect(planned.lines.join('\n')).toContain('token is ***');
    expect(applyLog).not.toContain(SECRET);
    expect(planned.lines.join('\n')).not.toContain(SECRET);

    // A retried task replays the checkpoint instead of applying again.
    const retry = applyContext(planned.outputs, {}, { checkpoints });
    await apply.handler(retry.ctx);
    expect(retry.outputs.applied).toBe(true);
    expect(retry.lines.join('\n')).not.toContain('$ terraform apply');

    const read = await readOutputs(planned.outputs);
    expect(read.outputs.outputs).toEqual({
      greeting: 'Hello, lifecycle!',
      environment_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      token_shown: 'token is ***',
    });
    expect(JSON.stringify(read.outputs)).not.toContain(SECRET);
    expect(read.outputs.redacted).toEqual(['api_token_hash']);
    expect(JSON.stringify(read.outputs)).not.toMatch(/[0-9a-f]{64}/);
    expect(read.lines.join('\n')).not.toMatch(/[0-9a-f]{64}/);
  });

  it('fails a failing apply and leaves state that a rerun can use', async () => {
    const planned = await runPlan({ fail_apply: true });
    const failing = applyContext(planned.outputs);
    await expect(apply.handler(failing.ctx)).rejects.toThrow(
      /terraform apply failed/,
    );
    expect(failing.lines.join('\n')).toContain('provisioning failed');

    const replanned = await runPlan({ fail_apply: false });
    // What succeeded before the failure is in state; the failed (tainted)
    // resource is what is left to remove.
    expect(replanned.outputs.summary).toMatchObject({ add: 0, destroy: 1 });
    expect(replanned.outputs.summary.byType.terraform_data.destroy).toBe(1);
    const fixed = applyContext(replanned.outputs, { allowDestroy: true });
    await apply.handler(fixed.ctx);
    expect(fixed.outputs.applied).toBe(true);
  });

  it('interrupts an apply when the task is cancelled, with every process Terraform started', async () => {
    // A stand-in for terraform whose apply starts a child that would outlive
    // it; every other command is the real Terraform. The child is started and
    // its pid written before "Creating..." is printed: the test cancels on that
    // line, and a SIGINT landing between the line and the pid file would leave
    // no pid to check.
    const binaryDir = await fs.mkdtemp(path.join(workspacePath, 'bin-'));
    const binary = path.join(binaryDir, 'terraform');
    const childPidFile = path.join(binaryDir, 'child.pid');
    await fs.writeFile(
      binary,
      [
        '#!/bin/sh',
        `if [ "$1" != apply ]; then exec '${TERRAFORM_BINARY}' "$@"; fi`,
        'sleep 60 &',
        `echo $! > '${childPidFile}'`,
        'echo "terraform_data.slow: Creating..."',
        'wait',
      ].join('\n'),
      { mode: 0o755 },
    );
    const standIn = terraformTestOptions({ terraform: { binary } });
    const planned = await (async () => {
      const { ctx, outputs } = createTestContext({
        workspacePath,
        input: { workingDirectory: 'terraform', ...testTarget() },
      });
      await createTerraformPlanAction(standIn).handler(ctx);
      return outputs;
    })();
    const controller = new AbortController();
    const running = applyContext(planned, {}, { signal: controller.signal });
    const started = Date.now();
    const applying = createTerraformApplyAction(standIn).handler(running.ctx);
    while (!running.lines.some(line => line.includes('Creating...'))) {
      if (Date.now() - started > 60_000) throw new Error('apply never started');
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    controller.abort();
    await expect(applying).rejects.toThrow(/cancelled/);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(running.lines.join('\n')).toContain(
      'interrupting terraform (SIGINT)',
    );
    // The whole process group was signalled: the child (which, started in the
    // background by sh, ignores SIGINT) is gone too, or a zombie where
    // nothing reaps orphans.
    const childPid = Number(await fs.readFile(childPidFile, 'utf8'));
    const state = await fs.readFile(`/proc/${childPid}/stat`, 'utf8').then(
      stat => stat.split(' ')[2],
      () => 'gone',
    );
    expect(['gone', 'Z']).toContain(state);
  });

  it('refuses a plan that destroys unless allowDestroy is true', async () => {
    await apply.handler(applyContext((await runPlan()).outputs).ctx);

    const replacing = await runPlan({ generation: 2 });
    expect(replacing.outputs.summary).toMatchObject({
      replace: 1,
      destroys: true,
    });
    const refused = applyContext(replacing.outputs);
    await expect(apply.handler(refused.ctx)).rejects.toThrow(NotAllowedError);
    await expect(apply.handler(refused.ctx)).rejects.toThrow(
      /allowDestroy is false/,
    );
    expect(refused.lines.join('\n')).not.toContain('$ terraform apply');

    const allowed = applyContext(replacing.outputs, { allowDestroy: true });
    await apply.handler(allowed.ctx);
    expect(allowed.outputs.applied).toBe(true);
  });

  it('stops a production plan and apply for a user without the permission, before Terraform runs', async () => {
    authorize.mockResolvedValue([{ result: AuthorizeResult.DENY }]);
    const deniedPlan = createTestContext({
      workspacePath,
      input: { workingDirectory: 'terraform', ...testTarget('production') },
    });
    await expect(plan.handler(deniedPlan.ctx)).rejects.toThrow(
      /may not provision production: Terraform plan in production account 222222222222 needs the permission environments\.provision\.production; nothing was run/,
    );
    expect(authorize).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({
            name: 'environments.provision.production',
          }),
        },
      ],
      { credentials: await deniedPlan.ctx.getInitiatorCredentials() },
    );
    expect(deniedPlan.lines.join('\n')).not.toContain('$ terraform');

    authorize.mockResolvedValue([{ result: AuthorizeResult.ALLOW }]);
    const planned = await runPlan({}, 'production');
    expect(planned.outputs.tier).toBe('production');

    // The permission is withdrawn between plan and apply: apply asks again.
    authorize.mockResolvedValue([{ result: AuthorizeResult.DENY }]);
    const denied = applyContext(planned.outputs);
    await expect(apply.handler(denied.ctx)).rejects.toThrow(NotAllowedError);
    expect(denied.lines.join('\n')).not.toContain('$ terraform');
    expect(denied.outputs.applied).toBeUndefined();

    authorize.mockResolvedValue([{ result: AuthorizeResult.ALLOW }]);
    const allowed = applyContext(planned.outputs);
    await apply.handler(allowed.ctx);
    expect(allowed.outputs).toMatchObject({
      applied: true,
      tier: 'production',
    });
  });

  it('does not check the permission for development', async () => {
    const planned = await runPlan();
    const development = applyContext(planned.outputs);
    await apply.handler(development.ctx);
    expect(authorize).not.toHaveBeenCalled();
    expect(development.outputs.applied).toBe(true);
  });

  it('plans nothing in a dry run, so no saved plan (it holds the secrets) is left', async () => {
    const { ctx, outputs, lines } = createTestContext({
      workspacePath,
      isDryRun: true,
      input: {
        workingDirectory: 'terraform',
        ...testTarget(),
        vars: { api_token: SECRET },
        sensitiveVars: ['api_token'],
      },
    });
    await plan.handler(ctx);
    expect(outputs).toMatchObject({
      skipped: true,
      hasChanges: false,
      planFile: '',
      planSha256: '',
      accountId: TEST_ACCOUNTS.development,
    });
    expect(outputs.skipReason).toMatch(/^dry run: nothing is planned/);
    expect(lines.join('\n')).not.toContain('$ terraform');
    const leftovers: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          await walk(full);
        } else if (
          // A plan file is a zip: its contents are compressed, so look for the
          // file itself as well as for the secret in plain text.
          entry.name.endsWith('.tfplan') ||
          (await fs.readFile(full)).includes(SECRET)
        ) {
          leftovers.push(path.relative(workspacePath, full));
        }
      }
    };
    await walk(workspacePath);
    expect(leftovers).toEqual([]);
  });

  it('skips apply and output in dry-run, and when the plan was skipped', async () => {
    const planned = await runPlan();
    const dry = createTestContext({
      workspacePath,
      isDryRun: true,
      input: {
        planFile: planned.outputs.planFile,
        planSha256: planned.outputs.planSha256,
        allowDestroy: false,
      },
    });
    await apply.handler(dry.ctx);
    expect(dry.outputs).toEqual({
      applied: false,
      skipped: true,
      skipReason: 'dry run: nothing is applied in a dry run',
    });
    expect(dry.lines.join('\n')).not.toContain('$ terraform');
    await expect(
      fs.stat(path.join(workspacePath, 'terraform', 'terraform.tfstate')),
    ).rejects.toThrow();

    const dryOutput = createTestContext({
      workspacePath,
      isDryRun: true,
      input: {
        planFile: planned.outputs.planFile,
        planSha256: planned.outputs.planSha256,
      },
    });
    await output.handler(dryOutput.ctx);
    expect(dryOutput.outputs).toMatchObject({ skipped: true, outputs: {} });

    const unplanned = createTestContext({
      workspacePath,
      input: {
        allowDestroy: false,
        skipReason: 'providers or backend unavailable: no registry',
      },
    });
    await apply.handler(unplanned.ctx);
    expect(unplanned.outputs).toEqual({
      applied: false,
      skipped: true,
      skipReason:
        'the plan was not made (providers or backend unavailable: no registry)',
    });
  });
});
