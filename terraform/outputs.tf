output "function_name" {
  description = "Name of the deploybridge function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the deploybridge function."
  value       = aws_lambda_function.this.arn
}

output "ecs_hook_role_arn" {
  description = "ARN of the role ECS assumes to invoke the function as a lifecycle hook (roleArn of a hook whose hookTargetArn is function_arn); null without rollout_config."
  value       = local.ecs_hook ? aws_iam_role.ecs_hook[0].arn : null
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the function (JSON logs; Logs Insights queries: docs/operating.md)."
  value       = aws_cloudwatch_log_group.this.name
}

output "rule_arns" {
  description = "ARNs of the EventBridge rules, by trigger (ecr, ecr-scan, ssm, ecs, manual, s3-BUCKET, s3-cloudtrail-BUCKET)."
  value       = { for k, rule in aws_cloudwatch_event_rule.this : k => rule.arn }
}

output "failed_events_queue_url" {
  description = "URL of the SQS queue that keeps the events the function failed on (Lambda on-failure destination), for replay."
  value       = aws_sqs_queue.failed_events.url
}

output "failed_events_queue_arn" {
  description = "ARN of the failed-events queue."
  value       = aws_sqs_queue.failed_events.arn
}

output "undelivered_events_queue_url" {
  description = "URL of the SQS queue that keeps the events EventBridge could not deliver (dead-letter queue of the rule targets)."
  value       = aws_sqs_queue.undelivered_events.url
}

output "coalesce_queue_url" {
  description = "URL of the coalescing queue the deploying triggers' events wait in (null with coalesce_window_seconds = 0)."
  value       = local.coalesce ? aws_sqs_queue.coalesce[0].url : null
}

output "coalesce_dead_letter_queue_arn" {
  description = "ARN of the coalescing queue's dead-letter queue: events the function failed on 3 times, to move back with `aws sqs start-message-move-task --source-arn ARN` once the cause is fixed (null with coalesce_window_seconds = 0)."
  value       = local.coalesce ? aws_sqs_queue.coalesce_dead_letters[0].arn : null
}

output "slack_webhook_ssm_parameter_name" {
  description = "Name of the SSM SecureString the function reads the Slack webhook URL from (null when Slack is off)."
  value       = local.slack_parameter_name
}

output "idempotency_table_name" {
  description = "Name of the DynamoDB idempotency table (null unless enable_idempotency)."
  value       = var.enable_idempotency ? aws_dynamodb_table.idempotency[0].name : null
}

output "alarm_arns" {
  description = "ARNs of the CloudWatch alarms, by name (errors, throttles, failed-events, undelivered-events, coalesce-dead-letters, config-invalid, deployments-failed-TRIGGER, notifications-failed-CHANNEL, interactions-rejected, interaction-hand-offs-failed)."
  value       = { for k, alarm in aws_cloudwatch_metric_alarm.this : k => alarm.arn }
}

output "manual_deploy_event_bus_name" {
  description = "Event bus to send manual deploys to: the module's own bus with manual_deploy_principals, else \"default\". Null when manual deploys are off."
  value       = var.enable_manual_deploy ? local.manual_event_bus : null
}

output "manual_deploy_event_bus_arn" {
  description = "ARN of that event bus. Null when manual deploys are off."
  value       = var.enable_manual_deploy ? local.manual_event_bus_arn : null
}

output "manual_deploy_sender_policy_json" {
  description = "IAM policy (JSON) to attach to the senders of manual deploys: events:PutEvents on that bus, for the sources action.deploy and action.production only. Null when manual deploys are off."
  value       = var.enable_manual_deploy ? data.aws_iam_policy_document.manual_senders.json : null
}

output "deployments_table_name" {
  description = "The DynamoDB table deployments are recorded in (DEPLOYMENTS_TABLE; null unless enable_deployments_table)."
  value       = local.deployments_table_name
}

output "verify_command" {
  description = "The preflight with the function's configuration: run it in a checkout of deploybridge (after npm ci) with credentials that may read the account, to check the setup (docs/preflight.md)."
  value       = local.verify_command
}

output "slack_interactivity_url" {
  description = "The URL to paste into the Slack app, Interactivity & Shortcuts → Request URL: Slack posts the clicks on Approve and Reject there (docs/approvals.md). Null without approvers."
  value       = local.approvals ? "${trimsuffix(aws_lambda_function_url.this[0].function_url, "/")}/slack/interactions" : null
}
