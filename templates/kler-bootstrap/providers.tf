provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = {
      "kler:managed-by" = "kler-bootstrap"
      "kler:tier"       = var.tier
    }
  }
}
