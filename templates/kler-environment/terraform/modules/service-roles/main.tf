# The IAM roles of one service: the execution role ECS uses to start its tasks
# (pull the image, write logs, read the secrets it injects) and the task role
# the containers run as. They live apart from the service so that the EFS
# file system policy can name the task role before the service starts.

resource "aws_iam_role" "execution" {
  name = var.names.execution_role
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

# Secrets reach the container from Parameter Store at start; their values are
# never in Terraform.
resource "aws_iam_role_policy" "read_secrets" {
  count = length(var.secret_parameter_arns) > 0 ? 1 : 0

  name = "read-secrets"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ssm:GetParameters"]
      Resource = values(var.secret_parameter_arns)
    }]
  })
}

resource "aws_iam_role" "task" {
  name = var.names.task_role
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
