/**
 * The ids of the actions that run Terraform: every `kler:terraform:*` action.
 * A permission policy allows them only to the groups that may provision
 * (`scaffolder.action.execute` with conditions on the action id). The
 * `kler:environment:*` actions, which decide a target or write variables
 * without running Terraform, are not among them.
 *
 * @public
 */
export const TERRAFORM_ACTION_IDS = [
  'kler:terraform:check',
  'kler:terraform:plan',
  'kler:terraform:apply',
  'kler:terraform:output',
] as const;
