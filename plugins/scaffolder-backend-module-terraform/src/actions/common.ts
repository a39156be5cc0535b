import { PermissionsService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { readTerraformConfig } from '../terraform/config';

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

export const workingDirectoryDescription =
  'Directory of the Terraform root module, relative to the workspace';
export const timeoutDescription =
  'Minutes before Terraform is interrupted; defaults to kler.terraform.timeoutMinutes';
