output "connection" {
  description = "What a service that uses the database gets: where it is, its name, the Secrets Manager secret with the master user's username and password, and the security group its tasks carry."
  value = {
    host                     = aws_db_instance.this.address
    port                     = aws_db_instance.this.port
    name                     = aws_db_instance.this.db_name
    secret_arn               = aws_db_instance.this.master_user_secret[0].secret_arn
    client_security_group_id = aws_security_group.clients.id
  }
}

output "identifier" {
  description = "The DB instance, for alarms."
  value       = aws_db_instance.this.identifier
}
