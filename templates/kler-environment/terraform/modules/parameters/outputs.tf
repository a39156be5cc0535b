output "secret_arns" {
  description = "ARN of each secret parameter, by name."
  value       = { for name, parameter in aws_ssm_parameter.secret : name => parameter.arn }
}
