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

# One access point per service: every service mounts the same /shared
# directory as the same POSIX user (so files stay shared between them), each
# through its own access point, which the file system policy ties to the
# service's task role.
resource "aws_efs_access_point" "service" {
  for_each = var.access_points

  file_system_id = aws_efs_file_system.this.id

  posix_user {
    uid = 1000
    gid = 1000
  }

  root_directory {
    path = "/shared"

    creation_info {
      owner_uid   = 1000
      owner_gid   = 1000
      permissions = "0770"
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}", "kler:service" = each.key })
}

# A file system policy replaces EFS's default, which lets every client that
# can reach a mount target mount and write. This one refuses anything but TLS
# and allows each service's task role to mount and write only through its
# own access point; nobody gets root access.
resource "aws_efs_file_system_policy" "this" {
  file_system_id = aws_efs_file_system.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat([local.deny_insecure_transport], local.allow_services_through_access_points)
  })
}

locals {
  deny_insecure_transport = {
    Sid       = "DenyInsecureTransport"
    Effect    = "Deny"
    Principal = { AWS = "*" }
    Action    = "*"
    Resource  = aws_efs_file_system.this.arn
    Condition = { Bool = { "aws:SecureTransport" = "false" } }
  }
  allow_services_through_access_points = [
    for service, access_point in var.access_points : {
      Effect    = "Allow"
      Principal = { AWS = access_point.task_role_arn }
      Action    = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      Resource  = aws_efs_file_system.this.arn
      Condition = {
        StringEquals = { "elasticfilesystem:AccessPointArn" = aws_efs_access_point.service[service].arn }
        Bool         = { "elasticfilesystem:AccessedViaMountTarget" = "true" }
      }
    }
  ]
}
