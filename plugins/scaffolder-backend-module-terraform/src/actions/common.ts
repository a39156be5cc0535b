import {
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { TemplateActionOptions } from '@backstage/plugin-scaffolder-node';
import { JsonValue } from '@backstage/types';
import { readTerraformConfig } from '../terraform/config';
import { resolveWorkspaceDirectory } from '../terraform/inputs';
import {
  nonEmpty,
  TerraformSession,
  TerraformSessionOptions,
} from '../terraform/session';

/** What the Terraform actions are built from. */
export interface TerraformActionsOptions {
  /** The backend's root config: `kler.terraform.*` and `aws.*`. */
  config: Config;
  /** Gives the AWS credentials of the target account (assume role per account). */
  awsCredentialsManager?: AwsCredentialsManager;
  /** Decides whether the task's initiator may apply to production. */
  permissions?: PermissionsService;
}

export function terraformConfigOf(options: TerraformActionsOptions) {
  return readTerraformConfig(options.config);
}

/** Folder at the workspace root for plan files, apart from the published configuration. */
export const PLAN_DIRECTORY = '.kler-terraform';

/**
 * The zod the scaffolder hands to `schema.input` builders, taken from its
 * types so the shared fields are built with that same zod.
 */
type Zod = Parameters<
  NonNullable<NonNullable<TemplateActionOptions['schema']>['input']>[string]
>[0];

/**
 * The input fields the Terraform actions share, for their `schema.input`.
 * Each is called with the action's own description where the field means
 * something different to that action.
 */
export const terraformInputs = {
  workingDirectory:
    (
      description = 'Directory of the Terraform root module, relative to the workspace',
    ) =>
    (z: Zod) =>
      z.string({ description }).optional(),
  timeoutMinutes:
    (
      description = 'Minutes before Terraform is interrupted; defaults to kler.terraform.timeoutMinutes',
    ) =>
    (z: Zod) =>
      z.number({ description }).optional(),
  awsAccountId:
    (description = 'The 12-digit AWS account') =>
    (z: Zod) =>
      z.string({ description }).optional(),
  awsRegion:
    (description = 'The AWS region') =>
    (z: Zod) =>
      z.string({ description }).optional(),
  sensitiveVars: (description: string) => (z: Zod) =>
    z.array(z.string(), { description }).optional(),
  allowUnavailableProviders: (description: string) => (z: Zod) =>
    z.boolean({ description }).optional(),
  skipReason: (description: string) => (z: Zod) =>
    z.string({ description }).optional(),
};

/** Resolves the `workingDirectory` input; the workspace root when it is not given. */
export function resolveWorkingDirectory(ctx: {
  workspacePath: string;
  input: { workingDirectory?: string };
}) {
  return resolveWorkspaceDirectory(
    ctx.workspacePath,
    ctx.input.workingDirectory ?? '.',
    'workingDirectory',
  );
}

/** The `awsAccountId` and `awsRegion` inputs as a session's AWS target; empty means not given. */
export function awsTargetOf(
  options: TerraformActionsOptions,
  input: { awsAccountId?: string; awsRegion?: string },
): TerraformSessionOptions['aws'] {
  return {
    credentialsManager: options.awsCredentialsManager,
    accountId: nonEmpty(input.awsAccountId),
    region: nonEmpty(input.awsRegion),
  };
}

/** Starts the session of one action run, with its task's logger, signal, secrets and timeout. */
export function startTerraformSession(
  ctx: {
    logger: LoggerService;
    signal?: AbortSignal;
    secrets?: Record<string, string>;
    input: { timeoutMinutes?: number };
  },
  session: Pick<
    TerraformSessionOptions,
    'config' | 'workingDirectory' | 'vars' | 'sensitiveVars' | 'aws'
  >,
) {
  return TerraformSession.create({
    ...session,
    logger: ctx.logger,
    signal: ctx.signal,
    timeoutMinutes: ctx.input.timeoutMinutes,
    secrets: ctx.secrets,
  });
}

/**
 * Ends an action run that does nothing: says why in the log and in the
 * `skipped` and `skipReason` outputs, and gives the action's other outputs
 * their empty values.
 */
export function reportSkipped(
  ctx: {
    logger: LoggerService;
    output(name: string, value: unknown): void;
  },
  step: string,
  reason: string,
  emptyOutputs: Record<string, JsonValue>,
) {
  ctx.logger.warn(`${step} skipped: ${reason}`);
  ctx.output('skipped', true);
  ctx.output('skipReason', reason);
  for (const [name, value] of Object.entries(emptyOutputs)) {
    ctx.output(name, value);
  }
}

/**
 * Why a step that works on an earlier step's result must do nothing: that
 * step was skipped (its `skipReason` came in), or this is a dry run.
 */
export function reasonToSkip(
  ctx: { isDryRun?: boolean; input: { skipReason?: string } },
  reasons: {
    earlierStepSkipped: (skipReason: string) => string;
    dryRun: string;
  },
): string | undefined {
  const earlierSkipReason = nonEmpty(ctx.input.skipReason);
  if (earlierSkipReason) return reasons.earlierStepSkipped(earlierSkipReason);
  if (ctx.isDryRun) return reasons.dryRun;
  return undefined;
}
