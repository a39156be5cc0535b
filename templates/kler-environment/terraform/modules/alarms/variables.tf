variable "environment" {
  description = "Name of the environment."
  type        = string
}

variable "topic_name" {
  description = "Name of the alarms' SNS topic."
  type        = string
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

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
