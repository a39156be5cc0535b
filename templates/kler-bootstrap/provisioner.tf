# kler-provisioner: the role the portal's Terraform runs as in this account
# (aws.accounts roleName), trusted by the portal's own role only.
#
# Honest about its breadth: it manages everything kler-environment creates,
# and most of that is granted on the service as a whole (EC2, ECS, load
# balancing, Auto Scaling, CloudWatch, SNS, EFS, RDS, AWS Backup, ECR, ACM,
# Route 53 records) because those services cannot be scoped to resources that
# do not exist yet. That is what an environment needs, and in this account it
# can therefore change or delete any resource of those services, not only
# KLER's. Where a wider grant would hand over the account, it is narrowed:
#   - IAM: roles and instance profiles only under /kler/, created only with
#     the environment boundary (boundary.tf), passed only to ECS tasks, EC2
#     and AWS Backup; nothing else in IAM, so not itself, the bootstrap's
#     roles or the boundary;
#   - KMS: only keys tagged kler:managed-by = backstage-scaffolder, which the
#     environments' provider tags every key with, and aliases under
#     alias/kler/; not the state key;
#   - S3: only the environments' access-log buckets and the state;
#   - Parameter Store: only /kler/; Secrets Manager: only the database
#     secrets RDS keeps (rds!...).
# Use an account per tier (as kler.terraform.accounts does) so that this
# breadth stays within one tier's account.

locals {
  environment_tag = { "aws:ResourceTag/kler:managed-by" = "backstage-scaffolder" }
}

resource "aws_iam_policy" "provision" {
  name        = "kler-provision"
  description = "What kler-environment creates, except IAM (kler-provision-iam)"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "EnvironmentServices"
        Effect = "Allow"
        Action = [
          "ec2:*",
          "autoscaling:*",
          "ecs:*",
          "elasticloadbalancing:*",
          "application-autoscaling:*",
          "cloudwatch:*",
          "logs:*",
          "sns:*",
          "elasticfilesystem:*",
          "rds:*",
          "backup:*",
          "backup-storage:*",
          "ecr:*",
          "acm:*",
          "route53:GetHostedZone",
          "route53:ListHostedZones",
          "route53:ListResourceRecordSets",
          "route53:ChangeResourceRecordSets",
          "route53:GetChange",
          "ssm:DescribeParameters",
          "secretsmanager:GetRandomPassword",
          "tag:GetResources",
          "sts:GetCallerIdentity",
        ]
        Resource = "*"
      },
      {
        Sid      = "EnvironmentParameters"
        Effect   = "Allow"
        Action   = ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"]
        Resource = "arn:aws:ssm:*:${var.account_id}:parameter/kler/*"
      },
      {
        # The ECS-optimized AMI id, a public parameter of AWS.
        Sid      = "EcsAmi"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter", "ssm:GetParameters"]
        Resource = "arn:aws:ssm:*::parameter/aws/service/ecs/*"
      },
      {
        Sid      = "DatabaseSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret", "secretsmanager:TagResource", "secretsmanager:RotateSecret", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret"]
        Resource = "arn:aws:secretsmanager:*:${var.account_id}:secret:rds!*"
      },
      {
        Sid       = "CreateEnvironmentKeys"
        Effect    = "Allow"
        Action    = ["kms:CreateKey", "kms:TagResource"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:RequestTag/kler:managed-by" = "backstage-scaffolder" } }
      },
      {
        Sid       = "EnvironmentKeys"
        Effect    = "Allow"
        Action    = "kms:*"
        Resource  = "*"
        Condition = { StringEquals = local.environment_tag }
      },
      {
        Sid      = "EnvironmentKeyAliases"
        Effect   = "Allow"
        Action   = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
        Resource = "arn:aws:kms:*:${var.account_id}:alias/kler/*"
      },
      {
        Sid      = "ListKeys"
        Effect   = "Allow"
        Action   = ["kms:ListKeys", "kms:ListAliases"]
        Resource = "*"
      },
      {
        Sid      = "AccessLogBuckets"
        Effect   = "Allow"
        Action   = "s3:*"
        Resource = ["arn:aws:s3:::kler-*-alb-logs-${var.account_id}", "arn:aws:s3:::kler-*-alb-logs-${var.account_id}/*"]
      },
    ]
  })
}

resource "aws_iam_policy" "provision_iam" {
  name        = "kler-provision-iam"
  description = "The IAM part of what kler-environment creates: roles under /kler/ with the environment boundary"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "RolesWithTheBoundary"
        Effect   = "Allow"
        Action   = ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"]
        Resource = "arn:aws:iam::${var.account_id}:role/kler/*"
        Condition = {
          StringEquals = { "iam:PermissionsBoundary" = aws_iam_policy.environment_boundary.arn }
        }
      },
      {
        Sid    = "EnvironmentRoles"
        Effect = "Allow"
        Action = [
          "iam:GetRole",
          "iam:GetRolePolicy",
          "iam:ListRolePolicies",
          "iam:ListAttachedRolePolicies",
          "iam:ListInstanceProfilesForRole",
          "iam:ListRoleTags",
          "iam:TagRole",
          "iam:UntagRole",
          "iam:UpdateRole",
          "iam:UpdateRoleDescription",
          "iam:UpdateAssumeRolePolicy",
          "iam:DeleteRole",
        ]
        Resource = "arn:aws:iam::${var.account_id}:role/kler/*"
      },
      {
        Sid    = "EnvironmentInstanceProfiles"
        Effect = "Allow"
        Action = [
          "iam:CreateInstanceProfile",
          "iam:DeleteInstanceProfile",
          "iam:GetInstanceProfile",
          "iam:AddRoleToInstanceProfile",
          "iam:RemoveRoleFromInstanceProfile",
          "iam:TagInstanceProfile",
          "iam:UntagInstanceProfile",
          "iam:ListInstanceProfileTags",
        ]
        Resource = "arn:aws:iam::${var.account_id}:instance-profile/kler/*"
      },
      {
        Sid      = "PassEnvironmentRolesToTheirServices"
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::${var.account_id}:role/kler/*"
        Condition = {
          StringEquals = { "iam:PassedToService" = ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "backup.amazonaws.com"] }
        }
      },
      {
        Sid      = "ServiceLinkedRoles"
        Effect   = "Allow"
        Action   = "iam:CreateServiceLinkedRole"
        Resource = "*"
        Condition = {
          StringEquals = {
            "iam:AWSServiceName" = [
              "ecs.amazonaws.com",
              "ecs.application-autoscaling.amazonaws.com",
              "autoscaling.amazonaws.com",
              "elasticloadbalancing.amazonaws.com",
              "elasticfilesystem.amazonaws.com",
              "rds.amazonaws.com",
              "backup.amazonaws.com",
            ]
          }
        }
      },
      {
        # The managed policies the environments attach, read by the provider.
        Sid      = "ReadPolicies"
        Effect   = "Allow"
        Action   = ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"]
        Resource = "*"
      },
    ]
  })
}

# Read and write the environments' state: the bucket and its key (in the
# state account, or given as state_kms_key_arn).
resource "aws_iam_policy" "state" {
  name        = "kler-terraform-state"
  description = "The environments' Terraform state and its lock files"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = local.state_bucket_arn
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = "${local.state_bucket_arn}/environments/*"
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource = local.state_kms_key_arn
      },
    ]
  })
}

resource "aws_iam_role" "provisioner" {
  name                 = local.provisioner_role_name
  description          = "Terraform of the KLER portal: creates and changes KLER environments"
  max_session_duration = 7200

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = var.portal_role_arn }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "provisioner" {
  for_each = {
    provision     = aws_iam_policy.provision.arn
    provision_iam = aws_iam_policy.provision_iam.arn
    state         = aws_iam_policy.state.arn
    portal_read   = aws_iam_policy.portal_read.arn
  }

  role       = aws_iam_role.provisioner.name
  policy_arn = each.value
}
