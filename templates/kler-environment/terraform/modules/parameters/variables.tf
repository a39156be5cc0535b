variable "environment" {
  description = "Name of the environment: parameters live under /kler/<environment>/."
  type        = string
}

variable "secrets" {
  description = "Secret parameters (SecureString) by <service>/<NAME>, each with its parameter name. Their values are set out of band."
  type        = map(string)
  default     = {}
}

variable "services" {
  description = "The environment variables of each service's secrets, by service."
  type        = map(list(string))
}

variable "plain" {
  description = "Non-secret parameters every service gets, by name: the environment variable and the value."
  type = map(object({
    variable = string
    value    = string
  }))
  default = {}
}

variable "kms_key_arn" {
  description = "KMS key of the SecureString parameters."
  type        = string
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
