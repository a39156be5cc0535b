import { EnvironmentTier } from '@kler/plugin-environments-common';

/**
 * The file, next to an environment's code (`environments/<name>/`), that the
 * environments repository's pipeline reads the environment from. Values as
 * data: the pipeline's files are the same for every environment.
 */
export const PIPELINE_FILE = 'pipeline.json';

/**
 * The role the pipeline assumes by OIDC in each account: kler-bootstrap's
 * `kler-environments-pipeline` (`pipeline_role_name` in its locals.tf, at the
 * root path), trusting only the environments repository's jobs that run in
 * the GitHub environment named after the account's tier.
 */
export const PIPELINE_ROLE_NAME = 'kler-environments-pipeline';

/**
 * A name of `environments/<name>`: kler-environment's name pattern. The
 * pipeline's script (`.kler-pipeline/pipeline.sh`) checks directory names with the
 * same expression.
 */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/;

/**
 * The settings of `kler.terraform.backendConfig` the pipeline gets: where the
 * state is and how it is locked and encrypted. Credentials, the portal's own
 * role and anything else stay with the portal.
 */
export const PIPELINE_BACKEND_SETTINGS = [
  'bucket',
  'region',
  'encrypt',
  'kms_key_id',
  'use_lockfile',
  'dynamodb_table',
] as const;

/** The content of `environments/<name>/pipeline.json`. */
export interface PipelineConfig {
  /** The environment, its directory name and its catalog entity's name. */
  environment: string;
  accountId: string;
  region: string;
  /** From `kler.terraform.accounts`; the GitHub or GitLab environment the jobs run in. */
  tier: EnvironmentTier;
  /** The role the pipeline assumes: `arn:aws:iam::<account>:role/kler-environments-pipeline`. */
  roleArn: string;
  /** `-backend-config` settings of `terraform init`, the state key included. */
  backendConfig: Record<string, string>;
  /** Whether the pipeline may apply a plan that destroys or replaces resources. */
  allowDestroy: boolean;
}

/** Where an environment's state is: the key every plan of it uses. */
export function environmentStateKey(environment: string) {
  return `environments/${environment}/terraform.tfstate`;
}

/** The pipeline role of an account. */
export function pipelineRoleArn(accountId: string) {
  return `arn:aws:iam::${accountId}:role/${PIPELINE_ROLE_NAME}`;
}

/** Builds an environment's pipeline.json from the target the server decided. */
export function buildPipelineConfig(options: {
  environment: string;
  target: { accountId: string; region: string; tier: EnvironmentTier };
  backendConfig: Record<string, string>;
}): PipelineConfig {
  const backendConfig: Record<string, string> = {};
  for (const setting of PIPELINE_BACKEND_SETTINGS) {
    const value = options.backendConfig[setting];
    if (value !== undefined) backendConfig[setting] = value;
  }
  backendConfig.key = environmentStateKey(options.environment);
  return {
    environment: options.environment,
    accountId: options.target.accountId,
    region: options.target.region,
    tier: options.target.tier,
    roleArn: pipelineRoleArn(options.target.accountId),
    backendConfig,
    allowDestroy: false,
  };
}
