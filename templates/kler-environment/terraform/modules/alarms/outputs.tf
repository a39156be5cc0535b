output "topic_arn" {
  description = "SNS topic the alarms notify; subscribe on-call to it."
  value       = aws_sns_topic.alarms.arn
}
