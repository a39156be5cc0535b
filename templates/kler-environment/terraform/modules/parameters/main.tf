# Parameter Store entries of the environment. Secret values never appear in
# Terraform: each SecureString is created with a placeholder and its value is
# then set out of band (console, CLI or a secrets pipeline); ignore_changes
# keeps Terraform from ever resetting it.

resource "aws_ssm_parameter" "secret" {
  for_each = toset(var.secret_names)

  name        = "/kler/${var.environment}/${each.value}"
  description = "Secret ${each.value} of ${var.environment}; set its value out of band"
  type        = "SecureString"
  value       = "SET-OUT-OF-BAND"

  lifecycle {
    ignore_changes = [value]
  }

  tags = var.tags
}

resource "aws_ssm_parameter" "plain" {
  for_each = var.plain_parameters

  name  = "/kler/${var.environment}/${each.key}"
  type  = "String"
  value = each.value

  tags = var.tags
}
