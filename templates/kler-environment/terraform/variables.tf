# The environment's values. The kler-environment template writes them into
# terraform.tfvars.json (kler:environment:setVariables) and never into a .tf
# file, so no value can become code. The validations repeat the template's
# patterns: the form and the scaffolder check them first, Terraform checks
# them again for every plan, whoever changed terraform.tfvars.json.

variable "name" {
  description = "The environment's name; its ECS cluster and backup vault are kler-<name>."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name))
    error_message = "name is 3 to 30 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "tier" {
  description = "development or production, as the portal's config (kler.terraform.accounts) says of the account."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["development", "production"], var.tier)
    error_message = "tier is development or production."
  }
}

variable "owner" {
  description = "The owning team's entity ref, e.g. group:default/platform-team."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^group:[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$", var.owner))
    error_message = "owner is a group's entity ref such as group:default/platform-team."
  }
}

variable "aws_account_id" {
  description = "The AWS account the environment lives in; the provider refuses any other."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id is a 12-digit AWS account id."
  }
}

variable "aws_region" {
  description = "The AWS region of the environment."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["eu-west-1", "eu-central-1", "eu-west-2", "eu-west-3", "eu-north-1"], var.aws_region)
    error_message = "aws_region is one of eu-west-1, eu-central-1, eu-west-2, eu-west-3, eu-north-1."
  }
}

variable "domain_name" {
  description = "The name the environment answers at over HTTPS, e.g. staging.shop.kler.example."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.domain_name) <= 253 && can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name is a lower-case DNS name with at least two labels, such as staging.shop.kler.example."
  }
}

variable "hosted_zone_id" {
  description = "The Route 53 hosted zone of domain_name: the certificate is validated there and domain_name points at the load balancer. Optional with certificate_arn."
  type        = string
  default     = null

  validation {
    condition     = var.hosted_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", var.hosted_zone_id))
    error_message = "hosted_zone_id is a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ."
  }
}

variable "certificate_arn" {
  description = "An existing ACM certificate for domain_name in aws_region. Without it, ACM issues one validated in hosted_zone_id."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$", var.certificate_arn))
    error_message = "certificate_arn is an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<id>."
  }

  validation {
    condition     = var.certificate_arn != null || var.hosted_zone_id != null
    error_message = "HTTPS needs a certificate: give hosted_zone_id or certificate_arn (or both)."
  }
}

variable "instance_type" {
  description = "EC2 instance type of the ECS hosts."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["t3.medium", "t3.large", "m6i.large", "m6i.xlarge", "c6i.large", "c6i.xlarge"], var.instance_type)
    error_message = "instance_type is one of t3.medium, t3.large, m6i.large, m6i.xlarge, c6i.large, c6i.xlarge."
  }
}

variable "capacity_min" {
  description = "Fewest ECS hosts."
  type        = number
  nullable    = false

  validation {
    condition     = var.capacity_min == floor(var.capacity_min) && var.capacity_min >= 1 && var.capacity_min <= 50
    error_message = "capacity_min is a whole number from 1 to 50."
  }
}

variable "capacity_max" {
  description = "Most ECS hosts."
  type        = number
  nullable    = false

  validation {
    condition     = var.capacity_max == floor(var.capacity_max) && var.capacity_max >= 1 && var.capacity_max <= 100
    error_message = "capacity_max is a whole number from 1 to 100."
  }

  validation {
    condition     = var.capacity_max >= var.capacity_min
    error_message = "capacity_max is at least capacity_min."
  }
}

variable "efs" {
  description = "A shared, encrypted EFS file system mounted into every service at /mnt/shared."
  type        = bool
  nullable    = false
}

variable "backup_schedule" {
  description = "How often AWS Backup backs the environment up."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["daily", "hourly"], var.backup_schedule)
    error_message = "backup_schedule is daily or hourly."
  }
}

variable "backup_retention_days" {
  description = "Days backups are kept."
  type        = number
  nullable    = false

  validation {
    condition     = var.backup_retention_days == floor(var.backup_retention_days) && var.backup_retention_days >= 1 && var.backup_retention_days <= 3650
    error_message = "backup_retention_days is a whole number from 1 to 3650."
  }
}

variable "database" {
  description = "The environment's optional RDS database (the catalog's shop-database): engine, instance class and storage in GiB. Services with database = true connect to it."
  type = object({
    enabled           = bool
    engine            = optional(string, "postgres")
    instance_class    = optional(string, "db.t4g.medium")
    allocated_storage = optional(number, 20)
  })
  default  = { enabled = false }
  nullable = false

  validation {
    condition     = contains(["postgres", "mysql"], var.database.engine)
    error_message = "database.engine is postgres or mysql."
  }

  validation {
    condition     = contains(["db.t4g.micro", "db.t4g.small", "db.t4g.medium", "db.t4g.large", "db.m7g.large", "db.m7g.xlarge", "db.r7g.large", "db.r7g.xlarge"], var.database.instance_class)
    error_message = "database.instance_class is one of db.t4g.micro, db.t4g.small, db.t4g.medium, db.t4g.large, db.m7g.large, db.m7g.xlarge, db.r7g.large, db.r7g.xlarge."
  }

  validation {
    condition     = var.database.allocated_storage == floor(var.database.allocated_storage) && var.database.allocated_storage >= 20 && var.database.allocated_storage <= 1000
    error_message = "database.allocated_storage is a whole number of GiB from 20 to 1000."
  }
}

variable "alarm_emails" {
  description = "Email addresses that get the environment's alarms (each confirms its subscription once)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition = length(var.alarm_emails) <= 10 && alltrue([
      for email in var.alarm_emails : can(regex("^[A-Za-z0-9._%+-]{1,64}@([A-Za-z0-9-]{1,63}\\.)+[A-Za-z]{2,63}$", email))
    ])
    error_message = "alarm_emails are at most 10 email addresses such as oncall@kler.example."
  }
}

variable "alarm_https_endpoint" {
  description = "An HTTPS endpoint that gets the environment's alarms (PagerDuty, Opsgenie, a chat webhook), or null."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_https_endpoint == null || can(regex("^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$", var.alarm_https_endpoint))
    error_message = "alarm_https_endpoint is an https:// URL without query string, such as https://events.pagerduty.com/integration/<key>/enqueue."
  }

  validation {
    condition     = length(var.alarm_emails) > 0 || var.alarm_https_endpoint != null
    error_message = "An environment needs at least one alarm subscriber: alarm_emails or alarm_https_endpoint."
  }
}

variable "services" {
  description = "The environment's ECS services by name. A service runs image_tag from image_repository (default: the environment's own ECR repository kler/<name>/<service>); without an image_tag it is prepared but not run. path_patterns and priority place a service on the load balancer; without them, locals.tf does (see default_service)."
  type = map(object({
    image_tag         = optional(string)
    image_repository  = optional(string)
    cpu               = number
    memory            = number
    desired_min       = number
    desired_max       = number
    container_port    = optional(number, 8080)
    health_check_path = optional(string, "/health")
    path_patterns     = optional(list(string))
    priority          = optional(number)
    secrets           = optional(list(string), [])
    database          = optional(bool, false)
  }))
  nullable = false

  # The template creates an environment with up to 20 services; the
  # kler-service template adds more, within the load balancer's rule limit.
  validation {
    condition     = length(var.services) >= 1 && length(var.services) <= 50
    error_message = "An environment has 1 to 50 services."
  }

  validation {
    condition     = alltrue([for name in keys(var.services) : can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", name))])
    error_message = "A service name is 2 to 32 lower-case letters, digits and hyphens, starting with a letter."
  }

  # An image is pinned: a tag (immutable in the environment's repositories)
  # or a digest, never latest; the repository carries no tag of its own.
  validation {
    condition = alltrue([
      for service in values(var.services) :
      service.image_tag == null ? true : (
        can(regex("^(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9._-]{0,127})$", service.image_tag)) && lower(service.image_tag) != "latest"
      )
    ])
    error_message = "A service's image_tag is a version tag such as 1.4.2 (letters, digits and . _ -) or a digest sha256:<64 hex digits>, never latest."
  }

  validation {
    condition = alltrue([
      for service in values(var.services) :
      service.image_repository == null ? true : (
        length(service.image_repository) <= 255 &&
        can(regex("^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)+$", service.image_repository))
      )
    ])
    error_message = "A service's image_repository is a repository such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api, without a tag or digest (lower-case letters, digits and . _ - /)."
  }

  validation {
    condition     = alltrue([for service in values(var.services) : contains([256, 512, 1024, 2048, 4096], service.cpu)])
    error_message = "A service's cpu is 256, 512, 1024, 2048 or 4096."
  }

  validation {
    condition     = alltrue([for service in values(var.services) : service.memory == floor(service.memory) && service.memory >= 128 && service.memory <= 30720])
    error_message = "A service's memory is a whole number of MiB from 128 to 30720."
  }

  validation {
    condition = alltrue([
      for service in values(var.services) :
      service.desired_min == floor(service.desired_min) && service.desired_min >= 1 && service.desired_min <= 100 &&
      service.desired_max == floor(service.desired_max) && service.desired_max >= 1 && service.desired_max <= 200 &&
      service.desired_max >= service.desired_min
    ])
    error_message = "A service runs desired_min (1 to 100) to desired_max (1 to 200, at least desired_min) tasks."
  }

  validation {
    condition     = alltrue([for service in values(var.services) : service.container_port == floor(service.container_port) && service.container_port >= 1 && service.container_port <= 65535])
    error_message = "A service's container_port is from 1 to 65535."
  }

  validation {
    condition     = alltrue([for service in values(var.services) : can(regex("^/[A-Za-z0-9._/-]{0,100}$", service.health_check_path))])
    error_message = "A service's health_check_path is a path such as /health (letters, digits and . _ / -)."
  }

  validation {
    condition = alltrue([
      for service in values(var.services) :
      service.path_patterns == null ? true : (
        length(service.path_patterns) <= 5 &&
        alltrue([for pattern in service.path_patterns : can(regex("^/[A-Za-z0-9._/*-]{0,100}$", pattern))])
      )
    ])
    error_message = "A service has at most 5 path_patterns, each a path such as /images/* (letters, digits and . _ / * -)."
  }

  validation {
    condition = alltrue([
      for service in values(var.services) :
      service.priority == null ? true : (service.priority == floor(service.priority) && service.priority >= 1 && service.priority <= 50000)
    ])
    error_message = "A service's priority is a whole number from 1 to 50000."
  }

  validation {
    condition     = alltrue([for service in values(var.services) : !service.database || var.database.enabled])
    error_message = "A service with database = true needs the database: set database.enabled."
  }

  # KLER_* and DATABASE_* are the variables the environment itself injects.
  validation {
    condition = alltrue([
      for service in values(var.services) :
      length(service.secrets) <= 10 && length(distinct(service.secrets)) == length(service.secrets) &&
      alltrue([for secret in service.secrets : can(regex("^[A-Z][A-Z0-9_]{0,63}$", secret)) && !startswith(secret, "KLER_") && !startswith(secret, "DATABASE_")])
    ])
    error_message = "A service's secrets are at most 10 distinct environment variable names such as APP_SECRET (upper-case letters, digits and _, not starting with KLER_ or DATABASE_)."
  }
}

variable "default_service" {
  description = "The service that answers every path no other service's rule takes (/*, evaluated last); the template's first service."
  type        = string
  nullable    = false

  validation {
    condition     = contains(keys(var.services), var.default_service)
    error_message = "default_service is one of the services."
  }
}
