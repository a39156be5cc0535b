output "cluster_name" {
  description = "The environment's ECS cluster."
  value       = module.cluster.cluster_name
}

output "url" {
  description = "Where the environment answers."
  value       = module.load_balancer.url
}

output "load_balancer_dns_name" {
  description = "The load balancer's own name: point domain_name at it when its zone is not given."
  value       = module.load_balancer.dns_name
}

output "backup_vault_name" {
  description = "The environment's backup vault."
  value       = module.backup.vault_name
}

output "availability_zones" {
  description = "The zones the environment spans."
  value       = module.network.availability_zones
}

output "alarm_topic_arn" {
  description = "SNS topic of the environment's alarms."
  value       = module.alarms.topic_arn
}

output "ecr_repository_urls" {
  description = "Each service's ECR repository: push its images here, then set its image_tag."
  value       = module.ecr.repository_urls
}
