# kler-environments-pipeline: the role GitHub Actions of the environments
# repository assume (OpenID Connect, no stored keys) to plan and apply the
# environments of this account, with the provisioner's permissions. Only a
# job of that repository running in the GitHub environment named after the
# tier gets it: GitHub applies the environment's protection rules (required
# reviewers for production) before it issues the token.

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

locals {
  github_oidc_provider_arn = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "arn:aws:iam::${var.account_id}:oidc-provider/${local.github_oidc_host}"
}

resource "aws_iam_role" "pipeline" {
  name                 = local.pipeline_role_name
  description          = "GitHub Actions of ${var.environments_repository}: plans and applies KLER environments"
  max_session_duration = 7200

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.github_oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = local.github_subject
        }
      }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "pipeline" {
  for_each = {
    provision     = aws_iam_policy.provision.arn
    provision_iam = aws_iam_policy.provision_iam.arn
    state         = aws_iam_policy.state.arn
  }

  role       = aws_iam_role.pipeline.name
  policy_arn = each.value
}
