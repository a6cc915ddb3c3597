# The channels besides Slack (docs/notifications.md): Teams, Google Chat, the signed webhook and
# SNS for Amazon Q Developer in chat applications. Each is named to the function by its SSM
# SecureString (never its URL or secret) or its topic, is readable or publishable by the role and
# nothing more, and has its NotificationsFailed alarm. Provider and overrides as in
# defaults.tftest.hcl.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "123456789012" }
}

variables {
  project_name   = "myproject"
  project_env    = "dev"
  service_config = {}
  package_path   = "tests/fixtures/package.zip"
}

run "every_channel" {
  command = plan

  variables {
    teams_webhook_ssm_parameter_name       = "/deploybridge/myproject/dev/teams-webhook-url"
    teams_webhook_kms_key_arn              = "arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-0000-4000-8000-000000000001"
    google_chat_webhook_ssm_parameter_name = "/deploybridge/myproject/dev/google-chat-webhook-url"
    google_chat_events                     = ["deployment.*", "warning.*"]
    webhook_ssm_parameter_name             = "/deploybridge/myproject/dev/webhook-url"
    webhook_secret_ssm_parameter_name      = "/deploybridge/myproject/dev/webhook-secret"
    webhook_kms_key_arn                    = "arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-0000-4000-8000-000000000002"
    webhook_events                         = ["deployment.failed", "deployment.rolled_back"]
    sns_topic_arn                          = "arn:aws:sns:eu-west-1:123456789012:myproject-deploys"
    sns_events                             = ["*"]
  }

  assert {
    condition = { for k, v in aws_lambda_function.this.environment[0].variables : k => v if can(regex("^(TEAMS|GOOGLE_CHAT|WEBHOOK|SNS)_", k)) } == {
      TEAMS_WEBHOOK_SSM_PARAMETER       = "/deploybridge/myproject/dev/teams-webhook-url"
      TEAMS_EVENTS                      = ""
      GOOGLE_CHAT_WEBHOOK_SSM_PARAMETER = "/deploybridge/myproject/dev/google-chat-webhook-url"
      GOOGLE_CHAT_EVENTS                = "deployment.*,warning.*"
      WEBHOOK_SSM_PARAMETER             = "/deploybridge/myproject/dev/webhook-url"
      WEBHOOK_SECRET_SSM_PARAMETER      = "/deploybridge/myproject/dev/webhook-secret"
      WEBHOOK_EVENTS                    = "deployment.failed,deployment.rolled_back"
      SNS_TOPIC_ARN                     = "arn:aws:sns:eu-west-1:123456789012:myproject-deploys"
      SNS_EVENTS                        = "*"
    }
    error_message = "The channels reach the function by their parameters' names, the topic and their filters (Teams hears everything): ${jsonencode(aws_lambda_function.this.environment[0].variables)}"
  }

  assert {
    condition = { for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s.Sid => [s.Action, s.Resource] if can(regex("^(Read(Slack|Teams|GoogleChat|Webhook)|Publish)", s.Sid)) } == {
      ReadSlackWebhook      = ["ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/slack-webhook-url"]
      ReadTeamsWebhook      = ["ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/teams-webhook-url"]
      ReadGoogleChatWebhook = ["ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/google-chat-webhook-url"]
      ReadWebhookUrl        = ["ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/webhook-url"]
      ReadWebhookSecret     = ["ssm:GetParameter", "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/webhook-secret"]
      PublishNotifications  = ["sns:Publish", "arn:aws:sns:eu-west-1:123456789012:myproject-deploys"]
    }
    error_message = "ssm:GetParameter on each parameter, sns:Publish on the topic only: ${aws_iam_role_policy.deployer.policy}"
  }

  assert {
    condition = { for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s.Sid => [s.Resource, s.Condition] if startswith(s.Sid, "Decrypt") } == {
      DecryptTeamsWebhook  = ["arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-0000-4000-8000-000000000001", { StringEquals = { "kms:EncryptionContext:PARAMETER_ARN" = "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/teams-webhook-url" } }]
      DecryptWebhookUrl    = ["arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-0000-4000-8000-000000000002", { StringEquals = { "kms:EncryptionContext:PARAMETER_ARN" = "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/webhook-url" } }]
      DecryptWebhookSecret = ["arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-0000-4000-8000-000000000002", { StringEquals = { "kms:EncryptionContext:PARAMETER_ARN" = "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/webhook-secret" } }]
    }
    error_message = "kms:Decrypt on a customer managed key, for its parameters only (Google Chat's uses aws/ssm): ${aws_iam_role_policy.deployer.policy}"
  }

  assert {
    condition = jsonencode({ for k, a in aws_cloudwatch_metric_alarm.this : k => [a.metric_name, a.dimensions] if startswith(k, "notifications-failed-") }) == jsonencode({
      notifications-failed-slack       = ["NotificationsFailed", { channel = "slack", environment = "dev", service = "deploybridge" }]
      notifications-failed-teams       = ["NotificationsFailed", { channel = "teams", environment = "dev", service = "deploybridge" }]
      notifications-failed-google-chat = ["NotificationsFailed", { channel = "google_chat", environment = "dev", service = "deploybridge" }]
      notifications-failed-webhook     = ["NotificationsFailed", { channel = "webhook", environment = "dev", service = "deploybridge" }]
      notifications-failed-sns         = ["NotificationsFailed", { channel = "sns", environment = "dev", service = "deploybridge" }]
    })
    error_message = "One NotificationsFailed alarm per channel that is on, by its channel dimension: ${jsonencode(keys(aws_cloudwatch_metric_alarm.this))}"
  }

  assert {
    condition = (
      strcontains(aws_cloudwatch_metric_alarm.this["notifications-failed-teams"].alarm_description, "/deploybridge/myproject/dev/teams-webhook-url") &&
      strcontains(aws_cloudwatch_metric_alarm.this["notifications-failed-teams"].alarm_description, "filter message = \"teams notification failed\"") &&
      strcontains(aws_cloudwatch_metric_alarm.this["notifications-failed-webhook"].alarm_description, "/deploybridge/myproject/dev/webhook-secret") &&
      strcontains(aws_cloudwatch_metric_alarm.this["notifications-failed-sns"].alarm_description, "arn:aws:sns:eu-west-1:123456789012:myproject-deploys")
    )
    error_message = "Each channel's alarm says where its URL or topic is, and the log line to look for."
  }
}

run "nothing_without_a_channel" {
  command = plan

  variables {
    teams_events = ["deployment.failed"]
    sns_events   = ["deployment.failed"]
  }

  assert {
    condition = { for k, v in aws_lambda_function.this.environment[0].variables : k => v if can(regex("^(TEAMS|GOOGLE_CHAT|WEBHOOK|SNS)_", k)) } == {
      TEAMS_EVENTS = "", GOOGLE_CHAT_EVENTS = "", WEBHOOK_EVENTS = "", SNS_EVENTS = ""
    }
    error_message = "A filter without its channel is passed empty (the function would refuse it): ${jsonencode(aws_lambda_function.this.environment[0].variables)}"
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.deployer.policy, "sns:") && [for k in keys(aws_cloudwatch_metric_alarm.this) : k if startswith(k, "notifications-failed-")] == ["notifications-failed-slack"]
    error_message = "No channel, no permission and no alarm for it: ${jsonencode(keys(aws_cloudwatch_metric_alarm.this))}"
  }
}

run "webhook_without_its_secret" {
  command = plan

  variables {
    webhook_ssm_parameter_name = "/deploybridge/myproject/dev/webhook-url"
  }

  expect_failures = [aws_lambda_function.this]
}

run "invalid_channel_inputs" {
  command = plan

  variables {
    teams_webhook_ssm_parameter_name       = "https://prod-12.westus.logic.azure.com/workflows/x"
    teams_webhook_kms_key_arn              = "alias/aws/ssm"
    teams_events                           = ["deployment failed"]
    google_chat_webhook_ssm_parameter_name = "arn:aws:ssm:eu-west-1:123456789012:parameter/x"
    google_chat_webhook_kms_key_arn        = "alias/aws/ssm"
    google_chat_events                     = ["approvals"]
    webhook_ssm_parameter_name             = "arn:aws:ssm:eu-west-1:123456789012:parameter/x"
    webhook_secret_ssm_parameter_name      = "arn:aws:ssm:eu-west-1:123456789012:parameter/y"
    webhook_kms_key_arn                    = "alias/aws/ssm"
    webhook_events                         = ["Deployment.Failed"]
    sns_topic_arn                          = "arn:aws:sns:eu-west-1:123456789012:deploys.fifo"
    sns_events                             = [""]
  }

  expect_failures = [
    var.teams_webhook_ssm_parameter_name,
    var.teams_webhook_kms_key_arn,
    var.teams_events,
    var.google_chat_webhook_ssm_parameter_name,
    var.google_chat_webhook_kms_key_arn,
    var.google_chat_events,
    var.webhook_ssm_parameter_name,
    var.webhook_secret_ssm_parameter_name,
    var.webhook_kms_key_arn,
    var.webhook_events,
    var.sns_topic_arn,
    var.sns_events,
  ]
}
