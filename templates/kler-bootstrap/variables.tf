# kler-bootstrap's values, in terraform.tfvars.json (or -var). The
# validations refuse what would widen a trust: the repository is exact, role
# ARNs are role ARNs.

variable "account_id" {
  description = "The AWS account this bootstrap prepares; the provider refuses any other."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id is a 12-digit AWS account id."
  }
}

variable "region" {
  description = "The region of the state bucket and of the environments' pipeline."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["eu-west-1", "eu-central-1", "eu-west-2", "eu-west-3", "eu-north-1"], var.region)
    error_message = "region is one of eu-west-1, eu-central-1, eu-west-2, eu-west-3, eu-north-1."
  }
}

variable "tier" {
  description = "development or production, as kler.terraform.accounts says of the account. The pipeline role trusts the GitHub environment of that name."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["development", "production"], var.tier)
    error_message = "tier is development or production."
  }
}

variable "portal_role_arn" {
  description = "The IAM role the portal's backend runs as (its instance, task or IRSA role): the provisioning and read roles trust it."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$", var.portal_role_arn))
    error_message = "portal_role_arn is an IAM role ARN such as arn:aws:iam::333333333333:role/kler-portal."
  }
}

variable "environments_repository" {
  description = "The GitHub repository of the environments, owner/name: only its Actions workflows may assume the pipeline role."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.environments_repository))
    error_message = "environments_repository is a GitHub repository owner/name such as kler/environments, without wildcards."
  }
}

variable "state_bucket_name" {
  description = "The S3 bucket of every environment's Terraform state (kler.terraform.backendConfig.bucket)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name is an S3 bucket name: 3 to 63 lower-case letters, digits and hyphens."
  }
}

variable "state_account_id" {
  description = "The account that holds the state bucket. Bootstrap it first: there the bucket and its key are created."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.state_account_id))
    error_message = "state_account_id is a 12-digit AWS account id."
  }
}

variable "environment_account_ids" {
  description = "Every account KLER environments live in (kler.terraform.accounts): their provisioning and pipeline roles may use the state bucket. Read in the state account only."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.environment_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "environment_account_ids are 12-digit AWS account ids."
  }
}

variable "state_kms_key_arn" {
  description = "In an account without the bucket: the state key's ARN, output state_kms_key_arn of the state account's bootstrap."
  type        = string
  default     = null

  validation {
    condition     = var.state_kms_key_arn == null || can(regex("^arn:aws:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", var.state_kms_key_arn))
    error_message = "state_kms_key_arn is a KMS key ARN such as arn:aws:kms:eu-west-1:222222222222:key/<id>."
  }

  validation {
    condition     = var.account_id == var.state_account_id || var.state_kms_key_arn != null
    error_message = "This account does not hold the state bucket: give state_kms_key_arn, the state account's output."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub Actions OIDC provider; false when the account has one already (there is one per URL)."
  type        = bool
  default     = true
  nullable    = false
}
