output "dns_name" {
  description = "Where the environment answers."
  value       = aws_lb.this.dns_name
}

output "arn_suffix" {
  description = "For CloudWatch alarms on the load balancer."
  value       = aws_lb.this.arn_suffix
}

output "security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.alb.id
}

output "target_group_arns" {
  description = "Target group of each service, once its listener rule attaches it to the load balancer: ECS refuses a service whose target group has no load balancer (\"The target group ... does not have an associated load balancer\")."
  value       = { for name, group in aws_lb_target_group.service : name => group.arn }

  depends_on = [aws_lb_listener_rule.service]
}

output "target_group_arn_suffixes" {
  description = "For CloudWatch alarms on each target group."
  value       = { for name, group in aws_lb_target_group.service : name => group.arn_suffix }
}

output "listener_arn" {
  description = "The HTTPS listener the services' rules attach to."
  value       = aws_lb_listener.https.arn
}

output "url" {
  description = "Where the environment answers."
  value       = "https://${var.domain_name}"
}
