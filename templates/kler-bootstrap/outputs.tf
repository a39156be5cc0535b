output "provisioner_role_arn" {
  description = "aws.accounts[].roleName of this account in the portal's config: kler-provisioner."
  value       = aws_iam_role.provisioner.arn
}

output "portal_read_role_arn" {
  description = "The environments backend's read-only role."
  value       = aws_iam_role.portal_read.arn
}

output "pipeline_role_arn" {
  description = "The role the environments repository's GitHub Actions assume (aws-actions/configure-aws-credentials role-to-assume)."
  value       = aws_iam_role.pipeline.arn
}

output "environment_boundary_arn" {
  description = "The permissions boundary of every role an environment creates."
  value       = aws_iam_policy.environment_boundary.arn
}

output "state_bucket" {
  description = "kler.terraform.backendConfig.bucket."
  value       = var.state_bucket_name
}

output "state_kms_key_arn" {
  description = "kler.terraform.backendConfig.kms_key_id, and state_kms_key_arn of the other accounts' bootstraps."
  value       = local.state_kms_key_arn
}
