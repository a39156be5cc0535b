provider "aws" {
  region              = var.aws_region
  allowed_account_ids = [var.aws_account_id]

  # Every resource carries the environment's tags; the Auto Scaling group
  # propagates them to its instances itself.
  default_tags {
    tags = local.tags
  }
}
