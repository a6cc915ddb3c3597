###############################################################################
# Releases (release_config): the one-off tasks run before services deploy, and
# the periodic check that fails a step that heard nothing before its timeout.
#
# Why a periodic check rather than a one-time schedule per step: it needs no
# resource per step and no new SDK client in the function, and a lost or late
# check is made good by the next one; the check reads one key of the deployments
# table when no release is open. A step is failed at most a minute after its
# timeout.
###############################################################################

# The task and execution roles of the families releases run: the only roles the
# function may pass (RunTask passes them to ECS).
data "aws_ecs_task_definition" "release" {
  for_each = toset(local.release_families)

  task_definition = each.key
}

locals {
  release_task_roles = distinct(compact(flatten([for d in data.aws_ecs_task_definition.release : [d.task_role_arn, d.execution_role_arn]])))
  release_enabled    = length(var.release_config) > 0
}

resource "aws_cloudwatch_event_rule" "release_timeouts" {
  count = local.release_enabled ? 1 : 0

  name                = "${local.name}-release-timeouts"
  description         = "Fails the release steps of ${var.project_name} ${var.project_env} that heard nothing from ECS before their timeout"
  schedule_expression = "rate(1 minute)"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "release_timeouts" {
  count = local.release_enabled ? 1 : 0

  rule      = aws_cloudwatch_event_rule.release_timeouts[0].name
  target_id = "deploybridge"
  arn       = aws_lambda_function.this.arn

  retry_policy {
    maximum_retry_attempts       = var.eventbridge_maximum_retry_attempts
    maximum_event_age_in_seconds = var.eventbridge_maximum_event_age_seconds
  }

  dead_letter_config {
    arn = aws_sqs_queue.undelivered_events.arn
  }
}

resource "aws_lambda_permission" "release_timeouts" {
  count = local.release_enabled ? 1 : 0

  statement_id  = "AllowEventBridge-${aws_cloudwatch_event_rule.release_timeouts[0].name}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.release_timeouts[0].arn
}
