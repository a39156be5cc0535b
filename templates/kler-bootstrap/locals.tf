# What kler-bootstrap derives from its variables. This file uses no provider,
# so the tests evaluate it offline with Terraform itself.

locals {
  state_account = var.account_id == var.state_account_id

  # The roles, by the names the portal's config and the environments use.
  provisioner_role_name = "kler-provisioner"
  portal_read_role_name = "kler-portal-read"
  pipeline_role_name    = "kler-environments-pipeline"

  # The roles of every environment account that read and write state.
  state_user_role_arns = flatten([
    for id in sort(distinct(concat([var.account_id], var.environment_account_ids))) : [
      "arn:aws:iam::${id}:role/${local.provisioner_role_name}",
      "arn:aws:iam::${id}:role/${local.pipeline_role_name}",
    ]
  ])

  # The read-only role's actions: exactly those the environments backend
  # reads with, generated from ENVIRONMENT_AREA_IAM_ACTIONS
  # (generate-portal-read-actions.ts).
  portal_read         = jsondecode(file("${path.module}/portal-read-actions.json"))
  portal_read_actions = sort(distinct(flatten(values(local.portal_read.areas))))

  # GitHub's OIDC subject for a job of the environments repository that runs
  # in the GitHub environment named after the tier, whose protection rules
  # (required reviewers for production) GitHub enforces before the job gets
  # a token.
  github_oidc_host = "token.actions.githubusercontent.com"
  github_subject   = "repo:${var.environments_repository}:environment:${var.tier}"
}
