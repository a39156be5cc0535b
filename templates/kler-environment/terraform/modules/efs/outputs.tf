output "file_system_id" {
  description = "The EFS file system."
  value       = aws_efs_file_system.this.id
}

output "file_system_arn" {
  description = "ARN of the EFS file system."
  value       = aws_efs_file_system.this.arn
}

output "access_point_ids" {
  description = "Each service's access point. Read only once the file system policy allows the mounts and every zone has a mount target, so a task that mounts never starts before either."
  value       = { for service, access_point in aws_efs_access_point.service : service => access_point.id }

  depends_on = [aws_efs_file_system_policy.this, aws_efs_mount_target.this]
}
