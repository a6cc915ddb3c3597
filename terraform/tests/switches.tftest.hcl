# Inputs that switch things on and off or rename them. Provider and overrides as in
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

run "ecr_off" {
  command = plan

  variables {
    enable_ecr_monitoring = false
  }

  assert {
    condition     = keys(aws_cloudwatch_event_rule.this) == ["ecs", "manual", "ssm"] && aws_lambda_function.this.environment[0].variables.ENABLE_ECR_MONITORING == "false"
    error_message = "enable_ecr_monitoring = false removes the ecr rule (only) and tells the function."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.deployer.policy, "ecr:")
    error_message = "Without ECR pushes (and no scan gate), no ECR read."
  }
}

run "ssm_off" {
  command = plan

  variables {
    enable_ssm_monitoring = false
  }

  assert {
    condition     = keys(aws_cloudwatch_event_rule.this) == ["ecr", "ecs", "manual"] && aws_lambda_function.this.environment[0].variables.ENABLE_SSM_MONITORING == "false"
    error_message = "enable_ssm_monitoring = false removes the ssm rule (only) and tells the function."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.deployer.policy, "ssm:DescribeParameters")
    error_message = "Without SSM monitoring, no ssm:DescribeParameters (who changed a parameter)."
  }
}

run "manual_off" {
  command = plan

  variables {
    enable_manual_deploy = false
  }

  assert {
    condition     = keys(aws_cloudwatch_event_rule.this) == ["ecr", "ecs", "ssm"] && aws_lambda_function.this.environment[0].variables.ENABLE_MANUAL_DEPLOY == "false"
    error_message = "enable_manual_deploy = false removes the manual rule (only) and tells the function."
  }
}

run "ecs_and_s3_off" {
  command = plan

  variables {
    enable_ecs_events    = false
    enable_s3_monitoring = false
    service_config       = { api = [{ bucket = "myproject-config-dev", key = "api/.env" }] }
  }

  assert {
    condition     = keys(aws_cloudwatch_event_rule.this) == ["ecr", "manual", "ssm"] && aws_lambda_function.this.environment[0].variables.ENABLE_S3_MONITORING == "false"
    error_message = "enable_ecs_events = false removes the ecs rule; enable_s3_monitoring = false the S3 rules of configured files."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.deployer.policy, "s3:")
    error_message = "Without S3 monitoring, the env files are not read (no s3: action)."
  }
}

run "all_triggers_off" {
  command = plan

  variables {
    enable_ecr_monitoring = false
    enable_ssm_monitoring = false
    enable_manual_deploy  = false
    enable_ecs_events     = false
  }

  assert {
    condition     = length(aws_cloudwatch_event_rule.this) == 0 && length(aws_sqs_queue_policy.undelivered_events) == 0
    error_message = "Without rules, no rule and no queue policy naming them."
  }

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["config-invalid", "errors", "failed-events", "notifications-failed-slack", "throttles", "undelivered-events"]
    error_message = "No trigger, no per-trigger alarm (Slack's is per channel): ${jsonencode(keys(aws_cloudwatch_metric_alarm.this))}"
  }
}

run "naming" {
  command = plan

  variables {
    project_name         = "shop"
    project_env          = "prod"
    cluster_name_pattern = "{env}-{project}"
    service_name_pattern = "{project}-{name}-{env}"
    backend_service_name = "core"
  }

  assert {
    condition     = aws_lambda_function.this.function_name == "shop-deploybridge-prod"
    error_message = "The function is named {project}-deploybridge-{env}."
  }

  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.this["ecs"].event_pattern).resources == [{ prefix = "arn:aws:ecs:eu-west-1:123456789012:service/prod-shop/" }] &&
      jsondecode(aws_cloudwatch_event_rule.this["ecr"].event_pattern).detail["repository-name"] == ["shop_backend", { prefix = "shop_service_" }] &&
      jsondecode(aws_cloudwatch_event_rule.this["ssm"].event_pattern).detail.name == [{ prefix = "/prod/shop/" }]
    )
    error_message = "The patterns follow the project, the env and the cluster pattern."
  }

  assert {
    condition = jsonencode(sort([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s.Resource if s.Sid == "RedeployServices"][0])) == jsonencode([
      "arn:aws:ecs:eu-west-1:123456789012:service/prod-shop/shop-*-prod",
      "arn:aws:ecs:eu-west-1:123456789012:service/prod-shop/shop-core-prod",
    ])
    error_message = "UpdateService on the services the patterns name, the backend included: ${aws_iam_role_policy.deployer.policy}"
  }
}

run "name" {
  command = plan

  variables {
    name = "deployer"
  }

  assert {
    condition = (
      aws_lambda_function.this.function_name == "deployer" &&
      aws_iam_role.this.name == "deployer" &&
      aws_sqs_queue.failed_events.name == "deployer-failed-events" &&
      aws_cloudwatch_event_rule.this["ecr"].name == "deployer-ecr-push"
    )
    error_message = "name names the function and prefixes every resource."
  }
}

run "slack_off" {
  command = plan

  variables {
    enable_slack_notifications = false
  }

  assert {
    condition = (
      length(aws_ssm_parameter.slack_webhook) == 0 &&
      !contains(keys(aws_lambda_function.this.environment[0].variables), "SLACK_WEBHOOK_SSM_PARAMETER") &&
      aws_lambda_function.this.environment[0].variables.ENABLE_SLACK_NOTIFICATIONS == "false" &&
      !strcontains(aws_iam_role_policy.deployer.policy, "ssm:GetParameter") &&
      length([for k in keys(aws_cloudwatch_metric_alarm.this) : k if startswith(k, "notifications-failed-")]) == 0
    )
    error_message = "Slack off: no parameter, no variable naming it, no ssm:GetParameter, no alarm on Slack notifications."
  }
}

run "slack_parameter_given" {
  command = plan

  variables {
    slack_webhook_ssm_parameter_name = "/shared/slack/deploys"
  }

  assert {
    condition = (
      length(aws_ssm_parameter.slack_webhook) == 0 &&
      aws_lambda_function.this.environment[0].variables.SLACK_WEBHOOK_SSM_PARAMETER == "/shared/slack/deploys" &&
      [for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s.Resource if s.Sid == "ReadSlackWebhook"] == ["arn:aws:ssm:eu-west-1:123456789012:parameter/shared/slack/deploys"]
    )
    error_message = "A parameter given by name is read, not created."
  }
}

run "alarms_off" {
  command = plan

  variables {
    enable_alarms = false
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0
    error_message = "enable_alarms = false creates no alarm."
  }
}

# ECR_SCAN_GATE: an image deploys only once its scan shows nothing at or above the gate.
run "ecr_scan_gate" {
  command = plan

  variables {
    ecr_scan_gate = "HIGH"
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["ecr-scan"].event_pattern) == {
      source        = ["aws.ecr"]
      "detail-type" = ["ECR Image Scan"]
      detail = {
        "scan-status"     = ["COMPLETE", "FAILED"]
        "repository-name" = ["myproject_backend", { prefix = "myproject_service_" }]
      }
    }
    error_message = "ecr-scan: ${aws_cloudwatch_event_rule.this["ecr-scan"].event_pattern}"
  }

  assert {
    condition     = jsonencode(sort(distinct([for a in flatten([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s.Action]) : a if startswith(a, "ecr:")]))) == jsonencode(["ecr:DescribeImageScanFindings", "ecr:DescribeImages"]) && aws_lambda_function.this.environment[0].variables.ECR_SCAN_GATE == "HIGH"
    error_message = "With the gate, the findings of a refused image are read too: ${aws_iam_role_policy.deployer.policy}"
  }
}

run "ecr_scan_gate_without_pushes" {
  command = plan

  variables {
    ecr_scan_gate         = "HIGH"
    enable_ecr_monitoring = false
  }

  assert {
    condition     = !contains(keys(aws_cloudwatch_event_rule.this), "ecr-scan") && strcontains(aws_iam_role_policy.deployer.policy, "ecr:DescribeImages") && !strcontains(aws_iam_role_policy.deployer.policy, "ecr:DescribeImageScanFindings")
    error_message = "Without ECR pushes, no scan rule; a manual deploy still shows its images' scans (DescribeImages)."
  }
}

run "deployments_in_the_idempotency_table" {
  command = plan

  variables {
    enable_idempotency     = true
    deployments_table_name = "myproject-deploybridge-dev-idempotency"
  }

  assert {
    condition     = length(aws_dynamodb_table.deployments) == 0 && aws_lambda_function.this.environment[0].variables.DEPLOYMENTS_TABLE == "myproject-deploybridge-dev-idempotency"
    error_message = "A table given by name is used, not created."
  }
}

run "not_following_deployments" {
  command = plan

  variables {
    enable_deployments_table = false
    enable_ecs_events        = false
  }

  assert {
    condition = (
      length(aws_dynamodb_table.deployments) == 0 &&
      !contains(keys(aws_lambda_function.this.environment[0].variables), "DEPLOYMENTS_TABLE") &&
      !strcontains(aws_iam_role_policy.deployer.policy, "DeploymentRecords") &&
      !strcontains(aws_iam_role_policy.deployer.policy, "ecs:ListTasks") &&
      !strcontains(aws_iam_role_policy.deployer.policy, "ecs:DescribeServices")
    )
    error_message = "Without the table and the ECS events rule, nothing follows deployments."
  }
}

run "slack_bot_token" {
  command = plan

  variables {
    slack_bot_token_ssm_parameter_name = "/deploybridge/myproject/dev/slack-bot-token"
    slack_bot_token_kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6"
    slack_channel                      = "C0123456789"
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s if startswith(s.Sid, "Decrypt")] == [{
      Sid       = "DecryptSlackBotToken"
      Effect    = "Allow"
      Action    = "kms:Decrypt"
      Resource  = "arn:aws:kms:eu-west-1:123456789012:key/7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6"
      Condition = { StringEquals = { "kms:EncryptionContext:PARAMETER_ARN" = "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/slack-bot-token" } }
    }]
    error_message = "kms:Decrypt on the bot token's key, for its parameter only (the webhook's parameter uses aws/ssm): ${aws_iam_role_policy.deployer.policy}"
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables.SLACK_BOT_TOKEN_SSM_PARAMETER == "/deploybridge/myproject/dev/slack-bot-token" &&
      aws_lambda_function.this.environment[0].variables.SLACK_CHANNEL == "C0123456789" &&
      [for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s.Resource if s.Sid == "ReadSlackBotToken"] == ["arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/slack-bot-token"]
    )
    error_message = "The bot token's parameter is named to the function and readable by it; the token itself never is in the configuration."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_metric_alarm.this["notifications-failed-slack"].alarm_description, "bot token (it wins over the webhook) in /deploybridge/myproject/dev/slack-bot-token")
    error_message = "The Slack alarm points at the credential in use: ${aws_cloudwatch_metric_alarm.this["notifications-failed-slack"].alarm_description}"
  }
}

# A bus with one env: requests naming no env or project are this deployment's. The rule is the
# same either way (they reach the function, which refuses them unless this is off).
run "manual_deploys_without_scope" {
  command = plan

  variables {
    manual_deploy_require_scope = false
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables.MANUAL_DEPLOY_REQUIRE_SCOPE == "false" &&
      jsondecode(aws_cloudwatch_event_rule.this["manual"].event_pattern).detail == { env = ["dev", { exists = false }], project = ["myproject", { exists = false }] }
    )
    error_message = "MANUAL_DEPLOY_REQUIRE_SCOPE is false; the manual rule is unchanged."
  }
}

# S3 writes keys URL-encoded in its own events (a space as "+"), CloudTrail as sent: the native
# rule lists the forms S3 may write a configured key in, the CloudTrail rule the key itself.
run "s3_keys_as_each_source_writes_them" {
  command = plan

  variables {
    service_config        = { api = [{ bucket = "myproject-config-dev", key = "config/my app+1.env" }, { bucket = "myproject-trail-dev", key = "config/my app+1.env" }] }
    s3_cloudtrail_buckets = ["myproject-trail-dev"]
  }

  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.this["s3-myproject-config-dev"].event_pattern).detail.object.key == ["config/my+app%2B1.env", "config/my%20app%2B1.env"] &&
      jsondecode(aws_cloudwatch_event_rule.this["s3-cloudtrail-myproject-trail-dev"].event_pattern).detail.requestParameters.key == ["config/my app+1.env"]
    )
    error_message = "native: ${aws_cloudwatch_event_rule.this["s3-myproject-config-dev"].event_pattern}"
  }
}
