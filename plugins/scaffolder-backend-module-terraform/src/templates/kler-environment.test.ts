import { ConfigReader } from '@backstage/config';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import { readEnvironmentFromEntity } from '@kler/plugin-environments-common';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { createTerraformCheckAction } from '../actions/check';
import { createTerraformPlanAction } from '../actions/plan';
import {
  createTestContext,
  TERRAFORM_BINARY,
  terraformTestConfig,
} from '../__testUtils__/fixtures';
import {
  listFiles,
  parseTerraform,
  readTemplate,
  renderTemplate,
} from '../__testUtils__/templates';

jest.setTimeout(120_000);

const services = [
  {
    name: 'storefront',
    image: 'public.ecr.aws/kler/storefront:2.3.1',
    cpu: 512,
    memory: 1024,
    desiredMin: 2,
    desiredMax: 8,
    containerPort: 3000,
    healthCheckPath: '/healthz',
  },
  {
    name: 'shop-api',
    image: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/shop-api:1.4.2',
    cpu: 1024,
    memory: 2048,
    desiredMin: 2,
    desiredMax: 10,
  },
];

const answers = {
  development: {
    name: 'dev-two',
    title: 'Development two',
    tier: 'development',
    owner: 'group:default/platform-team',
    awsAccountId: '111111111111',
    awsRegion: 'eu-west-1',
    instanceType: 't3.large',
    capacityMin: 1,
    capacityMax: 3,
    services: services.slice(0, 1),
    efs: false,
    backupSchedule: 'daily',
    backupRetentionDays: 7,
  },
  production: {
    name: 'prod-eu',
    title: 'Production EU',
    description: 'The shop: "live" for EU customers',
    tier: 'production',
    owner: 'group:default/platform-team',
    awsAccountId: '222222222222',
    awsRegion: 'eu-central-1',
    instanceType: 'm6i.large',
    capacityMin: 3,
    capacityMax: 12,
    wellArchitectedWorkloadId: 'kler-prod-eu',
    services,
    efs: true,
    backupSchedule: 'hourly',
    backupRetentionDays: 35,
  },
};

/** The one block of a kind and name in parsed HCL, e.g. resource aws_vpc this. */
function block(parsed: Record<string, any>, ...keys: string[]) {
  const unwrap = (value: any) => (Array.isArray(value) ? value[0] : value);
  const found = keys.reduce((at: any, key) => unwrap(at?.[key]), parsed);
  expect(found).toBeDefined();
  return found;
}

describe.each(Object.entries(answers))(
  'kler-environment rendered for %s',
  (tier, parameters) => {
    let workspacePath: string;
    let environmentDir: string;
    let parsed: Record<string, Record<string, any>>;

    beforeAll(async () => {
      workspacePath = await renderTemplate('kler-environment', parameters);
      environmentDir = path.join(workspacePath, 'environment');
      parsed = await parseTerraform(environmentDir);
    });
    afterAll(async () => {
      await fs.rm(workspacePath, { recursive: true, force: true });
    });

    it('renders the root module, the modules and the catalog entity', async () => {
      const files = await listFiles(environmentDir);
      expect(files).toEqual(
        expect.arrayContaining([
          'catalog-info.yaml',
          'main.tf',
          'outputs.tf',
          'providers.tf',
          'versions.tf',
          'modules/network/main.tf',
          'modules/ecs-cluster/main.tf',
          'modules/alb/main.tf',
          'modules/ecs-service/main.tf',
          'modules/efs/main.tf',
          'modules/backup/main.tf',
          'modules/parameters/main.tf',
          'modules/alarms/main.tf',
        ]),
      );
      // Every .tf file parses as HCL.
      expect(Object.keys(parsed).length).toBeGreaterThanOrEqual(30);
    });

    it('is formatted canonically (terraform fmt -check)', () => {
      expect(() =>
        execFileSync(
          TERRAFORM_BINARY,
          ['fmt', '-check', '-recursive', '-diff', '-no-color'],
          {
            cwd: environmentDir,
            env: { PATH: process.env.PATH, TF_IN_AUTOMATION: '1' },
            stdio: 'pipe',
          },
        ),
      ).not.toThrow();
    });

    it('registers an environment Resource the environments plugin can read', async () => {
      const entity = yaml.parse(
        await fs.readFile(
          path.join(environmentDir, 'catalog-info.yaml'),
          'utf8',
        ),
      );
      expect(entity).toMatchObject({
        kind: 'Resource',
        spec: { type: 'environment', owner: parameters.owner },
      });
      const definition = readEnvironmentFromEntity(entity);
      expect(definition).toMatchObject({
        name: parameters.name,
        tier,
        accountId: parameters.awsAccountId,
        region: parameters.awsRegion,
        cluster: `kler-${parameters.name}`,
        backupVault: `kler-${parameters.name}`,
      });
      expect(definition.wellArchitectedWorkloadId).toBe(
        'wellArchitectedWorkloadId' in parameters
          ? parameters.wellArchitectedWorkloadId
          : undefined,
      );
    });

    it('renders the answers into the root module', () => {
      const locals = block(parsed['main.tf'], 'locals');
      expect(locals).toMatchObject({
        environment: parameters.name,
        tier,
        account_id: parameters.awsAccountId,
        region: parameters.awsRegion,
        instance_type: parameters.instanceType,
        capacity_min: parameters.capacityMin,
        capacity_max: parameters.capacityMax,
        efs_enabled: parameters.efs,
        backup_schedule: parameters.backupSchedule,
        backup_retention_days: parameters.backupRetentionDays,
      });
      expect(Object.keys(locals.services).sort()).toEqual(
        parameters.services.map(service => service.name).sort(),
      );
      expect(locals.services.storefront).toMatchObject({
        image: 'public.ecr.aws/kler/storefront:2.3.1',
        cpu: 512,
        desired_min: 2,
        desired_max: 8,
        container_port: 3000,
        health_check_path: '/healthz',
      });
      expect(locals.tags).toMatchObject({
        'kler:environment': '${local.environment}',
      });
      // S3 remote state with S3 native locking; settings via -backend-config.
      const backend = block(
        parsed['versions.tf'],
        'terraform',
        'backend',
        's3',
      );
      expect(backend.use_lockfile).toBe(true);
      const provider = block(parsed['providers.tf'], 'provider', 'aws');
      expect(provider.default_tags[0].tags).toBe('${local.tags}');
    });

    it('keeps every secret value out of the files', async () => {
      const secretPatterns = [
        /AKIA[0-9A-Z]{16}/,
        /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
        /aws_secret_access_key/i,
        /(password|secret|token)\s*=\s*"(?!\$\{)[^"]+"/i,
      ];
      for (const file of await listFiles(environmentDir)) {
        const text = await fs.readFile(path.join(environmentDir, file), 'utf8');
        for (const pattern of secretPatterns) {
          expect({ file, found: pattern.test(text) }).toEqual({
            file,
            found: false,
          });
        }
      }
      const secureParameters = block(
        parsed['modules/parameters/main.tf'],
        'resource',
        'aws_ssm_parameter',
        'secret',
      );
      expect(secureParameters.type).toBe('SecureString');
      expect(secureParameters.value).toBe('SET-OUT-OF-BAND');
      expect(secureParameters.lifecycle[0].ignore_changes).toEqual([
        '${value}',
      ]);
    });

    it('checks with the real CLI: formatting passes, validation honestly skipped offline', async () => {
      const check = createTerraformCheckAction({
        config: terraformTestConfig({ timeoutMinutes: 2 }),
      });
      const { ctx, outputs } = createTestContext({
        workspacePath,
        input: {
          workingDirectory: 'environment',
          allowUnavailableProviders: true,
        },
      });
      await check.handler(ctx);
      expect(outputs.passed).toBe(true);
      expect(outputs.problems).toEqual([]);
      expect(outputs.validateSkipped).toMatch(/^providers unavailable: /);
    });

    it('plans honestly: skipped with the reason where AWS cannot be reached', async () => {
      const plan = createTerraformPlanAction({
        config: terraformTestConfig({ timeoutMinutes: 2 }),
      });
      const { ctx, outputs } = createTestContext({
        workspacePath,
        input: {
          workingDirectory: 'environment',
          awsAccountId: parameters.awsAccountId,
          awsRegion: parameters.awsRegion,
          allowUnavailableProviders: true,
        },
      });
      await plan.handler(ctx);
      expect(outputs).toMatchObject({
        skipped: true,
        hasChanges: false,
        planFile: '',
      });
      expect(outputs.skipReason).toBe(
        `no AWS credentials manager is configured for account ${parameters.awsAccountId}`,
      );
    });

    it('plans honestly with credentials but no network: backend unreachable, keys never logged', async () => {
      const config = terraformTestConfig({
        timeoutMinutes: 2,
        backendConfig: { bucket: 'kler-terraform-state', region: 'eu-west-1' },
      });
      const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTKEY42';
      const plan = createTerraformPlanAction({
        config,
        awsCredentialsManager: DefaultAwsCredentialsManager.fromConfig(
          new ConfigReader({
            aws: {
              accounts: [
                {
                  accountId: parameters.awsAccountId,
                  accessKeyId: 'AKIAKLERTEST00000001',
                  secretAccessKey,
                },
              ],
            },
          }),
        ),
      });
      const { ctx, outputs, lines } = createTestContext({
        workspacePath,
        input: {
          workingDirectory: 'environment',
          awsAccountId: parameters.awsAccountId,
          awsRegion: parameters.awsRegion,
          backendConfig: {
            key: `environments/${parameters.name}/terraform.tfstate`,
          },
          allowUnavailableProviders: true,
        },
      });
      await plan.handler(ctx);
      expect(outputs.skipped).toBe(true);
      expect(outputs.skipReason).toMatch(
        /^providers or backend unavailable: .*(no such host|dial tcp|connect)/,
      );
      const log = lines.join('\n');
      expect(log).toContain('-backend-config=bucket=kler-terraform-state');
      expect(log).not.toContain(secretAccessKey);
      expect(log).not.toContain('AKIAKLERTEST00000001');
    });
  },
);

describe('the production environment meets the basics of the Well-Architected review', () => {
  let workspacePath: string;
  let parsed: Record<string, Record<string, any>>;

  beforeAll(async () => {
    workspacePath = await renderTemplate(
      'kler-environment',
      answers.production,
    );
    parsed = await parseTerraform(path.join(workspacePath, 'environment'));
  });
  afterAll(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  it('spreads over three availability zones with a NAT gateway in each', () => {
    const locals = block(parsed['main.tf'], 'locals');
    expect(locals.availability_zone_count).toBe(3);
    expect(locals.nat_gateway_per_zone).toBe(true);
    expect(locals.deletion_protection).toBe(true);
    const network = block(parsed['main.tf'], 'module', 'network');
    expect(network.availability_zone_count).toBe(
      '${local.availability_zone_count}',
    );
    const validation = block(
      parsed['modules/network/variables.tf'],
      'variable',
      'availability_zone_count',
    ).validation[0];
    expect(validation.condition).toContain('>= 2');
    const subnet = block(
      parsed['modules/network/main.tf'],
      'resource',
      'aws_subnet',
      'private',
    );
    expect(subnet.count).toBe('${var.availability_zone_count}');
  });

  it('encrypts EFS and mounts it in every private subnet', () => {
    const locals = block(parsed['main.tf'], 'locals');
    expect(locals.efs_enabled).toBe(true);
    const efs = block(
      parsed['modules/efs/main.tf'],
      'resource',
      'aws_efs_file_system',
      'this',
    );
    expect(efs.encrypted).toBe(true);
    const mountTarget = block(
      parsed['modules/efs/main.tf'],
      'resource',
      'aws_efs_mount_target',
      'this',
    );
    expect(mountTarget.count).toBe('${length(var.subnet_ids)}');
  });

  it('backs up on the chosen schedule, selecting the environment by tag', () => {
    const backup = block(parsed['main.tf'], 'module', 'backup');
    expect(backup.schedule).toBe('${local.backup_schedule}');
    const locals = block(parsed['main.tf'], 'locals');
    expect(locals.backup_schedule).toBe('hourly');
    expect(locals.backup_retention_days).toBe(35);
    const rule = block(
      parsed['modules/backup/main.tf'],
      'resource',
      'aws_backup_plan',
      'this',
    ).rule[0];
    expect(rule.lifecycle[0].delete_after).toBe('${var.retention_days}');
    const selection = block(
      parsed['modules/backup/main.tf'],
      'resource',
      'aws_backup_selection',
      'tagged',
    );
    expect(JSON.stringify(selection.condition)).toContain(
      'aws:ResourceTag/kler:environment',
    );
    // EFS carries the tag the selection looks for.
    const efs = block(
      parsed['modules/efs/main.tf'],
      'resource',
      'aws_efs_file_system',
      'this',
    );
    expect(efs.tags).toContain('"kler:backup" = "true"');
  });

  it('rolls back failing deployments and scales every service by target tracking', () => {
    const service = block(
      parsed['modules/ecs-service/main.tf'],
      'resource',
      'aws_ecs_service',
      'this',
    );
    expect(service.deployment_circuit_breaker).toEqual([
      { enable: true, rollback: true },
    ]);
    const policy = block(
      parsed['modules/ecs-service/main.tf'],
      'resource',
      'aws_appautoscaling_policy',
      'cpu',
    );
    expect(policy.policy_type).toBe('TargetTrackingScaling');
    const capacityProvider = block(
      parsed['modules/ecs-cluster/main.tf'],
      'resource',
      'aws_ecs_capacity_provider',
      'this',
    );
    expect(
      capacityProvider.auto_scaling_group_provider[0].managed_scaling[0].status,
    ).toBe('ENABLED');
  });
});

describe('kler-environment template.yaml', () => {
  it('guards apply: explicit allowDestroy false, tier passed, plan outputs chained', async () => {
    const { template, steps } = await readTemplate('kler-environment');
    expect(template).toMatchObject({
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      spec: { owner: 'platform-team' },
    });
    expect(steps.map(step => step.action)).toEqual([
      'fetch:template',
      'fetch:plain',
      'kler:terraform:check',
      'kler:terraform:plan',
      'kler:terraform:apply',
      'kler:terraform:output',
      'kler:git:publishLocal',
      'catalog:register',
    ]);
    const apply = steps.find(step => step.action === 'kler:terraform:apply')!;
    expect(apply.input).toMatchObject({
      allowDestroy: false,
      tier: '${{ parameters.tier }}',
      planFile: '${{ steps.plan.output.planFile }}',
      planSha256: '${{ steps.plan.output.planSha256 }}',
      skipReason: '${{ steps.plan.output.skipReason }}',
    });
    const register = steps.find(step => step.action === 'catalog:register')!;
    expect(register.if).toContain('steps.apply.output.applied');
  });
});
