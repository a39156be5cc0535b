import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createTestContext,
  environmentEntity,
  TEST_ACCOUNTS,
  terraformTestOptions,
} from '../__testUtils__/fixtures';
import { createWritePipelineConfigAction } from './writePipelineConfig';

describe('kler:environment:writePipelineConfig', () => {
  let workspacePath: string;
  beforeEach(async () => {
    workspacePath = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-pipeline-'));
    await fs.mkdir(path.join(workspacePath, 'environment'));
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  const action = createWritePipelineConfigAction(
    terraformTestOptions({
      permissions: mockServices.permissions(),
      catalog: catalogServiceMock({
        entities: [environmentEntity('production', { tier: 'production' })],
      }),
      terraform: {
        backendConfig: {
          bucket: 'kler-terraform-state',
          region: 'eu-west-1',
          access_key: 'AKIAKLERPORTAL000001',
        },
      },
    }),
  );

  async function write(input: Record<string, unknown>, isDryRun = false) {
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: { workingDirectory: 'environment', ...input },
      isDryRun,
    });
    await action.handler(ctx as any);
    return outputs;
  }

  const readWritten = async () =>
    JSON.parse(
      await fs.readFile(
        path.join(workspacePath, 'environment', 'pipeline.json'),
        'utf8',
      ),
    );

  it("writes a new environment's pipeline.json with the tier of the config, in dry runs too", async () => {
    const outputs = await write(
      {
        environmentName: 'staging',
        awsAccountId: TEST_ACCOUNTS.development,
        awsRegion: 'eu-west-1',
      },
      true,
    );
    expect(outputs).toEqual({
      file: 'environment/pipeline.json',
      roleArn: `arn:aws:iam::${TEST_ACCOUNTS.development}:role/kler-environments-pipeline`,
    });
    expect(await readWritten()).toEqual({
      environment: 'staging',
      accountId: TEST_ACCOUNTS.development,
      region: 'eu-west-1',
      tier: 'development',
      roleArn: `arn:aws:iam::${TEST_ACCOUNTS.development}:role/kler-environments-pipeline`,
      backendConfig: {
        bucket: 'kler-terraform-state',
        region: 'eu-west-1',
        key: 'environments/staging/terraform.tfstate',
      },
      allowDestroy: false,
    });
  });

  it("takes a catalog environment's account, region and tier", async () => {
    await write({
      environmentName: 'production',
      environment: 'resource:default/production',
    });
    expect(await readWritten()).toMatchObject({
      accountId: TEST_ACCOUNTS.production,
      tier: 'production',
    });
  });

  it('refuses a bad name, an account the config does not list and a directory outside the workspace', async () => {
    await expect(
      write({
        environmentName: '../prod',
        awsAccountId: TEST_ACCOUNTS.development,
        awsRegion: 'eu-west-1',
      }),
    ).rejects.toThrow("environmentName '../prod' is not an environment name");
    await expect(
      write({
        environmentName: 'staging',
        awsAccountId: '333333333333',
        awsRegion: 'eu-west-1',
      }),
    ).rejects.toThrow('is not one of kler.terraform.accounts');
    await expect(
      write({
        environmentName: 'staging',
        awsAccountId: TEST_ACCOUNTS.development,
        awsRegion: 'eu-west-1',
        workingDirectory: '../elsewhere',
      }),
    ).rejects.toThrow('workingDirectory');
    await expect(readWritten()).rejects.toThrow('ENOENT');
  });
});
