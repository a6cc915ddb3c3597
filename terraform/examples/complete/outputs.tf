output "function_arn" {
  description = "ARN of the deploybridge function."
  value       = module.deploybridge.function_arn
}

output "function_name" {
  description = "Name of the deploybridge function."
  value       = module.deploybridge.function_name
}

output "rule_arns" {
  description = "ARNs of the EventBridge rules, by trigger."
  value       = module.deploybridge.rule_arns
}

output "failed_events_queue_url" {
  description = "SQS queue keeping the events the function failed on, for replay."
  value       = module.deploybridge.failed_events_queue_url
}

output "undelivered_events_queue_url" {
  description = "SQS queue keeping the events EventBridge could not deliver."
  value       = module.deploybridge.undelivered_events_queue_url
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = module.deploybridge.log_group_name
}

output "slack_webhook_ssm_parameter_name" {
  description = "Set the Slack webhook URL in this SecureString (aws ssm put-parameter --overwrite)."
  value       = module.deploybridge.slack_webhook_ssm_parameter_name
}

output "verify_command" {
  description = "Check the setup against the account: run this in a checkout of deploybridge (after npm ci)."
  value       = module.deploybridge.verify_command
}

output "slack_interactivity_url" {
  description = "Paste into the Slack app: Interactivity & Shortcuts → Request URL."
  value       = module.deploybridge.slack_interactivity_url
}
