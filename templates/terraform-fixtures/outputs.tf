output "greeting" {
  description = "A plain output."
  value       = module.greeting.text
}

output "environment_id" {
  description = "Id of the environment resource."
  value       = terraform_data.environment.id
}

output "api_token_hash" {
  description = "A sensitive output: never returned by kler:terraform:output."
  value       = sha256(var.api_token)
  sensitive   = true
}
