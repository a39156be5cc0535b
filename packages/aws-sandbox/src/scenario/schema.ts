import { z } from 'zod';

const accountId = z
  .string()
  .regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

const riskCounts = z
  .object({
    HIGH: z.number().int().min(0).default(0),
    MEDIUM: z.number().int().min(0).default(0),
    NONE: z.number().int().min(0).default(0),
    UNANSWERED: z.number().int().min(0).default(0),
    NOT_APPLICABLE: z.number().int().min(0).default(0),
  })
  .strict();

/** Which faults a request matches; an absent key matches everything. */
const faultMatch = {
  id: z.string().optional(),
  account: accountId.optional(),
  service: z.string().optional(),
  operation: z.string().optional(),
  environment: z.string().optional(),
  /** Apply to this many matching requests, then switch off. */
  count: z.number().int().positive().optional(),
};

export const faultSchema = z
  .object({
    ...faultMatch,
    latencyMs: z.number().int().min(0).optional(),
    throttle: z
      .object({
        ratePerSecond: z.number().min(0),
        burst: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    accessDenied: z.boolean().optional(),
    serverError: z.union([z.literal(500), z.literal(503)]).optional(),
    /** Hold the connection this many ms without answering; null = forever. */
    timeoutMs: z.number().int().min(0).nullable().optional(),
  })
  .strict();

export const throttlingSchema = z
  .object({
    enabled: z.boolean().default(true),
    ratePerSecond: z.number().positive().default(20),
    burst: z.number().int().positive().default(40),
  })
  .strict();

const serviceSchema = z
  .object({
    name: z.string().min(1),
    min: z.number().int().min(0),
    max: z.number().int().min(0),
    cpu: z.number().int().positive().default(256),
    memory: z.number().int().positive().default(512),
    /** The image reference of every revision: `registry/repository:tag` (or `@sha256:...`). */
    image: z.string().default('public.ecr.aws/nginx/nginx:latest'),
    /**
     * What ECR's scan of the image found, by severity; `scanned: false` when
     * scanning is off for it (ScanNotFoundException). Images outside the
     * account's ECR have no scan.
     */
    imageScan: z
      .object({
        scanned: z.boolean().default(true),
        CRITICAL: z.number().int().min(0).default(0),
        HIGH: z.number().int().min(0).default(0),
        MEDIUM: z.number().int().min(0).default(0),
        LOW: z.number().int().min(0).default(0),
      })
      .strict()
      .default({ scanned: true, CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 }),
    containerPort: z.number().int().positive().default(8080),
    /** Plaintext environment variables of the container, as the task definition sets them. */
    environment: z
      .array(z.object({ name: z.string().min(1), value: z.string() }).strict())
      .default([]),
    /**
     * Secrets injected into the container: `valueFrom` is an SSM parameter's
     * name or ARN, or a Secrets Manager secret's ARN.
     */
    secrets: z
      .array(
        z
          .object({
            name: z.string().min(1),
            valueFrom: z.string().min(1),
            /** The parameter or secret it names does not exist (never created, or deleted). */
            missing: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
    /** Zones the tasks run in, among the environment's; all of them when absent. */
    availabilityZones: z.array(z.string()).min(1).optional(),
    targetGroup: z.string().optional(),
    /** Peak demand relative to max: above 1 saturates the service at peak. */
    traffic: z.number().min(0).default(0.7),
    health: z.enum(['healthy', 'flapping', 'unhealthy']).default('healthy'),
    crash: z
      .object({
        everyMinutes: z.number().positive(),
        /**
         * The first time the service's tasks may crash (ISO 8601): before it,
         * the service runs clean, so a test can watch it turn unhealthy.
         */
        since: z.string().datetime().optional(),
        exitCode: z.number().int().default(137),
        reason: z
          .string()
          .default('OutOfMemoryError: Container killed due to memory usage'),
      })
      .strict()
      .optional(),
    deployment: z
      .object({
        everyHours: z.number().positive().default(24),
        rolloutMinutes: z.number().positive().default(8),
        fails: z.boolean().default(false),
      })
      .strict()
      .default({ everyHours: 24, rolloutMinutes: 8, fails: false }),
    scalingPolicies: z
      .array(
        z
          .object({
            name: z.string(),
            metric: z
              .enum([
                'ECSServiceAverageCPUUtilization',
                'ECSServiceAverageMemoryUtilization',
                'ALBRequestCountPerTarget',
              ])
              .default('ECSServiceAverageCPUUtilization'),
            targetValue: z.number().positive().default(60),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .refine(s => s.min <= s.max, { message: 'min must not exceed max' });

const capacityProviderSchema = z
  .object({
    name: z.string(),
    autoScalingGroup: z
      .object({
        name: z.string(),
        instanceType: z.string().default('m6i.large'),
        /** vCPU units (1024 per vCPU) one instance offers. */
        instanceCpu: z.number().int().positive().default(2048),
        min: z.number().int().min(0),
        max: z.number().int().min(0),
      })
      .strict(),
  })
  .strict();

const alarmSchema = z
  .object({
    name: z.string(),
    /** Service the alarm watches; without it the alarm watches the cluster. */
    service: z.string().optional(),
    metric: z.enum(['CPUUtilization', 'MemoryUtilization', 'CPUReservation']),
    threshold: z.number(),
    comparison: z
      .enum(['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold'])
      .default('GreaterThanThreshold'),
    evaluationPeriods: z.number().int().positive().default(3),
  })
  .strict();

const backupRuleSchema = z
  .object({
    name: z.string(),
    /** `cron(M H * * ? *)` (daily) or `cron(M 0/N * * ? *)` (every N hours). */
    schedule: z
      .string()
      .regex(
        /^cron\(\d{1,2} (\d{1,2}|(\d{1,2})?\/\d{1,2}|\*\/\d{1,2}) \* \* \? \*\)$/,
        'must be cron(M H * * ? *) or cron(M 0/N * * ? *)',
      ),
    deleteAfterDays: z.number().int().positive().default(35),
    startWindowMinutes: z.number().int().positive().default(60),
    completionWindowMinutes: z.number().int().positive().default(180),
  })
  .strict();

const backupPlanSchema = z
  .object({
    name: z.string(),
    rules: z.array(backupRuleSchema).min(1),
    selections: z
      .array(
        z
          .object({
            name: z.string(),
            /** Names of protected resources of the environment. */
            resources: z.array(z.string()).default([]),
            /** Select by tag instead: every resource with this tag. */
            tag: z
              .object({ key: z.string(), value: z.string() })
              .strict()
              .optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

const resourceSchema = z
  .object({
    type: z.enum(['efs', 'rds']),
    name: z.string(),
    sizeGb: z.number().positive().default(20),
    /** EFS: encrypted at rest. */
    encrypted: z.boolean().default(true),
    /** EFS: zones with a mount target, among the environment's; all of them when absent. */
    mountTargetZones: z.array(z.string()).optional(),
    /** Every Nth scheduled backup of this resource fails with message. */
    backupFailure: z
      .object({
        everyNthRun: z.number().int().positive(),
        message: z.string(),
      })
      .strict()
      .optional(),
  })
  .strict();

const pillarSchema = z
  .object({
    id: z.enum([
      'operationalExcellence',
      'security',
      'reliability',
      'performance',
      'costOptimization',
      'sustainability',
    ]),
    name: z.string(),
    risks: riskCounts,
    notes: z.string().optional(),
  })
  .strict();

const workloadSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().default(''),
    environment: z.enum(['PRODUCTION', 'PREPRODUCTION']),
    reviewOwner: z.string().default('platform-team@kler.example'),
    /** Days before scenario start the review was last updated. */
    updatedDaysAgo: z.number().min(0).default(30),
    pillars: z.array(pillarSchema).default([]),
    improvements: z
      .array(
        z
          .object({
            questionId: z.string(),
            pillarId: z.string(),
            title: z.string(),
            risk: z.enum(['HIGH', 'MEDIUM']),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const environmentSchema = z
  .object({
    name: z.string().min(1),
    account: accountId,
    region: z.string().default('eu-west-1'),
    cluster: z.string(),
    vault: z.string(),
    availabilityZones: z.array(z.string()).min(1).default(['eu-west-1a']),
    services: z.array(serviceSchema).default([]),
    capacityProviders: z.array(capacityProviderSchema).default([]),
    alarms: z.array(alarmSchema).default([]),
    backupPlans: z.array(backupPlanSchema).default([]),
    resources: z.array(resourceSchema).default([]),
    workload: workloadSchema.optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    /** Seeds every random choice, so equal seeds give equal worlds. */
    seed: z.string().default('kler'),
    /** Clock time the sandbox starts at when no clock is given (ISO). */
    startTime: z.string().datetime().optional(),
    accounts: z
      .array(z.object({ id: accountId, name: z.string() }).strict())
      .min(1),
    environments: z.array(environmentSchema).default([]),
    faults: z.array(faultSchema).default([]),
    throttling: throttlingSchema.default({
      enabled: true,
      ratePerSecond: 20,
      burst: 40,
    }),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type EnvironmentSpec = Scenario['environments'][number];
export type EnvironmentInput = z.input<typeof environmentSchema>;
export type ServiceSpec = EnvironmentSpec['services'][number];
export type AlarmSpec = EnvironmentSpec['alarms'][number];
export type BackupPlanSpec = EnvironmentSpec['backupPlans'][number];
export type BackupRuleSpec = BackupPlanSpec['rules'][number];
export type ResourceSpec = EnvironmentSpec['resources'][number];
export type WorkloadSpec = NonNullable<EnvironmentSpec['workload']>;
export type FaultSpec = z.infer<typeof faultSchema>;
export type ThrottlingSpec = z.infer<typeof throttlingSchema>;
