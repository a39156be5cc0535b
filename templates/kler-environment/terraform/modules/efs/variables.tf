variable "name" {
  description = "Name of the file system (its Name tag) and prefix of its security group's."
  type        = string
}

variable "creation_token" {
  description = "The file system's creation token, made to fit (64 characters) by the root module's locals.tf."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the mount targets."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets: one mount target each."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to mount the file system."
  type        = list(string)
}

variable "access_points" {
  description = "The services that mount the file system, by name, with the task role each mounts as."
  type = map(object({
    task_role_arn = string
  }))
}

variable "kms_key_arn" {
  description = "The environment's KMS key, for encryption at rest."
  type        = string
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
