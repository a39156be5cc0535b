# The IAM roles of one service: the execution role ECS uses to start its tasks
# (pull the image, write logs, read the secrets it injects) and the task role
# the containers run as. They live apart from the service so that the EFS
# file system policy can name the task role before the service starts.

resource "aws_iam_role" "execution" {
  name                 = var.names.execution_role
  path                 = "/kler/"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# The parameters the container gets (its secrets, and the environment's
# plain values) are read by ECS at task start with this role: exactly those
# parameters, and the key only through Parameter Store.
resource "aws_iam_role_policy" "read_parameters" {
  count = length(var.secret_parameter_arns) > 0 ? 1 : 0

  name = "read-parameters"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["ssm:GetParameters"]
        Resource = values(var.secret_parameter_arns)
      },
      {
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = [var.kms_key_arn]
        Condition = { StringEquals = { "kms:ViaService" = "ssm.${var.region}.amazonaws.com" } }
      },
    ]
  })
}

# A service that uses the database reads its credentials from the secret RDS
# keeps in Secrets Manager, encrypted with the environment's key.
resource "aws_iam_role_policy" "read_database_secret" {
  count = var.database_secret_arn == null ? 0 : 1

  name = "read-database-secret"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [var.database_secret_arn]
      },
      {
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = [var.kms_key_arn]
        Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${var.region}.amazonaws.com" } }
      },
    ]
  })
}

resource "aws_iam_role" "task" {
  name                 = var.names.task_role
  path                 = "/kler/"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}
