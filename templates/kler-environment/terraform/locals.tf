# Everything the environment derives from its variables. This file uses no
# provider and no module, so the template's tests evaluate it offline with
# Terraform itself.

locals {
  cluster_name = "kler-${var.name}"

  # Production spreads over three availability zones with a NAT gateway in
  # each; development uses two zones and one shared NAT gateway.
  production              = var.tier == "production"
  availability_zone_count = local.production ? 3 : 2
  nat_gateway_per_zone    = local.production
  deletion_protection     = local.production
  log_retention_days      = local.production ? 90 : 14
  force_destroy           = !local.production
  # Backups: production locks its vaults and copies every recovery point to a
  # second region of the same jurisdiction.
  backup_vault_lock = local.production
  backup_copy       = local.production
  backup_copy_regions = {
    "eu-west-1"    = "eu-central-1"
    "eu-central-1" = "eu-west-1"
    "eu-west-2"    = "eu-west-1"
    "eu-west-3"    = "eu-central-1"
    "eu-north-1"   = "eu-central-1"
  }
  backup_copy_region = local.backup_copy_regions[var.aws_region]
  # Load balancer access logs.
  access_log_retention_days = local.production ? 365 : 30
  ecr_keep_images           = local.production ? 100 : 30

  # AWS names, all made here. A name is kept as it is when AWS takes it;
  # one that is longer than its limit, or has "--" where AWS refuses it (RDS,
  # ECR), is cut (and cleaned) to leave room for "-" and 8 hex characters of
  # the full name's SHA-1, so two names that differ stay different. The
  # template's patterns allow environment names of 30 and service names of 32
  # characters: kler-<name>-<service> alone can reach 68.
  full_names = {
    cluster               = { name = local.cluster_name, limit = 255, clean = false }
    capacity_provider     = { name = "${local.cluster_name}-ec2", limit = 255, clean = false }
    load_balancer         = { name = local.cluster_name, limit = 32, clean = false }
    alb_logs_bucket       = { name = "${local.cluster_name}-alb-logs-${var.aws_account_id}", limit = 63, clean = false }
    instance_role         = { name = "${local.cluster_name}-ecs-instance", limit = 64, clean = false }
    instance_profile      = { name = "${local.cluster_name}-ecs-instance", limit = 128, clean = false }
    backup_role           = { name = "${local.cluster_name}-backup", limit = 64, clean = false }
    backup_vault          = { name = local.cluster_name, limit = 50, clean = false }
    backup_plan           = { name = local.cluster_name, limit = 50, clean = false }
    backup_selection      = { name = "${local.cluster_name}-tagged", limit = 50, clean = false }
    efs_creation_token    = { name = "${local.cluster_name}-shared", limit = 64, clean = false }
    database              = { name = local.cluster_name, limit = 63, clean = true }
    database_subnet_group = { name = local.cluster_name, limit = 255, clean = false }
    kms_alias             = { name = "alias/kler/${var.name}", limit = 256, clean = false }
    alarm_topic           = { name = "${var.name}-alarms", limit = 256, clean = false }
  }
  service_full_names = {
    for service in keys(var.services) : service => {
      target_group   = { name = "${local.cluster_name}-${service}", limit = 32, clean = false }
      execution_role = { name = "${var.name}-${service}-execution", limit = 64, clean = false }
      task_role      = { name = "${var.name}-${service}-task", limit = 64, clean = false }
      ecr_repository = { name = "kler/${var.name}/${service}", limit = 256, clean = true }
      log_group      = { name = "/kler/${var.name}/${service}", limit = 512, clean = false }
      security_group = { name = "${var.name}-${service}", limit = 255, clean = false }
      task_family    = { name = "${var.name}-${service}", limit = 255, clean = false }
    }
  }
  fitted_names = {
    for key, full in merge(local.full_names, merge([
      for service, names in local.service_full_names : {
        for kind, full in names : "${service}/${kind}" => full
      }
    ]...)) :
    key => (
      length(full.name) <= full.limit && !(full.clean && strcontains(full.name, "--"))
      ? full.name
      : "${trimsuffix(substr(full.clean ? replace(full.name, "/-+/", "-") : full.name, 0, full.limit - 9), "-")}-${substr(sha1(full.name), 0, 8)}"
    )
  }
  names = { for kind in keys(local.full_names) : kind => local.fitted_names[kind] }
  service_names = {
    for service, names in local.service_full_names : service => {
      for kind in keys(names) : kind => local.fitted_names["${service}/${kind}"]
    }
  }

  # Each service's secrets by <service>/<NAME>, with their parameter names.
  service_secrets = merge([
    for service, settings in var.services : {
      for secret in settings.secrets : "${service}/${secret}" => "/kler/${var.name}/${service}/${secret}"
    }
  ]...)

  # Every role of the environment lives under /kler/ with the boundary
  # kler-bootstrap creates in the account; the provisioning role can create
  # roles no other way.
  permissions_boundary_arn = "arn:aws:iam::${var.aws_account_id}:policy/kler/kler-environment-boundary"

  tags = {
    "kler:environment" = var.name
    "kler:tier"        = var.tier
    "kler:owner"       = var.owner
    "kler:managed-by"  = "backstage-scaffolder"
  }

  # Load balancer rules. A service that names its paths and priority (the
  # kler-service template's do) keeps them. Otherwise the default service
  # answers /* at priority 999, the last rule evaluated, and every other
  # service /<name>/* at 10, 20, ... in name order.
  numbered_services = sort([
    for name, service in var.services : name
    if name != var.default_service && service.priority == null
  ])
  # Every image is pinned (variables.tf refuses latest): image_tag, a tag or
  # a digest, of image_repository or of the service's own ECR repository. A
  # service without an image_tag has no image yet: its own repository is new
  # and empty, so it is prepared (repository, target group, roles, secrets,
  # access point) and runs once a tag is set.
  registry = "${var.aws_account_id}.dkr.ecr.${var.aws_region}.amazonaws.com"
  services = {
    for name, service in var.services : name => merge(service, {
      image = service.image_tag == null ? null : join("", [
        coalesce(service.image_repository, "${local.registry}/${local.service_names[name].ecr_repository}"),
        startswith(service.image_tag, "sha256:") ? "@" : ":",
        service.image_tag,
      ])
      path_patterns = length(coalesce(service.path_patterns, [])) > 0 ? service.path_patterns : (
        name == var.default_service ? ["/*"] : ["/${name}/*"]
      )
      priority = service.priority != null ? service.priority : (
        name == var.default_service ? 999 : 10 * (index(local.numbered_services, name) + 1)
      )
    })
  }
  running_services = { for name, service in local.services : name => service if service.image != null }
}
