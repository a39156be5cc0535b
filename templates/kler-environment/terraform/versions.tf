terraform {
  # use_lockfile (S3 native state locking) needs Terraform 1.10 or OpenTofu 1.10.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # Partial configuration: bucket, key and region come from
  # kler.terraform.backendConfig and the plan step (-backend-config=...).
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
