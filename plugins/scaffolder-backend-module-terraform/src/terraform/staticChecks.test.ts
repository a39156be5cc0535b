import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkTerraformStatically } from './staticChecks';

const POLICY = {
  allowedProviders: ['hashicorp/aws'],
  allowedModuleSources: [],
  allowedBackends: ['s3'],
};

describe('checkTerraformStatically', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-static-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reports the schema and review problems of a configuration the policy accepts', async () => {
    await fs.writeFile(
      path.join(dir, 'main.tf'),
      'resource "aws_sns_topic" "alarms" {\n  nmae = "alarms"\n}\n',
    );
    expect(await checkTerraformStatically(dir, POLICY)).toEqual([
      {
        source: 'schema',
        severity: 'error',
        file: 'main.tf',
        line: 2,
        message: expect.stringContaining(
          '"nmae" is not an argument or block of aws_sns_topic',
        ),
      },
      expect.objectContaining({
        source: 'review',
        severity: 'warning',
        rule: 'sns-topic-unencrypted',
        file: 'main.tf',
        line: 1,
        fix: expect.any(String),
      }),
    ]);
  });

  it('stops at the content policy: refused blocks are the only problems', async () => {
    await fs.writeFile(
      path.join(dir, 'main.tf'),
      'data "http" "x" {\n  url = "https://example.com"\n}\n\nresource "aws_sns_topic" "alarms" {\n  nmae = "alarms"\n}\n',
    );
    expect(await checkTerraformStatically(dir, POLICY)).toEqual([
      {
        source: 'policy',
        severity: 'error',
        file: 'main.tf',
        line: 1,
        message: expect.stringContaining('data "http" "x"'),
      },
    ]);
  });

  it('has nothing to say about a clean configuration', async () => {
    await fs.writeFile(
      path.join(dir, 'main.tf'),
      'resource "terraform_data" "x" {\n  input = "hello"\n}\n',
    );
    expect(
      await checkTerraformStatically(dir, {
        ...POLICY,
        allowedProviders: ['hashicorp/aws', 'terraform.io/builtin/terraform'],
      }),
    ).toEqual([]);
  });
});
