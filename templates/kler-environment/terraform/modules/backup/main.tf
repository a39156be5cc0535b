# AWS Backup for the environment: a vault (the environment's
# kler.io/backup-vault), a plan on the chosen schedule with the retention the
# template asked for, and a selection of every resource tagged with the
# environment's kler:environment and kler:backup = true.

locals {
  schedules = {
    daily  = "cron(0 3 * * ? *)"
    hourly = "cron(0 * * * ? *)"
  }
}

resource "aws_backup_vault" "this" {
  name        = var.names.vault
  kms_key_arn = var.kms_key_arn

  tags = var.tags
}

resource "aws_backup_plan" "this" {
  name = var.names.plan

  rule {
    rule_name         = "${var.schedule}-${var.retention_days}d"
    target_vault_name = aws_backup_vault.this.name
    schedule          = local.schedules[var.schedule]
    start_window      = 60
    completion_window = 360

    lifecycle {
      delete_after = var.retention_days
    }

    recovery_point_tags = var.tags
  }

  tags = var.tags
}

resource "aws_iam_role" "backup" {
  name = var.names.role
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "backup.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "backup" {
  role       = aws_iam_role.backup.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_iam_role_policy_attachment" "restore" {
  role       = aws_iam_role.backup.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"
}

resource "aws_backup_selection" "tagged" {
  name         = var.names.selection
  plan_id      = aws_backup_plan.this.id
  iam_role_arn = aws_iam_role.backup.arn
  resources    = ["*"]

  condition {
    string_equals {
      key   = "aws:ResourceTag/kler:environment"
      value = var.environment
    }
    string_equals {
      key   = "aws:ResourceTag/kler:backup"
      value = "true"
    }
  }
}
