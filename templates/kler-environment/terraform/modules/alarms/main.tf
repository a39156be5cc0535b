# Environment-wide CloudWatch alarms: load balancer errors and unhealthy
# targets, cluster capacity, and failed backup jobs. Service alarms live in
# the ecs-service module. They all notify one topic, encrypted with the
# environment's key (whose policy lets CloudWatch publish), that on-call's
# emails and HTTPS endpoint subscribe to.

resource "aws_sns_topic" "alarms" {
  name              = var.topic_name
  kms_master_key_id = var.kms_key_arn

  tags = var.tags
}

# Each address gets a confirmation email from AWS: until it is confirmed,
# nothing reaches it.
resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# SNS posts a SubscriptionConfirmation the endpoint must confirm
# (PagerDuty, Opsgenie and the like do it themselves).
resource "aws_sns_topic_subscription" "https" {
  count = var.https_endpoint == null ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "https"
  endpoint  = var.https_endpoint
}

resource "aws_cloudwatch_metric_alarm" "alb_5xx" {
  alarm_name          = "${var.environment}-alb-5xx"
  alarm_description   = "The load balancer of ${var.environment} answers with server errors"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_ELB_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]

  dimensions = {
    LoadBalancer = var.load_balancer_arn_suffix
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_targets" {
  for_each = var.target_group_arn_suffixes

  alarm_name          = "${var.environment}-${each.key}-unhealthy-targets"
  alarm_description   = "${each.key} has unhealthy targets in ${var.environment}"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]

  dimensions = {
    LoadBalancer = var.load_balancer_arn_suffix
    TargetGroup  = each.value
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "cluster_memory_reservation" {
  alarm_name          = "${var.cluster_name}-memory-reservation-high"
  alarm_description   = "The cluster of ${var.environment} is nearly full even with managed scaling"
  namespace           = "AWS/ECS"
  metric_name         = "MemoryReservation"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 90
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]

  dimensions = {
    ClusterName = var.cluster_name
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "backup_jobs_failed" {
  alarm_name          = "${var.environment}-backup-jobs-failed"
  alarm_description   = "A backup job of ${var.environment} failed"
  namespace           = "AWS/Backup"
  metric_name         = "NumberOfBackupJobsFailed"
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]

  dimensions = {
    BackupVaultName = var.backup_vault_name
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "database_free_storage_low" {
  count = var.database_identifier == null ? 0 : 1

  alarm_name          = "${var.environment}-database-free-storage-low"
  alarm_description   = "The database of ${var.environment} is nearly out of storage even with storage autoscaling"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 3
  threshold           = 2147483648
  comparison_operator = "LessThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  dimensions = {
    DBInstanceIdentifier = var.database_identifier
  }

  tags = var.tags
}
