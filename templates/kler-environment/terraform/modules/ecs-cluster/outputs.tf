output "cluster_name" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "capacity_provider_name" {
  description = "The EC2 capacity provider services run on, once it is associated with the cluster: a service created before that fails to place its tasks."
  value       = aws_ecs_capacity_provider.this.name

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

output "instance_security_group_id" {
  description = "Security group of the container instances."
  value       = aws_security_group.instances.id
}

output "autoscaling_group_name" {
  description = "The Auto Scaling group behind the capacity provider."
  value       = aws_autoscaling_group.this.name
}
