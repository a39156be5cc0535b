# A KLER environment on AWS, from the local modules in modules/. Its values
# are the variables (variables.tf) in terraform.tfvars.json; what follows from
# them (names, zones, tier settings, images, tags, load balancer rules) is in
# locals.tf.

module "network" {
  source = "./modules/network"

  name                    = local.cluster_name
  availability_zone_count = local.availability_zone_count
  nat_gateway_per_zone    = local.nat_gateway_per_zone
  tags                    = local.tags
}

module "cluster" {
  source = "./modules/ecs-cluster"

  name = local.cluster_name
  names = {
    cluster           = local.names.cluster
    capacity_provider = local.names.capacity_provider
    instance_role     = local.names.instance_role
    instance_profile  = local.names.instance_profile
  }
  permissions_boundary_arn = local.permissions_boundary_arn
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.private_subnet_ids
  instance_type            = var.instance_type
  min_size                 = var.capacity_min
  max_size                 = var.capacity_max
  tags                     = local.tags
}

module "load_balancer" {
  source = "./modules/alb"

  name = local.cluster_name
  names = {
    load_balancer      = local.names.load_balancer
    access_logs_bucket = local.names.alb_logs_bucket
  }
  vpc_id                    = module.network.vpc_id
  vpc_cidr_block            = module.network.cidr_block
  subnet_ids                = module.network.public_subnet_ids
  domain_name               = var.domain_name
  hosted_zone_id            = var.hosted_zone_id
  certificate_arn           = var.certificate_arn
  account_id                = var.aws_account_id
  access_log_retention_days = local.access_log_retention_days
  deletion_protection       = local.deletion_protection
  force_destroy             = local.force_destroy
  tags                      = local.tags

  services = {
    for name, service in local.services : name => {
      target_group_name = local.service_names[name].target_group
      container_port    = service.container_port
      health_check_path = service.health_check_path
      path_patterns     = service.path_patterns
      priority          = service.priority
    }
  }
}

module "kms" {
  source = "./modules/kms"

  environment = var.name
  alias       = local.names.kms_alias
  account_id  = var.aws_account_id
  region      = var.aws_region
  tags        = local.tags
}

module "parameters" {
  source = "./modules/parameters"

  environment = var.name
  kms_key_arn = module.kms.key_arn
  secrets     = local.service_secrets
  services    = { for name, service in local.services : name => service.secrets }
  plain = {
    cluster     = { variable = "KLER_CLUSTER", value = local.cluster_name }
    environment = { variable = "KLER_ENVIRONMENT", value = var.name }
  }
  tags = local.tags
}

module "database" {
  source = "./modules/database"
  count  = var.database.enabled ? 1 : 0

  identifier        = local.names.database
  subnet_group_name = local.names.database_subnet_group
  engine            = var.database.engine
  instance_class    = var.database.instance_class
  allocated_storage = var.database.allocated_storage
  production        = local.production
  vpc_id            = module.network.vpc_id
  subnet_ids        = module.network.private_subnet_ids
  kms_key_arn       = module.kms.key_arn
  tags              = local.tags
}

module "service_roles" {
  source   = "./modules/service-roles"
  for_each = local.services

  names                    = local.service_names[each.key]
  permissions_boundary_arn = local.permissions_boundary_arn
  secret_parameter_arns    = module.parameters.parameter_arns[each.key]
  database_secret_arn      = each.value.database ? module.database[0].connection.secret_arn : null
  kms_key_arn              = module.kms.key_arn
  region                   = var.aws_region
  tags                     = local.tags
}

module "efs" {
  source = "./modules/efs"
  count  = var.efs ? 1 : 0

  name                      = "${local.cluster_name}-shared"
  creation_token            = local.names.efs_creation_token
  kms_key_arn               = module.kms.key_arn
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = [module.cluster.instance_security_group_id]
  tags                      = local.tags

  access_points = {
    for name, roles in module.service_roles : name => { task_role_arn = roles.task_role_arn }
  }
}

module "ecr" {
  source = "./modules/ecr"

  repositories = { for name in keys(local.services) : name => local.service_names[name].ecr_repository }
  kms_key_arn  = module.kms.key_arn
  keep_images  = local.ecr_keep_images
  force_delete = local.force_destroy
  tags         = local.tags
}

module "service" {
  source   = "./modules/ecs-service"
  for_each = local.running_services

  name                            = each.key
  names                           = local.service_names[each.key]
  environment                     = var.name
  cluster_name                    = module.cluster.cluster_name
  cluster_arn                     = module.cluster.cluster_arn
  capacity_provider_name          = module.cluster.capacity_provider_name
  cluster_security_group_id       = module.cluster.instance_security_group_id
  load_balancer_security_group_id = module.load_balancer.security_group_id
  vpc_id                          = module.network.vpc_id
  subnet_ids                      = module.network.private_subnet_ids
  target_group_arn                = module.load_balancer.target_group_arns[each.key]
  image                           = each.value.image
  cpu                             = each.value.cpu
  memory                          = each.value.memory
  container_port                  = each.value.container_port
  desired_min                     = each.value.desired_min
  desired_max                     = each.value.desired_max
  log_retention_days              = local.log_retention_days
  log_kms_key_arn                 = module.kms.key_arn
  execution_role_arn              = module.service_roles[each.key].execution_role_arn
  task_role_arn                   = module.service_roles[each.key].task_role_arn
  alarm_actions                   = [module.alarms.topic_arn]
  tags                            = local.tags

  secret_parameter_arns = module.parameters.parameter_arns[each.key]
  database              = each.value.database ? module.database[0].connection : null

  efs = var.efs ? {
    file_system_id  = module.efs[0].file_system_id
    access_point_id = module.efs[0].access_point_ids[each.key]
  } : null
}

module "backup" {
  source = "./modules/backup"
  providers = {
    aws      = aws
    aws.copy = aws.backup_copy
  }

  names = {
    vault     = local.names.backup_vault
    plan      = local.names.backup_plan
    selection = local.names.backup_selection
    role      = local.names.backup_role
  }
  environment              = var.name
  schedule                 = var.backup_schedule
  retention_days           = var.backup_retention_days
  kms_key_arn              = module.kms.key_arn
  permissions_boundary_arn = local.permissions_boundary_arn
  vault_lock               = local.backup_vault_lock
  copy                     = local.backup_copy
  tags                     = local.tags
}

module "alarms" {
  source = "./modules/alarms"

  environment               = var.name
  topic_name                = local.names.alarm_topic
  kms_key_arn               = module.kms.key_arn
  emails                    = var.alarm_emails
  https_endpoint            = var.alarm_https_endpoint
  cluster_name              = module.cluster.cluster_name
  load_balancer_arn_suffix  = module.load_balancer.arn_suffix
  target_group_arn_suffixes = module.load_balancer.target_group_arn_suffixes
  backup_vault_name         = module.backup.vault_name
  database_identifier       = var.database.enabled ? module.database[0].identifier : null
  tags                      = local.tags
}
