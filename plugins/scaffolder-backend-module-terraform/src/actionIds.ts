/**
 * The ids of the actions that run Terraform or decide where it runs. A
 * permission policy allows them only to the groups that may provision
 * (`scaffolder.action.execute` with conditions on the action id).
 *
 * @public
 */
export const TERRAFORM_ACTION_IDS = [
  'kler:terraform:resolveTarget',
  'kler:terraform:setVariables',
  'kler:terraform:check',
  'kler:terraform:plan',
  'kler:terraform:apply',
  'kler:terraform:output',
] as const;
