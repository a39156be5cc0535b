import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTerraformPlanAction } from './plan';
import {
  createFixtureWorkspace,
  createTestContext,
  terraformTestConfig,
} from '../__testUtils__/fixtures';

const ACCESS_KEY_ID = 'AKIAKLERCREDTEST0001';
const SECRET_ACCESS_KEY = 'kLeR/SecretAccessKey/ForTheTestOnly123456';

describe('AWS credentials reach Terraform only through its environment', () => {
  let binaryDir: string;
  let workspacePath: string;

  beforeEach(async () => {
    binaryDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-env-tf-'));
    workspacePath = await createFixtureWorkspace();
  });
  afterEach(async () => {
    await fs.rm(binaryDir, { recursive: true, force: true });
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  it('passes the account credentials as env vars, masked in the log, never as arguments', async () => {
    const binary = path.join(binaryDir, 'terraform');
    // Prints what Terraform would see; `show` answers with an empty plan.
    await fs.writeFile(
      binary,
      [
        '#!/bin/sh',
        `echo "$@" >> '${binaryDir}/args.log'`,
        `env > "${binaryDir}/env-$1.log"`,
        'if [ "$1" = show ]; then echo "{}"; exit 0; fi',
        'for arg in "$@"; do case "$arg" in -out=*) echo plan > "${arg#-out=}";; esac; done',
        'echo "using key $AWS_ACCESS_KEY_ID secret $AWS_SECRET_ACCESS_KEY in $AWS_REGION"',
      ].join('\n'),
      { mode: 0o755 },
    );
    const plan = createTerraformPlanAction({
      config: terraformTestConfig({ binary }),
      awsCredentialsManager: DefaultAwsCredentialsManager.fromConfig(
        new ConfigReader({
          aws: {
            accounts: [
              {
                accountId: '111111111111',
                accessKeyId: ACCESS_KEY_ID,
                secretAccessKey: SECRET_ACCESS_KEY,
              },
            ],
          },
        }),
      ),
    });
    const { ctx, outputs, lines } = createTestContext({
      workspacePath,
      input: {
        workingDirectory: 'terraform',
        awsAccountId: '111111111111',
        awsRegion: 'eu-west-1',
      },
    });
    await plan.handler(ctx);

    const env = await fs.readFile(path.join(binaryDir, 'env-plan.log'), 'utf8');
    expect(env).toContain(`AWS_ACCESS_KEY_ID=${ACCESS_KEY_ID}`);
    expect(env).toContain(`AWS_SECRET_ACCESS_KEY=${SECRET_ACCESS_KEY}`);
    expect(env).toContain('AWS_REGION=eu-west-1');
    expect(env).toContain('TF_IN_AUTOMATION=1');
    const args = await fs.readFile(path.join(binaryDir, 'args.log'), 'utf8');
    expect(args).not.toContain(ACCESS_KEY_ID);
    expect(args).not.toContain(SECRET_ACCESS_KEY);
    expect(args).toContain('-input=false');

    const log = lines.join('\n');
    expect(log).toContain('using key *** secret *** in eu-west-1');
    expect(log).not.toContain(ACCESS_KEY_ID);
    expect(log).not.toContain(SECRET_ACCESS_KEY);
    expect(JSON.stringify(outputs)).not.toContain(ACCESS_KEY_ID);
    expect(JSON.stringify(outputs)).not.toContain(SECRET_ACCESS_KEY);
    expect(outputs.hasChanges).toBe(false);
  });
});
