variable "name" {
  description = "Prefix of the names of the load balancer's security group."
  type        = string
}

variable "names" {
  description = "AWS names, made to fit by the root module's locals.tf."
  type = object({
    load_balancer      = string
    access_logs_bucket = string
  })
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
}

variable "vpc_cidr_block" {
  description = "The VPC's range, where the services run."
  type        = string
}

variable "subnet_ids" {
  description = "Public subnets, one per availability zone."
  type        = list(string)
}

variable "services" {
  description = "Services behind the load balancer, by name."
  type = map(object({
    target_group_name = string
    container_port    = number
    health_check_path = string
    path_patterns     = list(string)
    priority          = number
  }))

  # The load balancer refuses a second rule at a priority; say so at plan time.
  validation {
    condition     = length(distinct([for service in values(var.services) : service.priority])) == length(var.services)
    error_message = "Two services have the same listener rule priority; give each service a priority of its own."
  }

  validation {
    condition     = alltrue([for service in values(var.services) : length(service.path_patterns) >= 1 && length(service.path_patterns) <= 5])
    error_message = "A listener rule matches 1 to 5 path patterns."
  }
}

variable "domain_name" {
  description = "The name the environment answers at over HTTPS."
  type        = string
}

variable "hosted_zone_id" {
  description = "Route 53 zone of domain_name: it validates the issued certificate and points domain_name at the load balancer. Null when certificate_arn is given and the name is managed elsewhere."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "An existing ACM certificate for domain_name in the region; null issues one (DNS validation in hosted_zone_id)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn != null || var.hosted_zone_id != null
    error_message = "Give hosted_zone_id (a certificate is issued and validated there) or certificate_arn."
  }
}

variable "account_id" {
  description = "The environment's AWS account: the load balancer's logs are under AWSLogs/<account_id>/."
  type        = string
}

variable "access_log_retention_days" {
  description = "Days the access logs are kept."
  type        = number
}

variable "force_destroy" {
  description = "Delete the access logs bucket with its logs when the environment is destroyed (development)."
  type        = bool
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion (production)."
  type        = bool
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
