# Parameter Store entries of the environment, injected into every service's
# tasks by ECS (the container definition's secrets, valueFrom the parameter's
# ARN).
#
# Secrets: a SecureString per secret a service names, encrypted with the
# environment's key, at /kler/<environment>/<service>/<NAME>. Terraform
# creates it with a random value it writes once and never stores: value_wo is
# a write-only argument (Terraform 1.11) fed from an ephemeral resource, so
# neither the plan nor the state holds it, and Terraform does not read it
# back. Set the real value out of band (aws ssm put-parameter --overwrite);
# Terraform never resets it unless value_wo_version changes.

ephemeral "aws_secretsmanager_random_password" "initial" {
  for_each = var.secrets

  password_length     = 48
  exclude_punctuation = true
}

resource "aws_ssm_parameter" "secret" {
  for_each = var.secrets

  name             = each.value
  description      = "Secret of ${var.environment}; set its value out of band"
  type             = "SecureString"
  key_id           = var.kms_key_arn
  value_wo         = ephemeral.aws_secretsmanager_random_password.initial[each.key].random_password
  value_wo_version = 1

  tags = var.tags
}

# Plain values every task gets, e.g. KLER_CLUSTER.
resource "aws_ssm_parameter" "plain" {
  for_each = var.plain

  name  = "/kler/${var.environment}/${each.key}"
  type  = "String"
  value = each.value.value

  tags = var.tags
}
