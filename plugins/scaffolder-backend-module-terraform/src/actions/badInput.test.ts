/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectRejected"] }] */
import { InputError } from '@backstage/errors';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTerraformApplyAction } from './apply';
import { createTerraformCheckAction } from './check';
import { createTerraformOutputAction } from './output';
import { createTerraformPlanAction } from './plan';
import {
  createFixtureWorkspace,
  createTestContext,
  terraformTestOptions,
  testTarget,
} from '../__testUtils__/fixtures';

const PLAN_ID = '0b8e7a52-7c1e-4b2a-9a51-3f2d1c0e9b7a';
const PLAN_FILE = `.kler-terraform/${PLAN_ID}/plan.tfplan`;

/**
 * Every case here must fail with an InputError naming the field before
 * Terraform runs: the configured binary is a script that records each call.
 */
describe('bad input to the Terraform actions', () => {
  let workspacePath: string;
  let recordFile: string;
  let binaryDir: string;
  let actions: {
    check: ReturnType<typeof createTerraformCheckAction>;
    plan: ReturnType<typeof createTerraformPlanAction>;
    apply: ReturnType<typeof createTerraformApplyAction>;
    output: ReturnType<typeof createTerraformOutputAction>;
  };

  beforeAll(async () => {
    binaryDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-fake-tf-'));
    recordFile = path.join(binaryDir, 'calls.log');
    const binary = path.join(binaryDir, 'terraform');
    await fs.writeFile(
      binary,
      `#!/bin/sh\necho "$@" >> '${recordFile}'\nexit 0\n`,
      { mode: 0o755 },
    );
    const options = terraformTestOptions({
      terraform: { binary },
      permissions: {
        authorize: jest.fn(),
        authorizeConditional: jest.fn(),
      },
    });
    actions = {
      check: createTerraformCheckAction(options),
      plan: createTerraformPlanAction(options),
      apply: createTerraformApplyAction(options),
      output: createTerraformOutputAction(options),
    };
  });
  afterAll(async () => {
    await fs.rm(binaryDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    workspacePath = await createFixtureWorkspace();
    await fs.rm(recordFile, { force: true });
    const planDirectory = path.join(workspacePath, '.kler-terraform', PLAN_ID);
    await fs.mkdir(planDirectory, { recursive: true });
    await fs.writeFile(path.join(planDirectory, 'plan.tfplan'), 'plan');
    await fs.writeFile(
      path.join(planDirectory, 'plan.json'),
      JSON.stringify({
        target: {
          accountId: '111111111111',
          region: 'eu-west-1',
          tier: 'development',
        },
        workingDirectory: 'terraform',
      }),
    );
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  async function expectRejected(
    action: keyof typeof actions,
    input: Record<string, unknown>,
    message: RegExp,
  ) {
    const { ctx } = createTestContext({ workspacePath, input });
    const result = actions[action].handler(ctx as any);
    await expect(result).rejects.toThrow(InputError);
    await expect(
      actions[action].handler(
        createTestContext({ workspacePath, input }).ctx as any,
      ),
    ).rejects.toThrow(message);
    await expect(fs.stat(recordFile)).rejects.toThrow();
  }

  const validApply = {
    planFile: PLAN_FILE,
    // sha256 of "plan"
    planSha256:
      'e2b5e4e9a3e3dd3cce7a8d0f3e7e0a4a1f5b1b0b9b4b6f5e6a8c2c1e3a2d4f6a',
    allowDestroy: false,
  };

  it.each([
    ['a parent path', '../'],
    ['a nested parent path', 'terraform/../../'],
    ['an absolute path', '/etc'],
    ['a missing directory', 'nowhere'],
  ])('rejects a working directory that is %s', async (_case, dir) => {
    for (const action of ['check', 'plan'] as const) {
      await expectRejected(
        action,
        { workingDirectory: dir, ...testTarget() },
        /workingDirectory/,
      );
    }
  });

  it('rejects a symlink that leaves the workspace', async () => {
    await fs.symlink(os.tmpdir(), path.join(workspacePath, 'escape'));
    await expectRejected(
      'plan',
      { workingDirectory: 'escape' },
      /workingDirectory 'escape' (is outside|leaves)/,
    );
    await expectRejected(
      'check',
      { workingDirectory: 'escape' },
      /workingDirectory/,
    );
  });

  it.each([
    ['a name that is not an identifier', { 'bad name': 1 }, /vars: 'bad name'/],
    ['a name starting with a digit', { '1st': 1 }, /vars: '1st'/],
    ['a flag as a name', { '-var': 'x' }, /vars: '-var'/],
    [
      'a value over 64 KiB',
      { big: 'x'.repeat(64 * 1024 + 1) },
      /vars\.big is \d+ bytes/,
    ],
    [
      'more than 200 variables',
      Object.fromEntries(
        Array.from({ length: 201 }, (_, index) => [`v${index}`, index]),
      ),
      /vars has 201 entries/,
    ],
  ])('rejects vars with %s', async (_case, vars, message) => {
    await expectRejected(
      'plan',
      { workingDirectory: 'terraform', vars },
      message,
    );
  });

  it('rejects sensitiveVars that are not variable names', async () => {
    await expectRejected(
      'plan',
      { workingDirectory: 'terraform', sensitiveVars: ['ok', 'not ok'] },
      /sensitiveVars/,
    );
  });

  it.each([
    [
      'a newline in a value',
      { bucket: 'a\n-upgrade' },
      /backendConfig\.bucket must not contain newlines/,
    ],
    [
      'a value starting with -',
      { bucket: '-reconfigure' },
      /backendConfig\.bucket must not start with '-'/,
    ],
    ['a bad key', { 'key=x': 'y' }, /backendConfig: 'key=x'/],
    [
      'an oversized value',
      { bucket: 'b'.repeat(64 * 1024 + 1) },
      /backendConfig\.bucket is longer/,
    ],
  ])('rejects backendConfig with %s', async (_case, backendConfig, message) => {
    await expectRejected(
      'plan',
      { workingDirectory: 'terraform', backendConfig },
      message,
    );
  });

  it('rejects bad AWS targets and timeouts', async () => {
    await expectRejected(
      'plan',
      {
        workingDirectory: 'terraform',
        awsAccountId: '12345',
        awsRegion: 'eu-west-1',
      },
      /awsAccountId/,
    );
    await expectRejected(
      'plan',
      {
        workingDirectory: 'terraform',
        awsAccountId: '111111111111',
        awsRegion: '--region=x',
      },
      /awsRegion/,
    );
    await expectRejected(
      'plan',
      { workingDirectory: 'terraform', environment: 'not a ref' },
      /environment 'not a ref' is not an entity ref/,
    );
    await expectRejected(
      'plan',
      { workingDirectory: 'terraform' },
      /Name the target: an environment/,
    );
    await expectRejected(
      'check',
      { workingDirectory: 'terraform', timeoutMinutes: -1 },
      /timeoutMinutes/,
    );
  });

  it('rejects an apply whose plan file is not the plan of this task', async () => {
    await expectRejected(
      'apply',
      { ...validApply, allowDestroy: undefined },
      /allowDestroy must be set explicitly/,
    );
    await expectRejected('apply', validApply, /does not match planSha256/);
    await expectRejected(
      'apply',
      { ...validApply, planSha256: 'abc' },
      /planSha256 must be a sha256/,
    );
    await expectRejected(
      'apply',
      { ...validApply, planFile: '../etc/passwd' },
      /planFile '..\/etc\/passwd' is outside/,
    );
    await expectRejected(
      'apply',
      { ...validApply, planFile: '/etc/passwd' },
      /planFile/,
    );
    await fs.writeFile(path.join(workspacePath, 'terraform', 'x.tfplan'), 'x');
    await expectRejected(
      'apply',
      { ...validApply, planFile: 'terraform/x.tfplan' },
      /was not saved by kler:terraform:plan/,
    );
    await fs.writeFile(
      path.join(workspacePath, '.kler-terraform', 'plan.tfplan'),
      'x',
    );
    await expectRejected(
      'apply',
      { ...validApply, planFile: '.kler-terraform/plan.tfplan' },
      /was not saved by kler:terraform:plan/,
    );
    await expectRejected(
      'apply',
      { ...validApply, planFile: undefined },
      /planFile is required/,
    );
  });

  it('rejects a plan file symlinked from outside the workspace', async () => {
    const outside = path.join(binaryDir, 'outside.tfplan');
    await fs.writeFile(outside, 'plan');
    await fs.rm(path.join(workspacePath, PLAN_FILE));
    await fs.symlink(outside, path.join(workspacePath, PLAN_FILE));
    await expectRejected(
      'apply',
      validApply,
      /planFile '.+' (is outside|leaves) the task's workspace/,
    );
  });

  it('runs the recording binary when the input is fine (the check above can fail)', async () => {
    const { ctx } = createTestContext({
      workspacePath,
      input: { workingDirectory: 'terraform' },
    });
    await actions.check.handler(ctx as any);
    expect(await fs.readFile(recordFile, 'utf8')).toContain(
      'fmt -check -recursive -diff -no-color',
    );
  });
});
