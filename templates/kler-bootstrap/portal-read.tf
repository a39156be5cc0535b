# kler-portal-read: what the environments backend reads with, and nothing
# else. Its actions are generated from ENVIRONMENT_AREA_IAM_ACTIONS
# (portal-read-actions.json, see locals.tf). Reads cannot be narrowed to
# resources: most of these Describe and List calls take none.

resource "aws_iam_policy" "portal_read" {
  name        = "kler-portal-read"
  description = "The environments backend's reads (ENVIRONMENT_AREA_IAM_ACTIONS)"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = local.portal_read_actions
      Resource = "*"
    }]
  })
}

resource "aws_iam_role" "portal_read" {
  name        = local.portal_read_role_name
  description = "The KLER portal's environments backend: reads the environments"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = var.portal_role_arn }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "portal_read" {
  role       = aws_iam_role.portal_read.name
  policy_arn = aws_iam_policy.portal_read.arn
}
