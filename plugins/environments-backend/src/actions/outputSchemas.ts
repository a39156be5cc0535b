import {
  ENVIRONMENT_AREAS,
  EnvironmentArea,
  HealthStatus,
  PROBLEM_SEVERITIES,
  ProblemSeverity,
} from '@kler/plugin-environments-common';
import type { z as zod } from 'zod/v3';

/** The zod the actions registry hands to schema functions. */
type Zod = typeof zod;

const HEALTH_STATUSES = [
  'ok',
  'warning',
  'error',
  'unknown',
] as const satisfies readonly HealthStatus[];

export const severityEnum = (z: Zod) =>
  z.enum(PROBLEM_SEVERITIES as [ProblemSeverity, ...ProblemSeverity[]]);

export const areaEnum = (z: Zod) =>
  z.enum(ENVIRONMENT_AREAS as [EnvironmentArea, ...EnvironmentArea[]]);

const healthStatus = (z: Zod) =>
  z
    .enum(HEALTH_STATUSES)
    .describe(
      'ok, warning or error from the problems found; unknown when not read (yet)',
    );

/** An environment's summary as GET /v1/environments serves it, with its age. */
export const environmentSummarySchema = (z: Zod) =>
  z.object({
    name: z.string().describe('The environment name, e.g. production'),
    title: z.string().optional(),
    tier: z
      .enum(['development', 'production'])
      .describe('production environments get stricter rules'),
    accountId: z.string().describe('AWS account id'),
    region: z.string().describe('AWS region'),
    cluster: z.string().describe('ECS cluster name'),
    entityRef: z
      .string()
      .optional()
      .describe('The catalog Resource of the environment'),
    status: healthStatus(z).describe('Overall health: the worst of the areas'),
    areas: z
      .record(areaEnum(z), healthStatus(z))
      .describe(
        'Health per area: health (ECS services, tasks, alarms, target health), scaling, backup, wellArchitected, provisioning (Terraform runs)',
      ),
    counts: z.object({
      services: z.number().describe('ECS services in the cluster'),
      servicesWithProblems: z.number(),
      problems: z
        .record(severityEnum(z), z.number())
        .describe('Problems per severity'),
    }),
    refreshedAt: z
      .string()
      .optional()
      .describe(
        'ISO time the data served was read from AWS; absent if no read ever succeeded',
      ),
    snapshotAgeSeconds: z
      .number()
      .optional()
      .describe('Seconds between refreshedAt and this answer'),
    stale: z
      .boolean()
      .describe(
        'True when the latest refresh failed and older data is served: do not trust it as current',
      ),
    error: z
      .object({ name: z.string(), message: z.string() })
      .optional()
      .describe(
        'Why the latest refresh failed, or why the environment is misdefined',
      ),
    source: z
      .enum(['aws', 'sandbox'])
      .describe('sandbox: demo data from the local AWS sandbox, not real AWS'),
    pending: z
      .array(z.string())
      .optional()
      .describe(
        'Parts of a first read not finished yet (runningTasks, scaling, backup, wellArchitected): their areas are unknown until then',
      ),
  });

/** A problem as GET /v1/problems serves it. */
export const problemSchema = (z: Zod) =>
  z.object({
    id: z
      .string()
      .describe(
        'Stable across refreshes for one cause, e.g. production/shop-api/running-below-desired',
      ),
    environment: z.string(),
    area: areaEnum(z),
    severity: severityEnum(z).describe('critical, high, medium or low'),
    title: z.string(),
    explanation: z.string().describe('What is wrong and what it affects'),
    proposedFix: z
      .string()
      .describe('What to do about it, often an exact AWS CLI command'),
    consoleUrl: z.string().optional().describe('AWS console link'),
    runUrl: z
      .string()
      .optional()
      .describe('The scaffolder task or pipeline run the problem is about'),
    serviceName: z
      .string()
      .optional()
      .describe('The ECS service the problem is about'),
    resource: z
      .string()
      .optional()
      .describe('The resource (ARN or name) the problem is about'),
  });

/** One service of an environment as the on-call matrix shows it. */
export const serviceCellSchema = (z: Zod) =>
  z.object({
    serviceName: z.string(),
    status: healthStatus(z),
    runningCount: z.number(),
    desiredCount: z.number(),
    pendingCount: z.number(),
    rolloutState: z
      .string()
      .optional()
      .describe(
        "The primary deployment's rollout state: COMPLETED, IN_PROGRESS or FAILED",
      ),
    atMax: z
      .boolean()
      .describe("The desired count has reached the scalable target's maximum"),
    problemCount: z.number(),
  });
