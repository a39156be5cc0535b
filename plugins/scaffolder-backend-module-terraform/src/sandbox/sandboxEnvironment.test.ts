import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { loadScenarioFile, parseEnvironment } from '@kler/aws-sandbox';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ENVIRONMENT_TERRAFORM_DIR,
  evaluateTerraformLocals,
  runTemplateSteps,
  workspaceEnvironmentPath,
} from '../__testUtils__/templates';
import {
  parseEnvironmentVariables,
  sandboxEnvironmentOf,
} from './sandboxEnvironment';

jest.setTimeout(120_000);

const KLER_SCENARIO = loadScenarioFile(
  resolvePackagePath('@kler/aws-sandbox', 'scenarios/kler.yaml'),
);

const answers = {
  name: 'checkout-preview',
  owner: 'group:default/platform-team',
  awsAccountId: '111111111111',
  awsRegion: 'eu-west-1',
  instanceType: 'm6i.xlarge',
  capacityMin: 2,
  capacityMax: 5,
  domainName: 'checkout-preview.kler.example',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  alarmEmails: ['platform@kler.example'],
  services: [
    {
      name: 'storefront',
      imageTag: '2.3.1',
      cpu: 512,
      memory: 1024,
      desiredMin: 2,
      desiredMax: 6,
      containerPort: 3000,
    },
    {
      // kler-checkout-preview-recommendations is longer than a target
      // group name may be: Terraform cuts it and adds a hash.
      name: 'recommendations',
      imageRepository: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/reco',
      imageTag:
        'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      cpu: 256,
      memory: 512,
      desiredMin: 1,
      desiredMax: 1,
    },
    {
      name: 'shop-api',
      cpu: 1024,
      memory: 2048,
      desiredMin: 2,
      desiredMax: 4,
    },
  ],
  efs: true,
  database: true,
  databaseEngine: 'postgres',
  databaseInstanceClass: 'db.t4g.medium',
  databaseStorageGb: 50,
  backupSchedule: 'hourly',
  backupRetentionDays: 14,
};

/** terraform.tfvars.json as kler-environment's steps write it. */
async function templateVariables(values: Record<string, unknown>) {
  const { workspacePath } = await runTemplateSteps('kler-environment', values);
  try {
    return JSON.parse(
      await fs.readFile(
        path.join(
          workspacePath,
          workspaceEnvironmentPath(String(values.name)),
          'terraform.tfvars.json',
        ),
        'utf8',
      ),
    );
  } finally {
    await fs.rm(workspacePath, { recursive: true, force: true });
  }
}

describe('sandboxEnvironmentOf', () => {
  let tfvars: any;
  beforeAll(async () => {
    tfvars = await templateVariables(answers);
  });

  it('describes what Terraform would build, with the names locals.tf gives', async () => {
    const { environment, running, prepared } = sandboxEnvironmentOf(
      parseEnvironmentVariables(tfvars),
      'development',
    );
    const { exitCode, stderr, locals } = await evaluateTerraformLocals(
      ENVIRONMENT_TERRAFORM_DIR,
      tfvars,
      [
        'cluster_name',
        'names',
        'service_names',
        'services',
        'availability_zone_count',
      ],
    );
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    const { names, service_names: serviceNames, services } = locals!;

    expect(running).toEqual(['storefront', 'recommendations']);
    expect(prepared).toEqual(['shop-api']);
    expect(environment).toEqual({
      name: 'checkout-preview',
      account: '111111111111',
      region: 'eu-west-1',
      cluster: locals!.cluster_name,
      vault: names.backup_vault,
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      capacityProviders: [
        {
          name: names.capacity_provider,
          autoScalingGroup: {
            name: `${locals!.cluster_name}-ecs`,
            instanceType: 'm6i.xlarge',
            instanceCpu: 4096,
            min: 2,
            max: 5,
          },
        },
      ],
      services: [
        {
          name: 'storefront',
          min: 2,
          max: 6,
          cpu: 512,
          memory: 1024,
          image: services.storefront.image,
          containerPort: 3000,
          targetGroup: serviceNames.storefront.target_group,
          scalingPolicies: [
            {
              name: 'storefront-cpu-target-tracking',
              metric: 'ECSServiceAverageCPUUtilization',
              targetValue: 60,
            },
          ],
        },
        {
          name: 'recommendations',
          min: 1,
          max: 1,
          cpu: 256,
          memory: 512,
          image: services.recommendations.image,
          containerPort: 8080,
          targetGroup: serviceNames.recommendations.target_group,
          scalingPolicies: [],
        },
      ],
      alarms: ['storefront', 'recommendations'].map(service => ({
        name: `kler-checkout-preview-${service}-cpu-high`,
        service,
        metric: 'CPUUtilization',
        threshold: 90,
        comparison: 'GreaterThanThreshold',
        evaluationPeriods: 3,
      })),
      resources: [
        { type: 'efs', name: 'kler-checkout-preview-shared' },
        { type: 'rds', name: names.database, sizeGb: 50 },
      ],
      backupPlans: [
        {
          name: names.backup_plan,
          rules: [
            {
              name: 'hourly-14d',
              schedule: 'cron(0 0/1 * * ? *)',
              deleteAfterDays: 14,
            },
          ],
          selections: [
            {
              name: names.backup_selection,
              tag: { key: 'kler:environment', value: 'checkout-preview' },
            },
          ],
        },
      ],
    });
    // The long name was cut as Terraform cuts it.
    expect(serviceNames.recommendations.target_group).toMatch(
      /^kler-checkout-preview-r-[0-9a-f]{8}$/,
    );
    expect(locals!.availability_zone_count).toBe(2);
    // The sandbox takes it beside KLER's own environments.
    expect(
      parseEnvironment(environment, KLER_SCENARIO, KLER_SCENARIO.environments)
        .name,
    ).toBe('checkout-preview');
  });

  it("spreads production over three zones, the account's tier deciding", () => {
    const { environment } = sandboxEnvironmentOf(
      parseEnvironmentVariables(tfvars),
      'production',
    );
    expect(environment.availabilityZones).toEqual([
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
    ]);
  });

  it('leaves out what the answers do not ask for', async () => {
    const { environment, running } = sandboxEnvironmentOf(
      parseEnvironmentVariables(
        await templateVariables({
          ...answers,
          efs: false,
          database: false,
          backupSchedule: 'daily',
          services: [answers.services[2]],
        }),
      ),
      'development',
    );
    expect(running).toEqual([]);
    expect(environment).toMatchObject({
      services: [],
      alarms: [],
      resources: [],
      backupPlans: [
        {
          rules: [{ name: 'daily-14d', schedule: 'cron(0 3 * * ? *)' }],
        },
      ],
    });
    expect(() =>
      parseEnvironment(environment, KLER_SCENARIO, KLER_SCENARIO.environments),
    ).not.toThrow();
  });
});

describe('parseEnvironmentVariables', () => {
  it('names each value that does not describe an environment', () => {
    const parse = () =>
      parseEnvironmentVariables({
        name: 'Staging',
        aws_account_id: '1',
        services: { web: { cpu: 'lots' } },
      });
    expect(parse).toThrow(InputError);
    expect(parse).toThrow(/^terraform.tfvars.json does not describe/);
    for (const key of [
      'name',
      'aws_account_id',
      'aws_region',
      'services.web.cpu',
      'backup_schedule',
    ]) {
      expect(parse).toThrow(`${key}: `);
    }
  });
});
