output "execution_role_arn" {
  description = "The role ECS starts the service's tasks with."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "The role the service's containers run as."
  value       = aws_iam_role.task.arn
}
