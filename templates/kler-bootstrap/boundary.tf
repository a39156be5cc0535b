# The permissions boundary of every role a KLER environment creates (ECS
# instances, task execution, tasks, AWS Backup). The provisioning role may
# create roles only with it attached, so what Terraform applies can never
# make a role that does more than this: nothing in IAM, Organizations or the
# account's settings, whatever policy is attached to it.
resource "aws_iam_policy" "environment_boundary" {
  name        = "kler-environment-boundary"
  path        = "/kler/"
  description = "Boundary of every role a KLER environment creates"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # What the environments' roles do: run ECS tasks and hosts, pull
        # images, write logs and metrics, read their parameters and secrets,
        # mount EFS, reach hosts through Session Manager, and back up and
        # restore EFS and RDS.
        Sid    = "EnvironmentWork"
        Effect = "Allow"
        Action = [
          "ecs:*",
          "ecr:GetAuthorizationToken",
          "ecr:BatchCheckLayerAvailability",
          "ecr:GetDownloadUrlForLayer",
          "ecr:BatchGetImage",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
          "logs:DescribeLogStreams",
          "cloudwatch:PutMetricData",
          "ec2:Describe*",
          "ec2:CreateTags",
          "ssm:*",
          "ssmmessages:*",
          "ec2messages:*",
          "s3:GetEncryptionConfiguration",
          "secretsmanager:GetSecretValue",
          "secretsmanager:DescribeSecret",
          "kms:Decrypt",
          "kms:Encrypt",
          "kms:ReEncrypt*",
          "kms:GenerateDataKey*",
          "kms:DescribeKey",
          "kms:CreateGrant",
          "kms:RetireGrant",
          "elasticfilesystem:*",
          "rds:*",
          "backup:*",
          "backup-storage:*",
          "tag:GetResources",
        ]
        Resource = "*"
      },
      {
        Sid      = "NeverIam"
        Effect   = "Deny"
        Action   = ["iam:*", "organizations:*", "account:*", "sts:AssumeRole"]
        Resource = "*"
      },
    ]
  })
}
