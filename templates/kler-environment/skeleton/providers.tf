provider "aws" {
  region              = local.region
  allowed_account_ids = [local.account_id]

  # Every resource carries the environment's tags; the Auto Scaling group
  # propagates them to its instances itself.
  default_tags {
    tags = local.tags
  }
}
