variable "name" {
  description = "Prefix of the names of the security group, launch template and Auto Scaling group."
  type        = string
}

variable "names" {
  description = "AWS names, made to fit by the root module's locals.tf."
  type = object({
    cluster           = string
    capacity_provider = string
    instance_role     = string
    instance_profile  = string
  })
}

variable "vpc_id" {
  description = "VPC of the instances."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets, one per availability zone."
  type        = list(string)
}

variable "instance_type" {
  description = "EC2 instance type of the container instances."
  type        = string
}

variable "min_size" {
  description = "Fewest container instances."
  type        = number
}

variable "max_size" {
  description = "Most container instances."
  type        = number
}

variable "target_capacity" {
  description = "Managed scaling's target utilization of the group, in percent."
  type        = number
  default     = 90
}

variable "permissions_boundary_arn" {
  description = "The permissions boundary every role of the environment carries (kler-bootstrap's kler-environment-boundary); the provisioning role may create roles only with it, under /kler/."
  type        = string
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
