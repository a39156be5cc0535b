variable "environment" {
  description = "Name of the environment: parameters live under /kler/<environment>/."
  type        = string
}

variable "secret_names" {
  description = "Names of secret parameters (SecureString); values are set out of band."
  type        = list(string)
  default     = []
}

variable "plain_parameters" {
  description = "Non-secret parameters by name."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
