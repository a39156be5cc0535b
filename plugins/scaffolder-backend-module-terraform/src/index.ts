/**
 * Scaffolder actions that run Terraform (or OpenTofu) to provision KLER
 * environments: the target decided by the server, the environment's
 * variables, check, plan, apply (guarded for production) and output.
 *
 * @packageDocumentation
 */

export { scaffolderModuleTerraform as default } from './module';
export { TERRAFORM_ACTION_IDS } from './actionIds';
export { createResolveTargetAction } from './actions/resolveTarget';
export { createResolveImageAction } from './actions/resolveImage';
export { createSetVariablesAction } from './actions/setVariables';
export { createWritePipelineConfigAction } from './actions/writePipelineConfig';
export { createTerraformCheckAction } from './actions/check';
export { createTerraformPlanAction } from './actions/plan';
export { createTerraformApplyAction } from './actions/apply';
export { createTerraformOutputAction } from './actions/output';
export { createProvisionSandboxAction } from './actions/provisionSandbox';
export { createPublishLocalGitAction } from './actions/publishLocal';
export { ENVIRONMENTS_PUBLISHED_TOPIC } from './events';
export type { EnvironmentsPublishedEvent } from './events';
export { createFetchLocalGitAction } from './actions/fetchLocal';
export type { TerraformActionsOptions } from './actions/common';
