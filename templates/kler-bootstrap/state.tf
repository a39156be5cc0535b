# The Terraform state of every KLER environment, in the state account only:
# one bucket, versioned (every state ever written can be restored), encrypted
# with a KMS key of its own, private, TLS-only. Locking is S3's own
# (use_lockfile in the environments' backend): a .tflock object beside the
# state, so there is no DynamoDB table.

locals {
  state_account_roots = [for id in sort(distinct(concat([var.account_id], var.environment_account_ids))) : "arn:aws:iam::${id}:root"]
}

resource "aws_kms_key" "state" {
  count = local.state_account ? 1 : 0

  description             = "KLER Terraform state"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountIamPolicies"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${var.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # The provisioning and pipeline roles of the environment accounts,
        # through S3 only.
        Sid       = "StateUsers"
        Effect    = "Allow"
        Principal = { AWS = local.state_account_roots }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          ArnEquals    = { "aws:PrincipalArn" = local.state_user_role_arns }
          StringEquals = { "kms:ViaService" = "s3.${var.region}.amazonaws.com" }
        }
      },
    ]
  })
}

resource "aws_kms_alias" "state" {
  count = local.state_account ? 1 : 0

  name          = "alias/kler-terraform-state"
  target_key_id = aws_kms_key.state[0].key_id
}

resource "aws_s3_bucket" "state" {
  count = local.state_account ? 1 : 0

  bucket = var.state_bucket_name
}

resource "aws_s3_bucket_versioning" "state" {
  count = local.state_account ? 1 : 0

  bucket = aws_s3_bucket.state[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  count = local.state_account ? 1 : 0

  bucket = aws_s3_bucket.state[0].id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state[0].arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  count = local.state_account ? 1 : 0

  bucket = aws_s3_bucket.state[0].id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  count = local.state_account ? 1 : 0

  bucket = aws_s3_bucket.state[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Old versions of a state are kept 90 days: long enough to roll back a bad
# apply, short enough not to pile up.
resource "aws_s3_bucket_lifecycle_configuration" "state" {
  count = local.state_account ? 1 : 0

  bucket = aws_s3_bucket.state[0].id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 90
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

resource "aws_s3_bucket_policy" "state" {
  count = local.state_account ? 1 : 0

  bucket = aws_s3_bucket.state[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.state[0].arn, "${aws_s3_bucket.state[0].arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "StateUsersList"
        Effect    = "Allow"
        Principal = { AWS = local.state_account_roots }
        Action    = "s3:ListBucket"
        Resource  = aws_s3_bucket.state[0].arn
        Condition = { ArnEquals = { "aws:PrincipalArn" = local.state_user_role_arns } }
      },
      {
        # States and their lock files (.tflock) under environments/.
        Sid       = "StateUsersReadWrite"
        Effect    = "Allow"
        Principal = { AWS = local.state_account_roots }
        Action    = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource  = "${aws_s3_bucket.state[0].arn}/environments/*"
        Condition = { ArnEquals = { "aws:PrincipalArn" = local.state_user_role_arns } }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.state]
}

locals {
  state_bucket_arn  = "arn:aws:s3:::${var.state_bucket_name}"
  state_kms_key_arn = local.state_account ? aws_kms_key.state[0].arn : var.state_kms_key_arn
}
