# ECS tasks in awsvpc mode each take a network interface of their host; with
# trunking, instance types that support it (m6i, c6i) run many more tasks per
# host. An account setting, so it belongs here rather than to an environment.
resource "aws_ecs_account_setting_default" "awsvpc_trunking" {
  name  = "awsvpcTrunking"
  value = "enabled"
}
