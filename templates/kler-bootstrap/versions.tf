terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.25"
    }
  }

  # Local state: kler-bootstrap runs once per account, by hand, before the
  # state bucket exists. Keep terraform.tfstate safe (it holds no secret), or
  # move it into the bucket afterwards (README).
}
