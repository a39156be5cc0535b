output "vault_name" {
  description = "The backup vault."
  value       = aws_backup_vault.this.name
}

output "plan_id" {
  description = "The backup plan."
  value       = aws_backup_plan.this.id
}
