import fs from 'node:fs/promises';
import path from 'node:path';
import { createTerraformPlanAction } from './plan';
import {
  createFixtureWorkspace,
  createTestContext,
  terraformTestConfig,
} from '../__testUtils__/fixtures';
import { sha256OfFile } from '../terraform/files';
import { TASK_TFVARS_FILE } from '../terraform/session';

jest.setTimeout(120_000);

describe('kler:terraform:plan', () => {
  const action = createTerraformPlanAction({ config: terraformTestConfig() });
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
      input: { workingDirectory: 'terraform', vars: { name: 'dev' } },
    });
    await action.handler(ctx);

    expect(outputs.skipped).toBe(false);
    expect(outputs.hasChanges).toBe(true);
    expect(outputs.summary).toEqual({
      add: 3,
      change: 0,
      destroy: 0,
      replace: 0,
      destroys: false,
      outputChanges: 3,
      byType: {
        terraform_data: { add: 3, change: 0, destroy: 0, replace: 0 },
      },
    });
    expect(outputs.planFile).toMatch(/^\.kler-terraform\/.+\.tfplan$/);
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

  it('runs in dry-run and reports honestly when providers are unreachable', async () => {
    expect(action.supportsDryRun).toBe(true);
    await fs.writeFile(
      path.join(workspacePath, 'terraform', 'aws.tf'),
      'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n',
    );
    const { ctx, outputs } = createTestContext({
      workspacePath,
      isDryRun: true,
      input: { workingDirectory: 'terraform', allowUnavailableProviders: true },
    });
    await action.handler(ctx);
    expect(outputs.skipped).toBe(true);
    expect(outputs.skipReason).toMatch(/providers or backend unavailable/);
    expect(outputs.planFile).toBe('');
    expect(outputs.hasChanges).toBe(false);

    const strict = createTestContext({
      workspacePath,
      input: { workingDirectory: 'terraform' },
    });
    await expect(action.handler(strict.ctx)).rejects.toThrow(
      /terraform init failed/,
    );
  });
});
