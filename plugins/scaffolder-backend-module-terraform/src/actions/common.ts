import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { TemplateActionOptions } from '@backstage/plugin-scaffolder-node';
import { JsonValue } from '@backstage/types';
import { readTrustedEnvironmentLocations } from '@kler/plugin-environments-common';
import {
  authorizeTarget,
  ProvisioningTarget,
  ProvisioningTargets,
  TargetInput,
} from '../provisioning/targets';
import {
  EnvironmentsRepository,
  readEnvironmentsRepository,
} from '../provisioning/repository';
import { readTerraformConfig, TerraformConfig } from '../terraform/config';
import { resolveWorkspaceDirectory } from '../terraform/inputs';
import { ActionMasker } from '../terraform/masking';
import { checkTerraformPolicy } from '../terraform/policy';
import { TerraformRunLimiter } from '../terraform/runLimiter';
import { nonEmpty, TerraformSessionOptions } from '../terraform/session';

/** What the Terraform actions are built from. */
export interface TerraformActionsOptions {
  /** The backend's root config: `kler.terraform.*`, `kler.environments.*` and `aws.*`. */
  config: Config;
  /** Gives the AWS credentials of the target account (assume role per account). */
  awsCredentialsManager?: AwsCredentialsManager;
  /** Decides whether the task's initiator may run Terraform in production. */
  permissions?: PermissionsService;
  /** Looks up the environments that templates name. */
  catalog?: CatalogService;
  /** Shared by every action of one backend; each action makes its own otherwise. */
  limiter?: TerraformRunLimiter;
}

/** What an action needs at run time, built once when the action is created. */
export interface TerraformActionsRuntime {
  options: TerraformActionsOptions;
  config: TerraformConfig;
  limiter: TerraformRunLimiter;
  targets: ProvisioningTargets;
  /** `kler.environments.repository`: where code goes, and so who may apply. */
  repository: EnvironmentsRepository;
}

export function terraformRuntimeOf(
  options: TerraformActionsOptions,
): TerraformActionsRuntime {
  const config = readTerraformConfig(options.config);
  return {
    options,
    config,
    limiter:
      options.limiter ?? new TerraformRunLimiter(config.maxConcurrentRuns),
    targets: new ProvisioningTargets({
      accounts: config.accounts,
      catalog: options.catalog,
      trustedLocations: readTrustedEnvironmentLocations(
        options.config,
        process.cwd(),
      ),
    }),
    repository: readEnvironmentsRepository(options.config),
  };
}

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
  environment:
    (
      description = "The environment's catalog entity ref (resource:default/staging); its account and region come from the catalog and kler.terraform.accounts",
    ) =>
    (z: Zod) =>
      z.string({ description }).optional(),
  awsAccountId:
    (
      description = 'The 12-digit AWS account, for an environment not in the catalog yet; it must be one of kler.terraform.accounts',
    ) =>
    (z: Zod) =>
      z.string({ description }).optional(),
  awsRegion:
    (description = 'The AWS region, with awsAccountId') =>
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

/**
 * Checks the configuration in `workingDirectory` against the content policy
 * (`kler.terraform.allowedProviders`, ...); throws an InputError naming each
 * refused block before Terraform reads anything.
 */
export async function checkPolicy(
  runtime: TerraformActionsRuntime,
  workingDirectory: string,
  logger: LoggerService,
) {
  await checkTerraformPolicy(workingDirectory, runtime.config.policy);
  logger.info(
    `The configuration passed the content policy: providers ${runtime.config.policy.allowedProviders.join(
      ', ',
    )}, local modules${
      runtime.config.policy.allowedModuleSources.length
        ? ` and ${runtime.config.policy.allowedModuleSources.join(', ')}`
        : ''
    }, no provisioners or program-running data sources`,
  );
}

/** What the target resolution and the production guard need of an action's context. */
interface TargetContext {
  user?: { ref?: string };
  logger: LoggerService;
  getInitiatorCredentials(): Promise<BackstageCredentials>;
}

/**
 * Decides the target of a run from the template's inputs and the server's
 * config, and checks that the initiator may run `operation` there.
 */
export async function resolveAuthorizedTarget(
  runtime: TerraformActionsRuntime,
  ctx: TargetContext,
  operation: string,
  input: TargetInput,
): Promise<ProvisioningTarget> {
  const credentials = () => ctx.getInitiatorCredentials();
  const target = await runtime.targets.resolve(input, credentials);
  await authorizeTarget(target, {
    permissions: runtime.options.permissions,
    getInitiatorCredentials: credentials,
    user: ctx.user,
    logger: ctx.logger,
    operation,
  });
  return target;
}

/**
 * The options of one Terraform session: the backend's config and run limit,
 * the run's log, masker and cancellation, and, when the run has a target,
 * that account's credentials (fetched by the session, only for it).
 */
export function sessionOptions(
  runtime: TerraformActionsRuntime,
  run: Pick<
    TerraformSessionOptions,
    | 'logger'
    | 'masker'
    | 'signal'
    | 'workingDirectory'
    | 'dataDirectory'
    | 'download'
    | 'timeoutMinutes'
    | 'vars'
    | 'sensitiveVars'
  > & { target?: ProvisioningTarget },
): TerraformSessionOptions {
  const { target, ...options } = run;
  return {
    ...options,
    config: runtime.config,
    limiter: runtime.limiter,
    ...(target && {
      aws: {
        credentialsManager: runtime.options.awsCredentialsManager,
        accountId: target.accountId,
        region: target.region,
      },
    }),
  };
}

/** Outputs a target: the same fields for every action that reports one. */
export function outputTarget(
  output: (
    name: 'accountId' | 'region' | 'tier' | 'environment',
    value: any,
  ) => void,
  target: ProvisioningTarget,
) {
  output('accountId', target.accountId);
  output('region', target.region);
  output('tier', target.tier);
  output('environment', target.environmentRef ?? '');
}

/** The context fields {@link runMasked} replaces. */
interface MaskableContext {
  secrets?: Record<string, string>;
  logger: LoggerService;
  output(name: string, value: any): void;
}

/**
 * Runs an action's body with everything it says masked: the log, every
 * output and a thrown error's message and stack. The masker starts with the
 * task's secrets; the session adds AWS credentials and sensitive variables.
 */
export async function runMasked<C extends MaskableContext>(
  ctx: C,
  body: (ctx: C, masker: ActionMasker) => Promise<void>,
): Promise<void> {
  const masker = new ActionMasker(Object.values(ctx.secrets ?? {}));
  const masked: C = {
    ...ctx,
    logger: masker.wrapLogger(ctx.logger),
    output: (name: string, value: any) =>
      ctx.output(name, masker.maskValue(value as JsonValue)),
  };
  try {
    await body(masked, masker);
  } catch (error) {
    throw masker.maskError(error);
  }
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
