import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  checkTerraformPolicy,
  PolicyViolation,
  TerraformContentPolicy,
  TerraformPolicyError,
} from '..';

/** The policy the tests check against. */
export const POLICY: TerraformContentPolicy = {
  allowedProviders: ['hashicorp/aws'],
  allowedModuleSources: ['app.terraform.io/kler/'],
  allowedBackends: ['s3'],
};

/**
 * A fresh directory for each test of the calling test file (made before each
 * test, removed after), and ways to write a configuration into it and check it.
 */
export function usePolicyWorkspace() {
  const workspace = {
    /** The directory of the current test. */
    dir: '',

    async write(files: Record<string, string>) {
      for (const [name, text] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(workspace.dir, name)), {
          recursive: true,
        });
        await fs.writeFile(path.join(workspace.dir, name), text);
      }
    },

    /** The violations of a configuration; empty when it passes. */
    async violationsOf(
      files: Record<string, string>,
      policy = POLICY,
    ): Promise<PolicyViolation[]> {
      await workspace.write(files);
      try {
        await checkTerraformPolicy(workspace.dir, policy);
        return [];
      } catch (error) {
        if (error instanceof TerraformPolicyError) return error.violations;
        throw error;
      }
    },

    /** The blocks refused in `main.tf` alone. */
    async refusedBlocks(mainTf: string, policy = POLICY) {
      return (await workspace.violationsOf({ 'main.tf': mainTf }, policy)).map(
        violation => violation.block,
      );
    },
  };

  beforeEach(async () => {
    workspace.dir = await fs.mkdtemp(
      path.join(os.tmpdir(), 'kler-policy-test-'),
    );
  });
  afterEach(async () => {
    await fs.rm(workspace.dir, { recursive: true, force: true });
  });

  return workspace;
}
