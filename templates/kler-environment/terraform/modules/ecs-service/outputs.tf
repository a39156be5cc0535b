output "service_name" {
  description = "The ECS service."
  value       = aws_ecs_service.this.name
}

output "log_group_name" {
  description = "Where the service's logs go."
  value       = aws_cloudwatch_log_group.this.name
}
