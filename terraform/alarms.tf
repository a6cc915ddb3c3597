locals {
  alarms = {
    errors = {
      description = "deploybridge (${var.project_name} ${var.project_env}) failed invocations: transient AWS errors outlived the retries. Lambda retries them; see the failed-events queue."
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      statistic   = "Sum"
      dimensions  = { FunctionName = aws_lambda_function.this.function_name }
    }
    throttles = {
      description = "deploybridge (${var.project_name} ${var.project_env}) invocations throttled."
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      statistic   = "Sum"
      dimensions  = { FunctionName = aws_lambda_function.this.function_name }
    }
    failed-events = {
      description = "Events deploybridge (${var.project_name} ${var.project_env}) gave up on are waiting in ${aws_sqs_queue.failed_events.name} for replay."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      statistic   = "Maximum"
      dimensions  = { QueueName = aws_sqs_queue.failed_events.name }
    }
    undelivered-events = {
      description = "Events EventBridge could not deliver to deploybridge (${var.project_name} ${var.project_env}) are waiting in ${aws_sqs_queue.undelivered_events.name}."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      statistic   = "Maximum"
      dimensions  = { QueueName = aws_sqs_queue.undelivered_events.name }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = { for k, alarm in local.alarms : k => alarm if var.enable_alarms }

  alarm_name          = "${local.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  statistic           = each.value.statistic
  dimensions          = each.value.dimensions
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}
