# Service ${{ values.serviceName }} of environment ${{ values.environment }}, added by the
# kler-service template of KLER's developer portal.

resource "aws_lb_target_group" "${{ values.serviceName | replace('-', '_') }}" {
  name                 = substr("${local.cluster_name}-${{ values.serviceName }}", 0, 32)
  vpc_id               = module.network.vpc_id
  port                 = ${{ values.containerPort }}
  protocol             = "HTTP"
  target_type          = "ip"
  deregistration_delay = 30

  health_check {
    path                = "${{ values.healthCheckPath }}"
    matcher             = "200-399"
    healthy_threshold   = 2
    unhealthy_threshold = 3
    interval            = 15
  }

  tags = merge(local.tags, { "kler:service" = "${{ values.serviceName }}" })
}

resource "aws_lb_listener_rule" "${{ values.serviceName | replace('-', '_') }}" {
  listener_arn = module.load_balancer.listener_arn
  priority     = ${{ values.listenerPriority }}

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.${{ values.serviceName | replace('-', '_') }}.arn
  }

  condition {
    path_pattern {
      values = ["${{ values.pathPattern }}"]
    }
  }

  tags = local.tags
}

module "service_${{ values.serviceName | replace('-', '_') }}" {
  source = "./modules/ecs-service"

  name                            = "${{ values.serviceName }}"
  environment                     = local.environment
  cluster_name                    = module.cluster.cluster_name
  cluster_arn                     = module.cluster.cluster_arn
  capacity_provider_name          = module.cluster.capacity_provider_name
  cluster_security_group_id       = module.cluster.instance_security_group_id
  load_balancer_security_group_id = module.load_balancer.security_group_id
  vpc_id                          = module.network.vpc_id
  subnet_ids                      = module.network.private_subnet_ids
  target_group_arn                = aws_lb_target_group.${{ values.serviceName | replace('-', '_') }}.arn
  image                           = "${{ values.image }}"
  cpu                             = ${{ values.cpu }}
  memory                          = ${{ values.memory }}
  container_port                  = ${{ values.containerPort }}
  desired_min                     = ${{ values.desiredMin }}
  desired_max                     = ${{ values.desiredMax }}
  log_retention_days              = local.log_retention_days
  alarm_actions                   = [module.alarms.topic_arn]
  tags                            = local.tags
}
