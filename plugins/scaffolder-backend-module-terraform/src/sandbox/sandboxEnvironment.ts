import { InputError } from '@backstage/errors';
import { EnvironmentTier } from '@kler/plugin-environments-common';
import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The variables of kler-environment's terraform.tfvars.json that describe
 * what the sandbox simulates; the others (domain, alarms' subscribers,
 * secrets) have no part in what the environments plugin reads.
 */
const serviceVariablesSchema = z.object({
  image_tag: z.string().nullish(),
  image_repository: z.string().nullish(),
  cpu: z.number().int().positive(),
  memory: z.number().int().positive(),
  desired_min: z.number().int().min(0),
  desired_max: z.number().int().min(0),
  container_port: z.number().int().positive().nullish(),
});

const environmentVariablesSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/),
  aws_account_id: z.string().regex(/^\d{12}$/),
  aws_region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/),
  instance_type: z.string().min(1),
  capacity_min: z.number().int().min(0),
  capacity_max: z.number().int().min(0),
  efs: z.boolean().nullish(),
  backup_schedule: z.enum(['daily', 'hourly']),
  backup_retention_days: z.number().int().positive(),
  database: z
    .object({
      enabled: z.boolean().nullish(),
      allocated_storage: z.number().positive().nullish(),
    })
    .nullish(),
  services: z.record(z.string(), serviceVariablesSchema),
});

/** The variables of an environment the sandbox provisioning reads. */
export type EnvironmentVariables = z.infer<typeof environmentVariablesSchema>;

/** Reads terraform.tfvars.json's values; an InputError names each bad one. */
export function parseEnvironmentVariables(
  value: unknown,
): EnvironmentVariables {
  const result = environmentVariablesSchema.safeParse(value);
  if (!result.success) {
    throw new InputError(
      `terraform.tfvars.json does not describe an environment: ${result.error.issues
        .map(issue => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  return result.data;
}

/** CPU units (1024 per vCPU) of the instance types the template offers. */
const INSTANCE_CPU: Record<string, number> = {
  't3.medium': 2048,
  't3.large': 2048,
  'm6i.large': 2048,
  'm6i.xlarge': 4096,
  'c6i.large': 2048,
  'c6i.xlarge': 4096,
};

/** The modules' `aws_appautoscaling_policy.cpu` target and `cpu_high` alarm threshold. */
const CPU_TARGET_PERCENT = 60;
const CPU_ALARM_THRESHOLD = 90;

/** The backup rule schedules of modules/backup, in the sandbox's cron form. */
const BACKUP_SCHEDULES = {
  daily: 'cron(0 3 * * ? *)',
  hourly: 'cron(0 0/1 * * ? *)',
};

/**
 * A name as locals.tf fits it to an AWS limit: kept when it fits, else cut
 * to leave room for "-" and 8 hex characters of its SHA-1.
 */
function fitName(name: string, limit: number): string {
  if (name.length <= limit) return name;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, limit - 9).replace(/-$/, '')}-${hash}`;
}

/** The image a service runs, as locals.tf makes it; none without a tag. */
function imageOf(
  variables: EnvironmentVariables,
  service: string,
  settings: EnvironmentVariables['services'][string],
): string | undefined {
  const tag = settings.image_tag;
  if (!tag) return undefined;
  const repository =
    settings.image_repository ||
    `${variables.aws_account_id}.dkr.ecr.${variables.aws_region}.amazonaws.com/kler/${variables.name}/${service}`;
  return `${repository}${tag.startsWith('sha256:') ? '@' : ':'}${tag}`;
}

/** What {@link sandboxEnvironmentOf} makes of an environment's variables. */
export interface SandboxEnvironment {
  /** The environment in the sandbox's scenario format, for `POST /_sandbox/environments`. */
  environment: Record<string, unknown>;
  /** Services that run (they have an image tag). */
  running: string[];
  /** Services prepared without running: no image tag yet, as on AWS. */
  prepared: string[];
}

/**
 * The environment Terraform would build from these variables, as the local
 * AWS sandbox simulates it (`packages/aws-sandbox`, scenario format): the
 * cluster, capacity provider and Auto Scaling group, every service that has
 * an image with its target group, scaling between its fewest and most tasks
 * and its CPU alarm, the EFS file system and database, and the backup plan
 * selecting the environment by tag. Names are those of locals.tf and the
 * modules. `tier` is the account's, from the config.
 */
export function sandboxEnvironmentOf(
  variables: EnvironmentVariables,
  tier: EnvironmentTier,
): SandboxEnvironment {
  const cluster = `kler-${variables.name}`;
  const region = variables.aws_region;
  const zones = ['a', 'b', 'c']
    .slice(0, tier === 'production' ? 3 : 2)
    .map(zone => `${region}${zone}`);
  const running: string[] = [];
  const prepared: string[] = [];
  const services = Object.entries(variables.services).flatMap(
    ([name, settings]) => {
      const image = imageOf(variables, name, settings);
      if (!image) {
        prepared.push(name);
        return [];
      }
      running.push(name);
      const min = Math.min(settings.desired_min, settings.desired_max);
      return [
        {
          name,
          min,
          max: settings.desired_max,
          cpu: settings.cpu,
          memory: settings.memory,
          image,
          containerPort: settings.container_port ?? 8080,
          targetGroup: fitName(`${cluster}-${name}`, 32),
          scalingPolicies:
            min < settings.desired_max
              ? [
                  {
                    name: `${name}-cpu-target-tracking`,
                    metric: 'ECSServiceAverageCPUUtilization',
                    targetValue: CPU_TARGET_PERCENT,
                  },
                ]
              : [],
        },
      ];
    },
  );
  const resources = [
    ...(variables.efs ? [{ type: 'efs', name: `${cluster}-shared` }] : []),
    ...(variables.database?.enabled
      ? [
          {
            type: 'rds',
            name: fitName(cluster, 63),
            sizeGb: variables.database.allocated_storage ?? 20,
          },
        ]
      : []),
  ];
  const environment = {
    name: variables.name,
    account: variables.aws_account_id,
    region,
    cluster,
    vault: fitName(cluster, 50),
    availabilityZones: zones,
    capacityProviders: [
      {
        name: `${cluster}-ec2`,
        autoScalingGroup: {
          name: `${cluster}-ecs`,
          instanceType: variables.instance_type,
          instanceCpu: INSTANCE_CPU[variables.instance_type] ?? 2048,
          min: Math.min(variables.capacity_min, variables.capacity_max),
          max: variables.capacity_max,
        },
      },
    ],
    services,
    alarms: services.map(service => ({
      name: `${cluster}-${service.name}-cpu-high`,
      service: service.name,
      metric: 'CPUUtilization',
      threshold: CPU_ALARM_THRESHOLD,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 3,
    })),
    resources,
    backupPlans: [
      {
        name: fitName(cluster, 50),
        rules: [
          {
            name: `${variables.backup_schedule}-${variables.backup_retention_days}d`,
            schedule: BACKUP_SCHEDULES[variables.backup_schedule],
            deleteAfterDays: variables.backup_retention_days,
          },
        ],
        selections: [
          {
            name: fitName(`${cluster}-tagged`, 50),
            tag: { key: 'kler:environment', value: variables.name },
          },
        ],
      },
    ],
  };
  return { environment, running, prepared };
}
