import fs from 'node:fs/promises';
import path from 'node:path';
import { createTerraformPlanAction } from './plan';
import {
  createFixtureWorkspace,
  createTestContext,
  terraformTestOptions,
  testTarget,
} from '../__testUtils__/fixtures';
import { sha256OfFile } from '../terraform/files';
import { TASK_TFVARS_FILE } from '../terraform/session';

jest.setTimeout(120_000);

describe('kler:terraform:plan', () => {
  const action = createTerraformPlanAction(terraformTestOptions());
  let workspacePath: string;

  beforeEach(async () => {
    workspacePath = await createFixtureWorkspace();
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  it('plans into a saved plan file and summarizes it', async () => {
    const { ctx, outputs, lines } = createTestContext({
      workspacePath,
      input: {
        workingDirectory: 'terraform',
        ...testTarget(),
        vars: { name: 'dev' },
      },
    });
    await action.handler(ctx);

    expect(outputs.skipped).toBe(false);
    expect(outputs.hasChanges).toBe(true);
    expect(outputs.summary).toEqual({
      add: 2,
      change: 0,
      destroy: 0,
      replace: 0,
      destroys: false,
      outputChanges: 4,
      byType: {
        terraform_data: { add: 2, change: 0, destroy: 0, replace: 0 },
      },
    });
    expect(outputs.planFile).toMatch(
      /^\.kler-terraform\/[0-9a-f-]{36}\/plan\.tfplan$/,
    );
    const planPath = path.join(workspacePath, outputs.planFile);
    expect(outputs.planSha256).toBe(await sha256OfFile(planPath));
    // Terraform's own output was streamed to the log as it ran.
    expect(lines).toContainEqual(
      expect.stringContaining('Terraform has been successfully initialized'),
    );
    expect(lines).toContainEqual(
      expect.stringContaining('terraform_data.environment will be created'),
    );
    // The variables file is gone, so it is never published.
    await expect(
      fs.stat(path.join(workspacePath, 'terraform', TASK_TFVARS_FILE)),
    ).rejects.toThrow();
  });

  it('masks sensitive variables and task secrets in every logged line', async () => {
    const { ctx, lines } = createTestContext({
      workspacePath,
      input: {
        workingDirectory: 'terraform',
        ...testTarget(),
        vars: { api_token: 'tok-VERY-secret-123', name: 'masked-env' },
        sensitiveVars: ['api_token'],
      },
      secrets: { backstageToken: 'masked-env' },
    });
    await action.handler(ctx);
    const log = lines.join('\n');
    expect(log).not.toContain('tok-VERY-secret-123');
    expect(log).not.toContain('masked-env');
    expect(log).toContain('***');
  });

  it('reports honestly when providers are unreachable, and fails without allowUnavailableProviders', async () => {
    await fs.writeFile(
      path.join(workspacePath, 'terraform', 'aws.tf'),
      'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n',
    );
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: {
        workingDirectory: 'terraform',
        ...testTarget(),
        allowUnavailableProviders: true,
      },
    });
    await action.handler(ctx);
    expect(outputs.skipped).toBe(true);
    expect(outputs.skipReason).toMatch(/providers or backend unavailable/);
    expect(outputs.planFile).toBe('');
    expect(outputs.hasChanges).toBe(false);

    const strict = createTestContext({
      workspacePath,
      input: { workingDirectory: 'terraform', ...testTarget() },
    });
    await expect(action.handler(strict.ctx)).rejects.toThrow(
      /terraform init failed/,
    );
  });

  it('runs Terraform with its own CLI configuration, home and data directory, and no host credentials', async () => {
    const binaryDir = await fs.mkdtemp(path.join(workspacePath, 'bin-'));
    const binary = path.join(binaryDir, 'terraform');
    await fs.writeFile(
      binary,
      [
        '#!/bin/sh',
        `env > "${binaryDir}/env-$1.log"`,
        `cat "$TF_CLI_CONFIG_FILE" > "${binaryDir}/cli-$1.tfrc"`,
        'if [ "$1" = show ]; then echo "{}"; exit 0; fi',
        'for arg in "$@"; do case "$arg" in -out=*) echo plan > "${arg#-out=}";; esac; done',
      ].join('\n'),
      { mode: 0o755 },
    );
    const previous = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIABACKENDOWNKEY001',
      AWS_SECRET_ACCESS_KEY: 'backend-own-secret',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/backend',
      POSTGRES_PASSWORD: 'backend-db-password',
      BACKEND_SECRET: 'backend-service-secret',
    });
    try {
      const { ctx } = createTestContext({
        workspacePath,
        input: { workingDirectory: 'terraform', ...testTarget() },
      });
      await createTerraformPlanAction(
        terraformTestOptions({ terraform: { binary } }),
      ).handler(ctx);
    } finally {
      process.env = previous;
    }
    const env = await fs.readFile(path.join(binaryDir, 'env-plan.log'), 'utf8');
    for (const leaked of [
      'AKIABACKENDOWNKEY001',
      'backend-own-secret',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'backend-db-password',
      'backend-service-secret',
    ]) {
      expect(env).not.toContain(leaked);
    }
    const vars = Object.fromEntries(
      env
        .trim()
        .split('\n')
        .map(line => [
          line.slice(0, line.indexOf('=')),
          line.slice(line.indexOf('=') + 1),
        ]),
    );
    expect(vars.HOME).not.toBe(process.env.HOME);
    expect(vars.TF_DATA_DIR).toContain(
      path.join(workspacePath, '.kler-terraform'),
    );
    expect(vars.AWS_EC2_METADATA_DISABLED).toBe('true');
    expect(vars.AWS_SHARED_CREDENTIALS_FILE).toBe('/dev/null');
    // The home directory of the run is removed with it.
    await expect(fs.stat(vars.HOME)).rejects.toThrow();
    const cliConfig = await fs.readFile(
      path.join(binaryDir, 'cli-init.tfrc'),
      'utf8',
    );
    expect(cliConfig).toContain('provider_installation {');
    expect(cliConfig).toContain(
      'include = ["registry.terraform.io/hashicorp/aws"]',
    );
  });
});
