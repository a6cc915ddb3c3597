# The Slack webhook URL is a secret: it lives in this SecureString, never in the
# function's configuration. The module only creates it, with a placeholder; set the
# real URL with `aws ssm put-parameter --overwrite` (see README.md). Terraform then
# leaves the value alone.
resource "aws_ssm_parameter" "slack_webhook" {
  count = local.create_slack_parameter ? 1 : 0

  name        = local.default_slack_parameter_name
  description = "Slack incoming-webhook URL of deploybridge (${var.project_name} ${var.project_env})"
  type        = "SecureString"
  key_id      = var.slack_webhook_kms_key_arn
  value       = "REPLACE_ME: aws ssm put-parameter --overwrite --type SecureString --name ${local.default_slack_parameter_name} --value https://hooks.slack.com/services/..."
  tags        = var.tags

  lifecycle {
    ignore_changes = [value]
  }
}
