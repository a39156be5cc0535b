output "repository_urls" {
  description = "Where to push each service's images."
  value       = { for service, repository in aws_ecr_repository.service : service => repository.repository_url }
}
