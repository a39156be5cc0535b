output "parameter_arns" {
  description = "By service: each environment variable its tasks get from Parameter Store, with the parameter's ARN. Both the container's secrets and the execution role's permission to read them come from here."
  value = {
    for service, secrets in var.services : service => merge(
      { for key, parameter in var.plain : parameter.variable => aws_ssm_parameter.plain[key].arn },
      { for secret in secrets : secret => aws_ssm_parameter.secret["${service}/${secret}"].arn },
    )
  }
}
