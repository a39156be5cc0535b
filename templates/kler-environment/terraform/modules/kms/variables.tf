variable "environment" {
  description = "Name of the environment; its log groups are /kler/<environment>/..."
  type        = string
}

variable "alias" {
  description = "The key's alias, e.g. alias/kler/<environment>."
  type        = string
}

variable "account_id" {
  description = "The environment's AWS account."
  type        = string
}

variable "region" {
  description = "The environment's region."
  type        = string
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
