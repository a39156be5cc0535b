import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { RunningSandbox, startSandbox } from '@kler/aws-sandbox';
import { EnvironmentRunReport } from '@kler/plugin-environments-common';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createTestContext,
  TEST_ACCOUNTS,
  terraformTestOptions,
} from '../__testUtils__/fixtures';
import { createProvisionSandboxAction } from './provisionSandbox';

/** terraform.tfvars.json as kler-environment writes it (what the action reads of it). */
const tfvars = (overrides: Record<string, unknown> = {}) => ({
  name: 'staging',
  tier: 'development',
  owner: 'group:default/platform-team',
  aws_account_id: TEST_ACCOUNTS.development,
  aws_region: 'eu-west-1',
  domain_name: 'staging.kler.example',
  instance_type: 't3.large',
  capacity_min: 2,
  capacity_max: 4,
  efs: true,
  backup_schedule: 'daily',
  backup_retention_days: 7,
  database: { enabled: false },
  alarm_emails: ['oncall@kler.example'],
  default_service: 'storefront',
  services: {
    storefront: {
      image_tag: '2.3.1',
      cpu: 512,
      memory: 1024,
      desired_min: 2,
      desired_max: 6,
    },
    'shop-api': { cpu: 1024, memory: 2048, desired_min: 2, desired_max: 4 },
  },
  ...overrides,
});

describe('kler:environment:provisionSandbox', () => {
  let sandbox: RunningSandbox;
  let workspacePath: string;
  let recorded: Array<{ name: string; report: EnvironmentRunReport }>;
  const runRecorder = {
    record: jest.fn(async (name: string, report: EnvironmentRunReport) => {
      recorded.push({ name, report });
    }),
  };

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: resolvePackagePath('@kler/aws-sandbox', 'scenarios/kler.yaml'),
      clock: { speed: 0 },
    });
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    sandbox.admin.reset();
    recorded = [];
    workspacePath = await fs.mkdtemp(
      path.join(os.tmpdir(), 'kler-provision-sandbox-'),
    );
    await writeVariables(tfvars());
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  async function writeVariables(variables: unknown) {
    await fs.mkdir(path.join(workspacePath, 'environment'), {
      recursive: true,
    });
    await fs.writeFile(
      path.join(workspacePath, 'environment', 'terraform.tfvars.json'),
      JSON.stringify(variables),
    );
  }

  function action(options: { adminUrl?: string | null; deny?: boolean } = {}) {
    const base = terraformTestOptions({
      permissions: mockServices.permissions.mock({
        authorize: async () => [
          {
            result: options.deny ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
          },
        ],
      }),
    });
    const data = structuredClone(base.config.get()) as any;
    if (options.adminUrl !== null) {
      data.kler.environments.sandbox = {
        adminUrl: options.adminUrl ?? sandbox.url,
      };
    }
    return createProvisionSandboxAction({
      ...base,
      config: new ConfigReader(data),
      runRecorder,
    });
  }

  function run(
    input: Record<string, unknown> = {},
    options: { isDryRun?: boolean } = {},
  ) {
    const context = createTestContext({
      workspacePath,
      isDryRun: options.isDryRun,
      input: {
        workingDirectory: 'environment',
        terraformApplied: false,
        environmentName: 'staging',
        ...input,
      },
    });
    const ctx = {
      ...context.ctx,
      user: { ref: 'user:default/platform-engineer' },
      task: { id: 'task-1' },
      getInitiatorCredentials: async () =>
        mockCredentials.user('user:default/platform-engineer'),
    };
    return { ...context, ctx };
  }

  const sandboxEnvironments = () =>
    sandbox.admin.state().environments.map(env => env.name);

  it('adds the environment to the sandbox, says it is not AWS, and records it as an apply', async () => {
    const { ctx, outputs, lines } = run();
    await action().handler(ctx as any);

    expect(outputs).toEqual({
      provisioned: true,
      skipReason: '',
      sandboxUrl: sandbox.url,
      cluster: 'kler-staging',
      summary: expect.stringMatching(
        /^cluster kler-staging in 111111111111 \(development\), eu-west-1 with storefront \(\d+ of \d+ tasks running\)$/,
      ),
      runningServices: ['storefront'],
      preparedServices: ['shop-api'],
    });
    const staging = sandbox.admin
      .state()
      .environments.find(env => env.name === 'staging')!;
    expect(staging).toMatchObject({
      account: TEST_ACCOUNTS.development,
      region: 'eu-west-1',
      cluster: 'kler-staging',
      origin: 'admin',
      services: [{ name: 'storefront' }],
    });
    const log = lines.join('\n');
    expect(log).toContain(
      'Provisioned in the local AWS sandbox (demo data), not on AWS: cluster kler-staging in 111111111111 (development), eu-west-1 with storefront (',
    );
    expect(log).toContain(
      'Not running, as on AWS, until an image tag is set: shop-api',
    );
    expect(log).toContain(
      'Nothing was applied on AWS: Terraform did not run against any AWS account',
    );

    expect(recorded).toEqual([
      {
        name: 'staging',
        report: {
          kind: 'apply',
          source: 'portal',
          outcome: 'succeeded',
          at: expect.any(String),
          actor: 'user:default/platform-engineer',
          link: '/create/tasks/task-1',
          message: expect.stringMatching(
            /^Provisioned in the local AWS sandbox \(demo data\), not on AWS: cluster kler-staging/,
          ),
        },
      },
    ]);
  });

  it('provisions again without change when the task is retried', async () => {
    await action().handler(run().ctx as any);
    const again = run();
    await action().handler(again.ctx as any);
    expect(again.outputs.provisioned).toBe(true);
    expect(again.lines.join('\n')).toContain('(the sandbox had it already)');
    expect(sandboxEnvironments()).toEqual([
      'production',
      'development',
      'staging',
    ]);
  });

  it.each([
    [
      'Terraform applied it',
      { terraformApplied: true },
      {},
      'Terraform applied the environment on AWS; the local sandbox is left alone',
    ],
    [
      'no sandbox is configured',
      {},
      { adminUrl: null },
      'no local AWS sandbox is configured (kler.environments.sandbox.adminUrl); the environment was not provisioned anywhere',
    ],
    [
      'dry run',
      {},
      { isDryRun: true },
      'dry run: would add the environment to the sandbox',
    ],
  ])(
    'leaves the sandbox alone when %s, and records nothing',
    async (_when, input, options, reason) => {
      const { ctx, outputs, lines } = run(input, {
        isDryRun: (options as { isDryRun?: boolean }).isDryRun,
      });
      await action(options as { adminUrl?: null }).handler(ctx as any);
      expect(outputs.provisioned).toBe(false);
      expect(outputs.skipReason).toContain(reason);
      expect(lines.join('\n')).toContain(
        `Sandbox provisioning skipped: ${reason}`,
      );
      expect(sandboxEnvironments()).toEqual(['production', 'development']);
      expect(recorded).toEqual([]);
    },
  );

  it('refuses production to someone without the permission, adding nothing', async () => {
    await writeVariables(
      tfvars({ aws_account_id: TEST_ACCOUNTS.production, tier: 'production' }),
    );
    const { ctx } = run();
    const provisioning = action({ deny: true }).handler(ctx as any);
    await expect(provisioning).rejects.toThrow(NotAllowedError);
    await expect(provisioning).rejects.toThrow(
      'user:default/platform-engineer may not provision production: Sandbox provisioning in production account 222222222222 needs the permission environments.provision.production; nothing was run',
    );
    expect(sandboxEnvironments()).toEqual(['production', 'development']);
    expect(recorded.map(r => r.report.outcome)).toEqual(['skipped']);

    // With the permission, production spreads over three zones.
    await action().handler(run().ctx as any);
    const production = sandbox.sandbox.world.byName('staging')!;
    expect(production.spec.availabilityZones).toHaveLength(3);
  });

  it('refuses variables that do not describe an environment', async () => {
    await writeVariables(tfvars({ capacity_max: 'many' }));
    await expect(action().handler(run().ctx as any)).rejects.toThrow(
      new InputError(
        'terraform.tfvars.json does not describe an environment: capacity_max: Invalid input: expected number, received string',
      ),
    );
    await fs.rm(path.join(workspacePath, 'environment'), { recursive: true });
    await expect(action().handler(run().ctx as any)).rejects.toThrow(
      "The environment's variables file 'environment/terraform.tfvars.json' does not exist",
    );
  });

  it("fails with the sandbox's reason and records a failed apply", async () => {
    sandbox.admin.addEnvironment({
      name: 'staging',
      account: TEST_ACCOUNTS.development,
      cluster: 'kler-staging',
      vault: 'kler-staging',
    });
    await expect(action().handler(run().ctx as any)).rejects.toThrow(
      /refused the environment \(HTTP 409\): The sandbox already has a different environment staging/,
    );
    expect(recorded.map(r => r.report)).toEqual([
      expect.objectContaining({
        kind: 'apply',
        outcome: 'failed',
        message: expect.stringContaining('HTTP 409'),
      }),
    ]);
  });

  it('refuses a bad sandbox URL when it is created', () => {
    expect(() => action({ adminUrl: 'localhost:4566' })).toThrow(
      "Invalid config at kler.environments.sandbox.adminUrl: 'localhost:4566' is not an http(s) URL",
    );
  });
});
