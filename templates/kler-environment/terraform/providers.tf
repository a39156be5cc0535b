provider "aws" {
  region              = var.aws_region
  allowed_account_ids = [var.aws_account_id]

  # Every resource carries the environment's tags; the Auto Scaling group
  # propagates them to its instances itself.
  default_tags {
    tags = local.tags
  }
}

# The second region production's backups are copied to (modules/backup).
provider "aws" {
  alias               = "backup_copy"
  region              = local.backup_copy_region
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = local.tags
  }
}
