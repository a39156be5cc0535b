# The environment's customer-managed KMS key: EFS, the database, Parameter
# Store secrets, ECR, the alarms topic, container logs and the backup vault
# are encrypted with it, so the account decides who may decrypt them and
# CloudTrail records every use. Rotated yearly.

locals {
  account_root = "arn:aws:iam::${var.account_id}:root"
}

resource "aws_kms_key" "this" {
  description             = "KLER environment ${var.environment}"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # IAM policies of the account decide the rest (the execution roles
        # decrypt their parameters through SSM only).
        Sid       = "AccountIamPolicies"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # CloudWatch alarms publish to the encrypted alarms topic.
        Sid       = "CloudWatchAlarmsToTheTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
      },
      {
        # CloudWatch Logs encrypts the environment's log groups, and no others.
        Sid       = "CloudWatchLogsOfTheEnvironment"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:aws:logs:${var.region}:${var.account_id}:log-group:/kler/${var.environment}/*"
          }
        }
      },
    ]
  })

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = var.alias
  target_key_id = aws_kms_key.this.key_id
}
