variable "identifier" {
  description = "The DB instance identifier, made to fit RDS's rules by the root module's locals.tf."
  type        = string
}

variable "subnet_group_name" {
  description = "Name of the DB subnet group."
  type        = string
}

variable "engine" {
  description = "postgres or mysql."
  type        = string

  validation {
    condition     = contains(["postgres", "mysql"], var.engine)
    error_message = "engine is postgres or mysql."
  }
}

variable "instance_class" {
  description = "The DB instance class, e.g. db.t4g.medium."
  type        = string
}

variable "allocated_storage" {
  description = "Storage in GiB; it grows up to four times that on its own."
  type        = number
}

variable "production" {
  description = "Multi-AZ, deletion protection, a final snapshot and 14 days of point-in-time recovery."
  type        = bool
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets, one per availability zone."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "The environment's KMS key: storage and the master password's secret."
  type        = string
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
