/**
 * The `kler-terraform-check` command (`bin/kler-terraform-check`): the checks
 * of `kler:terraform:check` that need no Terraform, for the environments
 * repository's pipeline.
 *
 * @packageDocumentation
 */

export { runTerraformCheckCli } from './cli/terraformCheckCli';
export type { TerraformCheckCliIo } from './cli/terraformCheckCli';
