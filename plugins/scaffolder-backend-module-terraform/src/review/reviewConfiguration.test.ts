import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TEST_ACCOUNTS } from '../__testUtils__/fixtures';
import { ENVIRONMENT_TERRAFORM_DIR } from '../__testUtils__/templates';
import {
  readTerraformConfiguration,
  reviewConfiguration,
  reviewRules,
} from './reviewConfiguration';

jest.setTimeout(60_000);

async function writeFiles(directory: string, files: Record<string, string>) {
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(directory, file)), {
      recursive: true,
    });
    await fs.writeFile(path.join(directory, file), text);
  }
}

describe('readTerraformConfiguration', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-review-'));
  });
  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('reads every .tf file, the modules’ too, with paths relative to the directory', async () => {
    await writeFiles(directory, {
      'main.tf': 'module "efs" {\n  source = "./modules/efs"\n}\n',
      'modules/efs/main.tf':
        'resource "aws_efs_file_system" "this" {\n  encrypted = true\n}\n',
      'README.md': '# not Terraform',
    });
    const configuration = await readTerraformConfiguration(directory);
    expect(configuration.moduleCalls).toEqual([
      expect.objectContaining({ target: 'modules/efs', file: 'main.tf' }),
    ]);
    expect(configuration.resources.get('aws_efs_file_system')).toEqual([
      expect.objectContaining({ file: 'modules/efs/main.tf', line: 1 }),
    ]);
    expect(configuration.variableValues).toBeUndefined();
  });

  it('reads the values files in Terraform’s order, later ones winning', async () => {
    await writeFiles(directory, {
      'main.tf': '',
      'terraform.tfvars.json': JSON.stringify({ tier: 'development', a: 1 }),
      'b.auto.tfvars.json': JSON.stringify({ tier: 'production' }),
      'a.auto.tfvars.json': JSON.stringify({ tier: 'staging', b: 2 }),
      'broken.auto.tfvars.json': '{',
      'list.auto.tfvars.json': '[1]',
      'other.tfvars.json': JSON.stringify({ ignored: true }),
    });
    const { variableValues } = await readTerraformConfiguration(directory);
    expect(variableValues?.values).toEqual({
      tier: 'production',
      a: 1,
      b: 2,
    });
    expect(variableValues?.files.map(file => file.file)).toEqual([
      'terraform.tfvars.json',
      'a.auto.tfvars.json',
      'b.auto.tfvars.json',
    ]);
  });

  it('reads only regular values files', async () => {
    await writeFiles(directory, { 'main.tf': '' });
    await fs.mkdir(path.join(directory, 'folder.auto.tfvars.json'));
    expect(
      (await readTerraformConfiguration(directory)).variableValues,
    ).toBeUndefined();
  });

  it('refuses symlinks as the content policy does', async () => {
    await writeFiles(directory, {
      'main.tf': '',
      'elsewhere.json': JSON.stringify({ tier: 'production' }),
    });
    await fs.symlink(
      path.join(directory, 'elsewhere.json'),
      path.join(directory, 'terraform.tfvars.json'),
    );
    await expect(readTerraformConfiguration(directory)).rejects.toThrow(
      'terraform.tfvars.json: symlink is refused',
    );
  });

  it('reviews with every rule, naming file and line', async () => {
    await writeFiles(directory, {
      'main.tf': `
resource "aws_efs_file_system" "this" {
  encrypted = false
}
`,
      'terraform.tfvars.json': JSON.stringify({ tier: 'development' }),
    });
    expect(await reviewConfiguration(directory)).toEqual([
      expect.objectContaining({
        source: 'review',
        rule: 'backup-selection-missing-resource',
        file: 'main.tf',
        line: 2,
      }),
      expect.objectContaining({
        rule: 'efs-unencrypted',
        file: 'main.tf',
        line: 2,
      }),
    ]);
  });
});

describe('the rules', () => {
  it('have distinct ids, each in the README table', async () => {
    const ids = reviewRules.map(rule => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    const readme = await fs.readFile(
      // Tests run from source, where __dirname is this folder.
      // eslint-disable-next-line no-restricted-syntax
      path.resolve(__dirname, '../../README.md'),
      'utf8',
    );
    const table = readme.slice(readme.indexOf('## Review rules'));
    for (const id of ids) {
      expect(table).toMatch(new RegExp(`^\\| \`${id}\` +\\|`, 'm'));
    }
  });
});

/**
 * The kler-environment template's Terraform with the values file its
 * template writes (as a copy: the template itself is being changed). The
 * findings change as the template is fixed, so this asserts only that the
 * review reads it and that every problem is well formed.
 */
describe.each(['production', 'development'] as const)(
  'reviewConfiguration over kler-environment for %s',
  tier => {
    it('gives problems with a known rule, an existing file and line, a resource and a fix', async () => {
      const environment = await fs.mkdtemp(
        path.join(os.tmpdir(), 'kler-review-environment-'),
      );
      try {
        await fs.cp(ENVIRONMENT_TERRAFORM_DIR, environment, {
          recursive: true,
        });
        await fs.writeFile(
          path.join(environment, 'terraform.tfvars.json'),
          JSON.stringify(
            {
              name: `review-${tier}`,
              tier,
              owner: 'group:default/platform-team',
              aws_account_id: TEST_ACCOUNTS[tier],
              aws_region: 'eu-west-1',
              instance_type: 'm6i.large',
              capacity_min: 2,
              capacity_max: 6,
              efs: true,
              backup_schedule: 'daily',
              backup_retention_days: 35,
              default_service: 'storefront',
              services: {
                storefront: {
                  image: 'public.ecr.aws/kler/storefront:latest',
                  cpu: 512,
                  memory: 1024,
                  desired_min: 2,
                  desired_max: 6,
                },
              },
            },
            null,
            2,
          ),
        );
        const problems = await reviewConfiguration(environment);
        const ids = new Set(reviewRules.map(rule => rule.id));
        expect(problems.length).toBeGreaterThan(0);
        for (const problem of problems) {
          expect(ids.has(problem.rule)).toBe(true);
          const text = await fs.readFile(
            path.join(environment, problem.file!),
            'utf8',
          );
          expect(problem.line).toBeGreaterThanOrEqual(1);
          expect(problem.line).toBeLessThanOrEqual(text.split('\n').length);
          expect(problem.message).toContain(problem.resource);
          expect(problem.fix).not.toBe('');
        }
      } finally {
        await fs.rm(environment, { recursive: true, force: true });
      }
    });
  },
);
