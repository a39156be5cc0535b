# One ECS service on the cluster's EC2 capacity provider: rolling deployments
# with the circuit breaker rolling back a failing deployment, applies that
# wait for a steady state, target-tracking auto scaling between desired_min
# and desired_max, and alarms. Its roles come from the service-roles module.

data "aws_region" "current" {}

resource "aws_cloudwatch_log_group" "this" {
  name              = var.names.log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

resource "aws_security_group" "service" {
  name        = var.names.security_group
  description = "ECS service ${var.name} of ${var.environment}"
  vpc_id      = var.vpc_id

  ingress {
    description     = "From the load balancer"
    from_port       = var.container_port
    to_port         = var.container_port
    protocol        = "tcp"
    security_groups = [var.load_balancer_security_group_id]
  }

  egress {
    description = "Outbound"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(var.tags, { Name = var.names.security_group })
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.names.task_family
  requires_compatibilities = ["EC2"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn

  container_definitions = jsonencode([{
    name      = var.name
    image     = var.image
    essential = true
    cpu       = var.cpu
    memory    = var.memory
    portMappings = [{
      containerPort = var.container_port
      protocol      = "tcp"
    }]
    environment = [for key, value in local.environment : { name = key, value = value }]
    secrets     = [for key, arn in local.secrets : { name = key, valueFrom = arn }]
    mountPoints = var.efs == null ? [] : [{
      sourceVolume  = "shared"
      containerPath = var.efs_container_path
      readOnly      = false
    }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.region
        awslogs-stream-prefix = var.name
      }
    }
  }])

  # The service mounts the file system through its own access point, as its
  # task role (IAM authorization, which the file system policy allows only
  # that way) and over TLS, which the policy requires.
  dynamic "volume" {
    for_each = var.efs == null ? [] : [var.efs]

    content {
      name = "shared"

      efs_volume_configuration {
        file_system_id     = volume.value.file_system_id
        transit_encryption = "ENABLED"

        authorization_config {
          access_point_id = volume.value.access_point_id
          iam             = "ENABLED"
        }
      }
    }
  }

  tags = var.tags
}

resource "aws_ecs_service" "this" {
  name                               = var.name
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_min
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 60
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  # Apply reports success only once the service runs its tasks healthy
  # behind the load balancer; a deployment that cannot get there fails the
  # apply (the circuit breaker ends it and rolls back) instead of reporting
  # "applied" with the service down.
  wait_for_steady_state = true

  capacity_provider_strategy {
    capacity_provider = var.capacity_provider_name
    weight            = 1
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets         = var.subnet_ids
    security_groups = local.security_group_ids
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = var.name
    container_port   = var.container_port
  }

  ordered_placement_strategy {
    type  = "spread"
    field = "attribute:ecs.availability-zone"
  }

  lifecycle {
    # Auto scaling owns the running count.
    ignore_changes = [desired_count]
  }

  # Long enough for the capacity provider to launch hosts and for the health
  # checks to pass; a rollout that takes longer is failing.
  timeouts {
    create = "20m"
    update = "20m"
  }

  tags = merge(var.tags, { "kler:service" = var.name })
}

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.desired_min
  max_capacity       = var.desired_max

  tags = var.tags
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu-target-tracking"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  alarm_name          = "${var.cluster_name}-${var.name}-cpu-high"
  alarm_description   = "${var.name} has run hot for 15 minutes even with auto scaling"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 90
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  dimensions = {
    ClusterName = var.cluster_name
    ServiceName = aws_ecs_service.this.name
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "running_tasks_low" {
  alarm_name          = "${var.cluster_name}-${var.name}-running-tasks-low"
  alarm_description   = "${var.name} runs fewer tasks than its minimum"
  namespace           = "ECS/ContainerInsights"
  metric_name         = "RunningTaskCount"
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.desired_min
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  dimensions = {
    ClusterName = var.cluster_name
    ServiceName = aws_ecs_service.this.name
  }

  tags = var.tags
}
