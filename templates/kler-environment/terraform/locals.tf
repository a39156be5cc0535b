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
  services = {
    for name, service in var.services : name => merge(service, {
      path_patterns = length(coalesce(service.path_patterns, [])) > 0 ? service.path_patterns : (
        name == var.default_service ? ["/*"] : ["/${name}/*"]
      )
      priority = service.priority != null ? service.priority : (
        name == var.default_service ? 999 : 10 * (index(local.numbered_services, name) + 1)
      )
    })
  }
}
