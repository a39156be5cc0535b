variable "repositories" {
  description = "The repository name of each service, by service."
  type        = map(string)
}

variable "kms_key_arn" {
  description = "The environment's KMS key, which encrypts the images."
  type        = string
}

variable "keep_images" {
  description = "Images kept per repository; older ones expire."
  type        = number

  validation {
    condition     = var.keep_images >= 10
    error_message = "Keep at least 10 images, so a rollback finds its image."
  }
}

variable "force_delete" {
  description = "Delete a repository with its images when the environment is destroyed (development)."
  type        = bool
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
}
