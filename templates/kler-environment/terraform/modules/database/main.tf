# The environment's optional relational database (the catalog's
# shop-database): Amazon RDS for PostgreSQL or MySQL in the private subnets,
# encrypted with the environment's key, TLS required, reachable only from the
# tasks of the services that ask for it. AWS creates and keeps the master
# password in Secrets Manager (manage_master_user_password): it is never in
# Terraform. Tagged kler:backup so AWS Backup covers it besides RDS's own
# point-in-time backups. Production runs Multi-AZ, protected from deletion,
# with a final snapshot.

locals {
  engines = {
    postgres = {
      version    = "16"
      family     = "postgres16"
      port       = 5432
      tls        = { name = "rds.force_ssl", value = "1" }
      log_export = ["postgresql", "upgrade"]
    }
    mysql = {
      version    = "8.0"
      family     = "mysql8.0"
      port       = 3306
      tls        = { name = "require_secure_transport", value = "ON" }
      log_export = ["error", "slowquery"]
    }
  }
  engine = local.engines[var.engine]
}

resource "aws_db_subnet_group" "this" {
  name       = var.subnet_group_name
  subnet_ids = var.subnet_ids

  tags = var.tags
}

resource "aws_db_parameter_group" "this" {
  name   = var.identifier
  family = local.engine.family

  parameter {
    name         = local.engine.tls.name
    value        = local.engine.tls.value
    apply_method = "pending-reboot"
  }

  tags = var.tags
}

# The tasks of a service that uses the database carry this group; the
# database lets in nothing else.
resource "aws_security_group" "clients" {
  name        = "${var.identifier}-db-clients"
  description = "Tasks that may connect to the database of ${var.identifier}"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.identifier}-db-clients" })
}

resource "aws_security_group" "database" {
  name        = "${var.identifier}-db"
  description = "Database of ${var.identifier}"
  vpc_id      = var.vpc_id

  ingress {
    description     = "From the services that use the database"
    from_port       = local.engine.port
    to_port         = local.engine.port
    protocol        = "tcp"
    security_groups = [aws_security_group.clients.id]
  }

  tags = merge(var.tags, { Name = "${var.identifier}-db" })
}

resource "aws_db_instance" "this" {
  identifier     = var.identifier
  engine         = var.engine
  engine_version = local.engine.version
  instance_class = var.instance_class
  db_name        = "kler"
  port           = local.engine.port

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.allocated_storage * 4
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  username                      = "kler"
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.database.id]
  parameter_group_name   = aws_db_parameter_group.this.name
  publicly_accessible    = false

  multi_az                  = var.production
  deletion_protection       = var.production
  skip_final_snapshot       = !var.production
  final_snapshot_identifier = var.production ? "${var.identifier}-final" : null
  backup_retention_period   = var.production ? 14 : 1
  copy_tags_to_snapshot     = true
  delete_automated_backups  = !var.production
  apply_immediately         = !var.production

  auto_minor_version_upgrade          = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = local.engine.log_export

  tags = merge(var.tags, { "kler:backup" = "true" })
}
