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

output "token_shown" {
  description = "Shows the secret in clear (nonsensitive), so a test can check that the actions mask it in the plan's log and in outputs."
  value       = "token is ${nonsensitive(var.api_token)}"
}
