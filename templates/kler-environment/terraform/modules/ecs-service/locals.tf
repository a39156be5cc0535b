locals {
  # What the container gets from outside its image: the environment's
  # parameters and the service's own secrets, both read from Parameter Store
  # by ECS at start, and for a service that uses the database where it is
  # and its credentials (the JSON keys of the secret RDS keeps in Secrets
  # Manager).
  secrets = merge(var.secret_parameter_arns, var.database == null ? {} : {
    DATABASE_USERNAME = "${var.database.secret_arn}:username::"
    DATABASE_PASSWORD = "${var.database.secret_arn}:password::"
  })
  environment = merge(var.environment_variables, var.database == null ? {} : {
    DATABASE_HOST = var.database.host
    DATABASE_PORT = tostring(var.database.port)
    DATABASE_NAME = var.database.name
  })
  security_group_ids = concat(
    [var.cluster_security_group_id, aws_security_group.service.id],
    var.database == null ? [] : [var.database.client_security_group_id],
  )
}
