variable "name" {
  description = "Who to greet."
  type        = string
}

output "text" {
  description = "The greeting."
  value       = "Hello, ${var.name}!"
}
