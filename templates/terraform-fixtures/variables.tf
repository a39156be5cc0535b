variable "name" {
  description = "Name of the fixture environment."
  type        = string
  default     = "fixture"
}

variable "generation" {
  description = "Changing it replaces terraform_data.generation."
  type        = number
  default     = 1
}

variable "fail_apply" {
  description = "Adds a resource whose creation fails."
  type        = bool
  default     = false
}

variable "api_token" {
  description = "A secret the tests pass in and expect to be masked."
  type        = string
  default     = ""
  sensitive   = true
}
