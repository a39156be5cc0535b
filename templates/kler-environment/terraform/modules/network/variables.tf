variable "name" {
  description = "Name of the VPC and prefix of its parts."
  type        = string
}

variable "cidr_block" {
  description = "The VPC's address range."
  type        = string
  default     = "10.0.0.0/16"
}

variable "availability_zone_count" {
  description = "Availability zones to spread over: 2 or 3."
  type        = number

  validation {
    condition     = var.availability_zone_count >= 2 && var.availability_zone_count <= 3
    error_message = "An environment spans two or three availability zones."
  }
}

variable "nat_gateway_per_zone" {
  description = "One NAT gateway per zone (production) instead of one shared."
  type        = bool
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
