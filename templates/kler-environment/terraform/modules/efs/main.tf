# A shared EFS file system, always encrypted at rest (and mounted with TLS by
# the services), with a mount target in every private subnet. Tagged so the
# environment's AWS Backup selection covers it.

resource "aws_efs_file_system" "this" {
  creation_token   = var.creation_token
  encrypted        = true
  kms_key_id       = var.kms_key_arn
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"

  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }

  tags = merge(var.tags, { Name = var.name, "kler:backup" = "true" })
}

resource "aws_security_group" "efs" {
  name        = "${var.name}-efs"
  description = "NFS to ${var.name} from the ECS tasks"
  vpc_id      = var.vpc_id

  ingress {
    description     = "NFS"
    from_port       = 2049
    to_port         = 2049
    protocol        = "tcp"
    security_groups = var.client_security_group_ids
  }

  tags = merge(var.tags, { Name = "${var.name}-efs" })
}

resource "aws_efs_mount_target" "this" {
  count = length(var.subnet_ids)

  file_system_id  = aws_efs_file_system.this.id
  subnet_id       = var.subnet_ids[count.index]
  security_groups = [aws_security_group.efs.id]
}

# Refuse unencrypted (non-TLS) mounts.
resource "aws_efs_file_system_policy" "this" {
  file_system_id = aws_efs_file_system.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "*"
      Resource  = aws_efs_file_system.this.arn
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
