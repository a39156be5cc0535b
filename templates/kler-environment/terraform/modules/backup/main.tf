# AWS Backup for the environment: a vault (the environment's
# kler.io/backup-vault) encrypted with the environment's key, a plan on the
# chosen schedule with the retention the template asked for, and a selection
# of every resource tagged with the environment's kler:environment and
# kler:backup = true (the EFS file system and the database).
#
# Production locks the vault (compliance mode: once the grace period is over
# nobody, root included, can delete a recovery point before its retention
# ends or undo the lock) and copies every recovery point to a vault in a
# second region, encrypted with a key of that region.

locals {
  schedules = {
    daily  = "cron(0 3 * * ? *)"
    hourly = "cron(0 * * * ? *)"
  }
  # A backup job whose retention is below the lock's minimum fails.
  lock_min_retention_days = min(var.retention_days, 7)
}

resource "aws_backup_vault" "this" {
  name          = var.names.vault
  kms_key_arn   = var.kms_key_arn
  force_destroy = !var.vault_lock

  tags = var.tags
}

resource "aws_backup_vault_lock_configuration" "this" {
  count = var.vault_lock ? 1 : 0

  backup_vault_name   = aws_backup_vault.this.name
  min_retention_days  = local.lock_min_retention_days
  max_retention_days  = 3650
  changeable_for_days = 3
}

resource "aws_kms_key" "copy" {
  provider = aws.copy
  count    = var.copy ? 1 : 0

  description             = "KLER ${var.environment}: backup copies"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_backup_vault" "copy" {
  provider = aws.copy
  count    = var.copy ? 1 : 0

  name        = var.names.vault
  kms_key_arn = aws_kms_key.copy[0].arn

  tags = var.tags
}

resource "aws_backup_vault_lock_configuration" "copy" {
  provider = aws.copy
  count    = var.copy && var.vault_lock ? 1 : 0

  backup_vault_name   = aws_backup_vault.copy[0].name
  min_retention_days  = local.lock_min_retention_days
  max_retention_days  = 3650
  changeable_for_days = 3
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

    dynamic "copy_action" {
      for_each = var.copy ? [1] : []

      content {
        destination_vault_arn = aws_backup_vault.copy[0].arn

        lifecycle {
          delete_after = var.retention_days
        }
      }
    }

    recovery_point_tags = var.tags
  }

  tags = var.tags
}

resource "aws_iam_role" "backup" {
  name                 = var.names.role
  path                 = "/kler/"
  permissions_boundary = var.permissions_boundary_arn
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
