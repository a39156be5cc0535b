/**
 * Scaffolder actions that run Terraform (or OpenTofu) to provision KLER
 * environments: check, plan, apply (guarded for production) and output.
 *
 * @packageDocumentation
 */

export { scaffolderModuleTerraform as default } from './module';
export { createTerraformCheckAction } from './actions/check';
export { createTerraformPlanAction } from './actions/plan';
export type { TerraformActionsOptions } from './actions/common';
