# deploybridge for project "myproject", environment "dev": two ECS services that read
# env files from S3, one Lambda target deployed from an S3 artifact, Slack and the channels
# besides it (Teams, Google Chat, a signed webhook, Chatbot through SNS), alarms to SNS.
# The cluster, services, function and buckets are assumed to exist already.
#
#   npm ci && npm run build          # builds dist/deploybridge-<version>.zip
#   cd terraform/examples/complete
#   terraform init && terraform apply

provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Project     = "myproject"
      Environment = "dev"
      ManagedBy   = "terraform"
    }
  }
}

resource "aws_sns_topic" "alarms" {
  name = "myproject-deploybridge-alarms-dev"
}

data "aws_caller_identity" "current" {}

# The topic an Amazon Q Developer in chat applications (AWS Chatbot) channel configuration
# subscribes to (set up in its console): deploybridge publishes custom notifications to it.
resource "aws_sns_topic" "chatbot" {
  name = "myproject-deploybridge-chatbot-dev"
}

module "deploybridge" {
  source = "../.."

  project_name = "myproject"
  project_env  = "dev"
  log_level    = "info"
  dry_run      = false

  # ECS: cluster myproject_cluster_dev, services myproject_service_{name}_dev, and the
  # backend myproject_service_dev (default patterns, BACKEND_SERVICE_NAME empty).
  service_config = {
    api = [
      { bucket = "myproject-config-dev", key = "api/.env" },
      { bucket = "myproject-config-dev", key = "shared/common.env" },
    ]
    worker = [
      { bucket = "myproject-config-dev", key = "worker/.env" },
      { bucket = "myproject-config-dev", key = "shared/common.env" },
    ]
  }

  # Lambda target: function myproject_lambda_thumbnailer_dev (LAMBDA_FUNCTION_PATTERN),
  # blue/green through alias "live", smoke-tested before the alias moves.
  # The checks of the api service's lifecycle hooks (docs/rollout-hooks.md).
  rollout_config = {
    api = {
      smoke  = [{ stage = "POST_TEST_TRAFFIC_SHIFT", url = "https://test.api.example.com/health", expect_status = 200, expect_body = "ok", timeout_seconds = 5 }]
      alarms = ["api-5xx", "api-p99-latency"]
      bake   = { stage = "POST_PRODUCTION_TRAFFIC_SHIFT", minutes = 10 }
    }
  }

  lambda_config = {
    thumbnailer = {
      alias    = "live"
      artifact = { bucket = "myproject-artifacts-dev", key = "thumbnailer/lambda.zip" }
      smoke_test = {
        payload = jsonencode({ ping = true })
        expect  = jsonencode({ statusCode = 200 })
      }
    }
  }

  # The artifacts bucket does not send native S3 events to EventBridge: match its
  # objects on the CloudTrail data events of the organisation trail instead. The config
  # bucket has no other notifications, so the module may turn its EventBridge ones on.
  s3_cloudtrail_buckets          = ["myproject-artifacts-dev"]
  manage_s3_bucket_notifications = true

  # A release: the database migration (task definition family myproject_migrate_dev) runs
  # before the api deploys, and the worker deploys once the api's deployment completed.
  release_config = {
    api    = { run_before = { family = "myproject_migrate_dev", container = "migrate", command = ["./migrate", "up"], timeout_minutes = 20 } }
    worker = { after = ["api"] }
  }

  enable_idempotency     = true
  manual_deploy_accounts = ["210987654321"]

  # A burst of pushes, parameter and env-file changes within 30 s deploys each service once
  # (an SQS queue between their rules and the function; ECS events and manual deploys stay direct).
  coalesce_window_seconds = 30

  # Images deploy only when their scan (scan on push) shows no HIGH or CRITICAL finding.
  ecr_scan_gate = "HIGH"

  # Slack with a bot token (chat:write, invited to the channel): one message per
  # deployment, updated as it goes, details in its thread. The token is a SecureString
  # created outside Terraform; the module creates the deployments table by default.
  slack_bot_token_ssm_parameter_name = "/deploybridge/myproject/dev/slack-bot-token"
  slack_channel                      = "C0123456789"

  # Approvals: every deployment waits for one of these Slack users to click Approve on
  # its request in the channel. Slack posts the clicks to the function's Function URL
  # (output slack_interactivity_url, pasted into the Slack app), each verified with the
  # app's signing secret, a SecureString created outside Terraform.
  approvers                          = ["U0123ABCDE", "U0456FGHIJ"]
  slack_signing_secret_ssm_parameter = "/deploybridge/myproject/dev/slack-signing-secret"
  # Beside Slack (docs/notifications.md): the platform team's Teams channel hears deployments and
  # warnings; the Google Chat space of the API team hears deployments, one thread each; the
  # incident tool gets a signed webhook of failures and rollbacks; Chatbot hears failures. The
  # URLs and the signing secret are SecureStrings created outside Terraform, like the bot token.
  teams_webhook_ssm_parameter_name       = "/deploybridge/myproject/dev/teams-webhook-url"
  teams_events                           = ["deployment.*", "request.refused", "warning.*"]
  google_chat_webhook_ssm_parameter_name = "/deploybridge/myproject/dev/google-chat-webhook-url"
  google_chat_events                     = ["deployment.*"]
  webhook_ssm_parameter_name             = "/deploybridge/myproject/dev/incident-webhook-url"
  webhook_secret_ssm_parameter_name      = "/deploybridge/myproject/dev/incident-webhook-secret"
  webhook_events                         = ["deployment.failed", "deployment.rolled_back"]
  # The topic's ARN from its name: known when you plan, so the role's sns:Publish shows in full.
  sns_topic_arn = "arn:aws:sns:eu-west-1:${data.aws_caller_identity.current.account_id}:${aws_sns_topic.chatbot.name}"
  sns_events    = ["deployment.failed", "deployment.rolled_back", "request.refused"]

  alarm_sns_topic_arn = aws_sns_topic.alarms.arn

  tags = {
    CostCenter = "platform"
  }
}
