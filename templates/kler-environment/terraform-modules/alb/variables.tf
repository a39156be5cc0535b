variable "name" {
  description = "Name of the load balancer."
  type        = string
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
    container_port    = number
    health_check_path = string
    path_patterns     = list(string)
    priority          = number
  }))
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion (production)."
  type        = bool
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
