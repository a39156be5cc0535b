variable "environment" {
  description = "Name of the environment."
  type        = string
}

variable "topic_name" {
  description = "Name of the alarms' SNS topic."
  type        = string
}

variable "kms_key_arn" {
  description = "The environment's KMS key, which encrypts the topic."
  type        = string
}

variable "emails" {
  description = "Email addresses subscribed to the alarms."
  type        = list(string)
  default     = []
}

variable "https_endpoint" {
  description = "An HTTPS endpoint subscribed to the alarms, or null."
  type        = string
  default     = null
}

variable "cluster_name" {
  description = "The ECS cluster."
  type        = string
}

variable "load_balancer_arn_suffix" {
  description = "ARN suffix of the load balancer."
  type        = string
}

variable "target_group_arn_suffixes" {
  description = "ARN suffix of each service's target group, by service."
  type        = map(string)
}

variable "backup_vault_name" {
  description = "The environment's backup vault."
  type        = string
}

variable "database_identifier" {
  description = "The environment's DB instance, or null."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
