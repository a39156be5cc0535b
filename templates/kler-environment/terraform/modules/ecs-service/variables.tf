variable "name" {
  description = "Name of the service, the same in every environment."
  type        = string
}

variable "names" {
  description = "AWS names, made to fit by the root module's locals.tf."
  type = object({
    log_group      = string
    security_group = string
    task_family    = string
  })
}

variable "environment" {
  description = "Name of the environment."
  type        = string
}

variable "cluster_name" {
  description = "The ECS cluster."
  type        = string
}

variable "cluster_arn" {
  description = "ARN of the ECS cluster."
  type        = string
}

variable "capacity_provider_name" {
  description = "The EC2 capacity provider to run on."
  type        = string
}

variable "cluster_security_group_id" {
  description = "Security group of the container instances."
  type        = string
}

variable "load_balancer_security_group_id" {
  description = "Security group of the load balancer, allowed to reach the service."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the service."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the tasks run in."
  type        = list(string)
}

variable "target_group_arn" {
  description = "Load balancer target group of the service."
  type        = string
}

variable "image" {
  description = "Container image, e.g. registry/shop-api:1.4.2."
  type        = string
}

variable "cpu" {
  description = "CPU units of a task (1024 = one vCPU)."
  type        = number
}

variable "memory" {
  description = "Memory of a task in MiB."
  type        = number
}

variable "container_port" {
  description = "Port the container listens on."
  type        = number
  default     = 8080
}

variable "desired_min" {
  description = "Fewest running tasks."
  type        = number
}

variable "desired_max" {
  description = "Most running tasks."
  type        = number

  validation {
    condition     = var.desired_max >= 1
    error_message = "A service runs at least one task."
  }
}

variable "cpu_target_percent" {
  description = "Average CPU utilization target tracking keeps the service at."
  type        = number
  default     = 60
}

variable "environment_variables" {
  description = "Plain environment variables of the container."
  type        = map(string)
  default     = {}
}

variable "execution_role_arn" {
  description = "The role ECS starts the tasks with (service-roles module)."
  type        = string
}

variable "task_role_arn" {
  description = "The role the containers run as (service-roles module)."
  type        = string
}

variable "secret_parameter_arns" {
  description = "Environment variable name to the ARN of the SSM parameter holding its value."
  type        = map(string)
  default     = {}
}

variable "database" {
  description = "The environment's database when the service uses it (database module's connection), or null."
  type = object({
    host                     = string
    port                     = number
    name                     = string
    secret_arn               = string
    client_security_group_id = string
  })
  default = null
}

variable "efs" {
  description = "The EFS file system to mount and the service's access point on it, or null."
  type = object({
    file_system_id  = string
    access_point_id = string
  })
  default = null
}

variable "efs_container_path" {
  description = "Where the EFS file system is mounted in the container."
  type        = string
  default     = "/mnt/shared"
}

variable "log_retention_days" {
  description = "Days the container logs are kept."
  type        = number
  default     = 30
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the container logs."
  type        = string
}

variable "alarm_actions" {
  description = "SNS topics notified by the service's alarms."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
