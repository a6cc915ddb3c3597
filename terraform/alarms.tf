locals {
  alarms = {
    errors = {
      description = "deploybridge (${var.project_name} ${var.project_env}) failed invocations: transient AWS errors outlived the retries, or a batch failed as a whole. Lambda retries them; see the failed-events queue (a batch's events: the coalescing queue, then its dead-letter queue)."
      namespace   = "AWS/Lambda"
      metric_name = "Errors"
      statistic   = "Sum"
      dimensions  = tomap({ FunctionName = aws_lambda_function.this.function_name })
    }
    throttles = {
      description = "deploybridge (${var.project_name} ${var.project_env}) invocations throttled."
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      statistic   = "Sum"
      dimensions  = tomap({ FunctionName = aws_lambda_function.this.function_name })
    }
    failed-events = {
      description = "Events deploybridge (${var.project_name} ${var.project_env}) gave up on are waiting in ${aws_sqs_queue.failed_events.name} for replay."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      statistic   = "Maximum"
      dimensions  = tomap({ QueueName = aws_sqs_queue.failed_events.name })
    }
    undelivered-events = {
      description = "Events EventBridge could not deliver to deploybridge (${var.project_name} ${var.project_env}) are waiting in ${aws_sqs_queue.undelivered_events.name}."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      statistic   = "Maximum"
      dimensions  = tomap({ QueueName = aws_sqs_queue.undelivered_events.name })
    }
  }

  # The coalescing queue's dead letters: events the function failed on 3 times in a batch.
  coalesce_alarms = !local.coalesce ? {} : {
    coalesce-dead-letters = {
      description = "Events deploybridge (${var.project_name} ${var.project_env}) failed on 3 times in a batch are waiting in ${local.coalesce_dlq_name}. In ${local.log_group_name}: filter message like /event not finished|deployment failed/ says why; once fixed, move them back with aws sqs start-message-move-task --source-arn ${local.coalesce_dlq_arn}."
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      statistic   = "Maximum"
      dimensions  = tomap({ QueueName = local.coalesce_dlq_name })
    }
  }

  #############################################################################
  # The function's own metrics (EMF, namespace deploybridge, src/shared/observability.ts).
  # CloudWatch keeps one metric per set of dimensions, and an alarm on a metric must
  # name all of them: service and environment always, and trigger (the route: ecr,
  # ssm, s3, manual, ecs) for what is counted once the event is routed, or channel for
  # what a notification channel did not get. Hence one alarm per trigger, for the
  # triggers whose rules exist, and one per channel that is on (a SEARCH expression,
  # which would cover them all, cannot be alarmed on).
  #############################################################################

  emf_dimensions = { service = "deploybridge", environment = var.project_env }
  routes_with_rules = {
    ecr    = contains(keys(local.rules), "ecr")
    ssm    = contains(keys(local.rules), "ssm")
    s3     = length([for k in keys(local.rules) : k if startswith(k, "s3-")]) > 0
    manual = contains(keys(local.rules), "manual")
    ecs    = contains(keys(local.rules), "ecs")
  }
  route_names = { ecr = "ECR pushes", ssm = "Parameter Store changes", s3 = "S3 env files and artifacts", manual = "manual deploys", ecs = "ECS deployment events" }

  emf_alarms = merge(
    {
      config-invalid = {
        description = "deploybridge (${var.project_name} ${var.project_env}) refuses every event: its configuration is invalid. The error line \"invalid configuration\" in ${local.log_group_name} lists each problem; fix the module inputs and apply."
        namespace   = "deploybridge"
        metric_name = "ConfigInvalid"
        statistic   = "Sum"
        dimensions  = tomap(local.emf_dimensions)
      }
    },
    # ECS events are reported, never deployed: no deployment of theirs can fail.
    {
      for route, on in local.routes_with_rules : "deployments-failed-${route}" => {
        description = "Deployments of deploybridge (${var.project_name} ${var.project_env}) triggered by ${local.route_names[route]} failed. In ${local.log_group_name}: filter message like /deployment failed/ gives the service, the reason and whether it was retried; Slack has the same error."
        namespace   = "deploybridge"
        metric_name = "DeploymentsFailed"
        statistic   = "Sum"
        dimensions  = tomap(merge(local.emf_dimensions, { trigger = route }))
      } if on && route != "ecs"
    },
    # NotificationsFailed is counted by channel (slack, teams, google_chat, webhook, sns), whatever
    # the event: one alarm per channel that is on says which one stopped hearing.
    {
      for channel, where in local.notification_channels : "notifications-failed-${replace(channel, "_", "-")}" => {
        description = "Notifications of deploybridge (${var.project_name} ${var.project_env}) did not reach ${where}. In ${local.log_group_name}: filter message = \"${channel} notification failed\" gives the HTTP status or error of each."
        namespace   = "deploybridge"
        metric_name = "NotificationsFailed"
        statistic   = "Sum"
        dimensions  = tomap(merge(local.emf_dimensions, { channel = channel }))
      }
    },
    # Requests to the Function URL that are not Slack's (or not a click deploybridge sent):
    # someone found the URL, or the signing secret no longer matches the Slack app's.
    !local.approvals ? {} : {
      interactions-rejected = {
        description = "Requests to the Function URL of deploybridge (${var.project_name} ${var.project_env}) were refused: not signed by Slack, stale, or another path. In ${local.log_group_name}: filter message like /interaction refused|hand-off refused/ gives the reason and source IP. Many with \"does not match\" from Slack's addresses: the signing secret in ${coalesce(var.slack_signing_secret_ssm_parameter, "-")} is not the Slack app's."
        namespace   = "deploybridge"
        metric_name = "InteractionsRejected"
        statistic   = "Sum"
        dimensions  = tomap(merge(local.emf_dimensions, { trigger = "interaction" }))
      }
      interaction-hand-offs-failed = {
        description = "Clicks on Approve or Reject of deploybridge (${var.project_name} ${var.project_env}) could not be handed off to the function's asynchronous invocation (the approver was told to click again). In ${local.log_group_name}: filter message = \"interaction not handed off\" gives the error (lambda:InvokeFunction on itself, throttling)."
        namespace   = "deploybridge"
        metric_name = "InteractionHandOffsFailed"
        statistic   = "Sum"
        dimensions  = tomap(merge(local.emf_dimensions, { trigger = "interaction" }))
      }
    },
  )
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = { for k, alarm in merge(local.alarms, local.coalesce_alarms, local.emf_alarms) : k => alarm if var.enable_alarms }

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
