terraform {
  # Write-only arguments (the secrets' value_wo) need Terraform 1.11; S3
  # native state locking (use_lockfile) 1.10.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.25"
    }
  }

  # Partial configuration: bucket, key and region come from
  # kler.terraform.backendConfig and the plan step (-backend-config=...).
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
