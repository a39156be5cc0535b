variable "names" {
  description = "AWS names, made to fit by the root module's locals.tf; the vault is the environment's kler.io/backup-vault."
  type = object({
    vault     = string
    plan      = string
    selection = string
    role      = string
  })
}

variable "environment" {
  description = "The kler:environment tag value of the resources to back up."
  type        = string
}

variable "schedule" {
  description = "daily or hourly."
  type        = string

  validation {
    condition     = contains(["daily", "hourly"], var.schedule)
    error_message = "schedule is daily or hourly."
  }
}

variable "retention_days" {
  description = "Days a recovery point is kept."
  type        = number

  validation {
    condition     = var.retention_days >= 1
    error_message = "Recovery points are kept at least one day."
  }
}

variable "kms_key_arn" {
  description = "The environment's KMS key, which encrypts the vault."
  type        = string
}

variable "vault_lock" {
  description = "Lock the vaults in compliance mode (production)."
  type        = bool
}

variable "copy" {
  description = "Copy every recovery point to a vault in the second region (the aws.copy provider's)."
  type        = bool
}

variable "permissions_boundary_arn" {
  description = "The permissions boundary every role of the environment carries (kler-bootstrap's kler-environment-boundary); the provisioning role may create roles only with it, under /kler/."
  type        = string
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
