variable "names" {
  description = "AWS names, made to fit by the root module's locals.tf."
  type = object({
    execution_role = string
    task_role      = string
  })
}

variable "secret_parameter_arns" {
  description = "Environment variable name to the ARN of the SSM parameter the execution role reads for it."
  type        = map(string)
  default     = {}
}

variable "database_secret_arn" {
  description = "The database's master secret when the service uses the database, or null."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "The environment's KMS key, which encrypts the SecureString parameters."
  type        = string
}

variable "region" {
  description = "The environment's region."
  type        = string
}

variable "permissions_boundary_arn" {
  description = "The permissions boundary every role of the environment carries (kler-bootstrap's kler-environment-boundary); the provisioning role may create roles only with it, under /kler/."
  type        = string
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
