# The module with its required inputs only: what a user gets by default.
#
# Every test file plans with the real AWS provider, offline: fake credentials, no account
# lookup, the caller identity overridden (account 123456789012). Run from terraform/:
#   terraform init -backend=false && terraform test
# The queues are overridden during plan so that their ARNs, unknown until apply otherwise,
# can be compared with where they are used.

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

override_resource {
  target          = aws_sqs_queue.failed_events
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-failed-events" }
}

override_resource {
  target          = aws_sqs_queue.undelivered_events
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-undelivered-events" }
}

variables {
  project_name   = "myproject"
  project_env    = "dev"
  service_config = {}
  package_path   = "tests/fixtures/package.zip"
}

run "function" {
  command = plan

  assert {
    condition = (
      aws_lambda_function.this.function_name == "myproject-deploybridge-dev" &&
      aws_lambda_function.this.handler == "index.handler" &&
      aws_lambda_function.this.runtime == "nodejs22.x" &&
      aws_lambda_function.this.architectures == tolist(["arm64"]) &&
      aws_lambda_function.this.memory_size == 256 &&
      aws_lambda_function.this.reserved_concurrent_executions == -1
    )
    error_message = "The function runs index.handler on nodejs22.x, arm64, 256 MB, without reserved concurrency."
  }

  assert {
    condition     = aws_lambda_function.this.timeout == 660
    error_message = "The timeout is deployment_timeout_seconds (600) + 60, got ${aws_lambda_function.this.timeout}."
  }

  assert {
    condition     = aws_lambda_function.this.filename == "tests/fixtures/package.zip" && aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/package.zip")
    error_message = "The function is deployed from package_path, with its hash."
  }

  assert {
    condition     = jsonencode(aws_lambda_function.this.logging_config) == jsonencode([{ log_format = "JSON", log_group = "/aws/lambda/myproject-deploybridge-dev", application_log_level = "INFO", system_log_level = null }])
    error_message = "JSON logs to its own log group, application log level INFO: ${jsonencode(aws_lambda_function.this.logging_config)}"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/myproject-deploybridge-dev" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The log group keeps 30 days."
  }

  assert {
    condition = (
      aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 2 &&
      aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 3600 &&
      aws_lambda_function_event_invoke_config.this.destination_config[0].on_failure[0].destination == "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-failed-events"
    )
    error_message = "Asynchronous invocations: 2 retries, 1 hour, then the failed-events queue."
  }
}

# The configuration contract: every variable the function reads, with the contract's default,
# and nothing else (no SLACK_WEBHOOK_URL, no AWS_REGION, no unset optional variable).
run "environment" {
  command = plan

  assert {
    condition = jsonencode(aws_lambda_function.this.environment[0].variables) == jsonencode({
      PROJECT_NAME                = "myproject"
      PROJECT_ENV                 = "dev"
      LOG_LEVEL                   = "info"
      CLUSTER_NAME_PATTERN        = "{project}_cluster_{env}"
      SERVICE_NAME_PATTERN        = "{project}_service_{name}_{env}"
      TASK_FAMILY_PATTERN         = "{project}_service_{name}_{env}"
      BACKEND_SERVICE_NAME        = ""
      ENABLE_SLACK_NOTIFICATIONS  = "true"
      SLACK_WEBHOOK_SSM_PARAMETER = "/deploybridge/myproject/dev/slack-webhook-url"
      SLACK_API_URL               = "https://slack.com/api"
      TEAMS_EVENTS                = ""
      GOOGLE_CHAT_EVENTS          = ""
      WEBHOOK_EVENTS              = ""
      SNS_EVENTS                  = ""
      SERVICE_CONFIG              = "{}"
      DEPLOYMENT_TIMEOUT_SECONDS  = "600"
      MAX_DEPLOYMENT_RETRIES      = "2"
      DRY_RUN                     = "false"
      ENABLE_ECR_MONITORING       = "true"
      ENABLE_SSM_MONITORING       = "true"
      ENABLE_S3_MONITORING        = "true"
      ENABLE_MANUAL_DEPLOY        = "true"
      LAMBDA_FUNCTION_PATTERN     = "{project}_lambda_{name}_{env}"
      IDEMPOTENCY_TABLE           = "myproject-deploybridge-dev-idempotency"
      IDEMPOTENCY_TTL_SECONDS     = "3600"
      DEPLOYMENTS_TABLE           = "myproject-deploybridge-dev-deployments"
      MANUAL_DEPLOY_REQUIRE_SCOPE = "true"
      PROTECTED_ENVS              = "prod,production"
      ECR_SCAN_GATE               = ""
      APPROVAL_EXPIRY_MINUTES     = "1440"
    })
    error_message = "Environment: ${jsonencode(aws_lambda_function.this.environment[0].variables)}"
  }
}

run "queues_table_and_parameter" {
  command = plan

  assert {
    condition = (
      aws_sqs_queue.failed_events.name == "myproject-deploybridge-dev-failed-events" &&
      aws_sqs_queue.undelivered_events.name == "myproject-deploybridge-dev-undelivered-events" &&
      aws_sqs_queue.failed_events.sqs_managed_sse_enabled && aws_sqs_queue.undelivered_events.sqs_managed_sse_enabled &&
      aws_sqs_queue.failed_events.message_retention_seconds == 1209600 && aws_sqs_queue.undelivered_events.message_retention_seconds == 1209600
    )
    error_message = "Both queues are encrypted and keep events 14 days."
  }

  # EventBridge and Lambda deliver at least once: by default a duplicate delivery deploys nothing
  # twice. The table is on demand, so it costs nothing while idle.
  assert {
    condition = (
      aws_dynamodb_table.idempotency[0].name == "myproject-deploybridge-dev-idempotency" &&
      aws_dynamodb_table.idempotency[0].billing_mode == "PAY_PER_REQUEST"
    )
    error_message = "The idempotency table is created by default, billed per request."
  }

  assert {
    condition = (
      aws_dynamodb_table.deployments[0].name == "myproject-deploybridge-dev-deployments" &&
      aws_dynamodb_table.deployments[0].billing_mode == "PAY_PER_REQUEST" &&
      aws_dynamodb_table.deployments[0].hash_key == "id" &&
      aws_dynamodb_table.deployments[0].ttl[0].attribute_name == "expiration" && aws_dynamodb_table.deployments[0].ttl[0].enabled &&
      output.deployments_table_name == "myproject-deploybridge-dev-deployments"
    )
    error_message = "Deployments are followed by default, in a table the module creates (partition key id, TTL expiration)."
  }

  assert {
    condition = (
      length(aws_ssm_parameter.slack_webhook) == 1 &&
      aws_ssm_parameter.slack_webhook[0].name == "/deploybridge/myproject/dev/slack-webhook-url" &&
      aws_ssm_parameter.slack_webhook[0].type == "SecureString" &&
      startswith(nonsensitive(aws_ssm_parameter.slack_webhook[0].value), "REPLACE_ME")
    )
    error_message = "The module creates the webhook SecureString with a placeholder."
  }

  assert {
    condition     = length(aws_s3_bucket_notification.eventbridge) == 0
    error_message = "No bucket notification is managed by default."
  }
}

run "iam" {
  command = plan

  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Principal == { Service = "lambda.amazonaws.com" } && jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Action == "sts:AssumeRole"
    error_message = "Only Lambda assumes the role."
  }

  assert {
    condition = jsonencode({ for s in jsondecode(aws_iam_role_policy.runtime.policy).Statement : s.Sid => [s.Effect, sort(flatten([s.Action])), sort(flatten([s.Resource])), try(s.Condition, {})] }) == jsonencode({
      WriteOwnLogs         = ["Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/myproject-deploybridge-dev:*"], {}]
      OnFailureDestination = ["Allow", ["sqs:SendMessage"], ["arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-failed-events"], {}]
      PollCoalescingQueue  = ["Allow", ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"], ["arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce"], {}]
    })
    error_message = "runtime policy: ${aws_iam_role_policy.runtime.policy}"
  }

  assert {
    condition = jsonencode({ for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s.Sid => [s.Effect, sort(flatten([s.Action])), sort(flatten([s.Resource])), try(s.Condition, {})] }) == jsonencode({
      ReadTaskDefinitions = ["Allow", ["ecs:DescribeTaskDefinition"], ["*"], {}]
      RedeployServices = ["Allow", ["ecs:UpdateService"], [
        "arn:aws:ecs:eu-west-1:123456789012:service/myproject_cluster_dev/myproject_service_*_dev",
        "arn:aws:ecs:eu-west-1:123456789012:service/myproject_cluster_dev/myproject_service_dev",
      ], {}]
      ReadSlackWebhook = ["Allow", ["ssm:GetParameter"], ["arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/slack-webhook-url"], {}]
      DescribeImages = ["Allow", ["ecr:DescribeImages"], [
        "arn:aws:ecr:eu-west-1:123456789012:repository/myproject_backend",
        "arn:aws:ecr:eu-west-1:123456789012:repository/myproject_service_*",
      ], {}]
      DescribeChangedParameters = ["Allow", ["ssm:DescribeParameters"], ["*"], {}]
      ReadServiceEvents = ["Allow", ["ecs:DescribeServices"], [
        "arn:aws:ecs:eu-west-1:123456789012:service/myproject_cluster_dev/myproject_service_*_dev",
        "arn:aws:ecs:eu-west-1:123456789012:service/myproject_cluster_dev/myproject_service_dev",
      ], {}]
      DescribeStoppedTasks = ["Allow", ["ecs:DescribeTasks"], ["arn:aws:ecs:eu-west-1:123456789012:task/myproject_cluster_dev/*"], {}]
      ListStoppedTasks = ["Allow", ["ecs:ListTasks"], ["*"], {
        ArnEquals = { "ecs:cluster" = "arn:aws:ecs:eu-west-1:123456789012:cluster/myproject_cluster_dev" }
      }]
      DeploymentRecords  = ["Allow", ["dynamodb:GetItem", "dynamodb:PutItem"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/myproject-deploybridge-dev-deployments"], {}]
      IdempotencyRecords = ["Allow", ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/myproject-deploybridge-dev-idempotency"], {}]
    })
    error_message = "deployer policy: ${aws_iam_role_policy.deployer.policy}"
  }

  assert {
    condition     = aws_iam_role.this.permissions_boundary == null
    error_message = "No permissions boundary by default."
  }
}

# One rule per trigger on the default bus, each as narrow as the contract allows.
run "rules" {
  command = plan

  assert {
    condition     = keys(aws_cloudwatch_event_rule.this) == ["ecr", "ecs", "manual", "ssm"]
    error_message = "Rules: ${jsonencode(keys(aws_cloudwatch_event_rule.this))}"
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["ecr"].event_pattern) == {
      source        = ["aws.ecr"]
      "detail-type" = ["ECR Image Action"]
      detail = {
        "action-type"     = ["PUSH"]
        result            = ["SUCCESS"]
        "repository-name" = ["myproject_backend", { prefix = "myproject_service_" }]
        "image-tag"       = [{ exists = true }]
      }
    }
    error_message = "ecr: ${aws_cloudwatch_event_rule.this["ecr"].event_pattern}"
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["ssm"].event_pattern) == {
      source        = ["aws.ssm"]
      "detail-type" = ["Parameter Store Change"]
      detail        = { name = [{ prefix = "/dev/myproject/" }], operation = ["Create", "Update", "Delete"] }
    }
    error_message = "ssm: ${aws_cloudwatch_event_rule.this["ssm"].event_pattern}"
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["ecs"].event_pattern) == {
      source        = ["aws.ecs"]
      "detail-type" = ["ECS Deployment State Change", "ECS Service Action"]
      resources     = [{ prefix = "arn:aws:ecs:eu-west-1:123456789012:service/myproject_cluster_dev/" }]
      detail        = { eventName = ["SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED", "SERVICE_TASK_START_IMPAIRED"] }
    }
    error_message = "ecs: ${aws_cloudwatch_event_rule.this["ecs"].event_pattern}"
  }

  # Manual deploys for this env and project, or naming none (the function refuses those).
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["manual"].event_pattern) == {
      source = ["action.production", "action.deploy"]
      detail = { env = ["dev", { exists = false }], project = ["myproject", { exists = false }] }
    }
    error_message = "manual: ${aws_cloudwatch_event_rule.this["manual"].event_pattern}"
  }

  assert {
    condition     = length(aws_cloudwatch_event_bus.manual) == 0 && length(aws_cloudwatch_event_bus_policy.manual) == 0 && output.manual_deploy_event_bus_name == "default"
    error_message = "Without manual_deploy_principals, manual deploys come from the default bus."
  }

  assert {
    condition = jsondecode(output.manual_deploy_sender_policy_json).Statement == [{
      Sid       = "SendManualDeploys"
      Effect    = "Allow"
      Action    = "events:PutEvents"
      Resource  = "arn:aws:events:eu-west-1:123456789012:event-bus/default"
      Condition = { StringEquals = { "events:source" = ["action.deploy", "action.production"] } }
    }]
    error_message = "The senders' policy: PutEvents on the default bus, manual-deploy sources only: ${output.manual_deploy_sender_policy_json}"
  }

  assert {
    condition     = alltrue([for r in aws_cloudwatch_event_rule.this : r.event_bus_name == "default" && length(r.name) <= 64 && startswith(r.name, "myproject-deploybridge-dev-")])
    error_message = "Every rule is on the default bus, named after the function, at most 64 characters."
  }

  assert {
    condition = alltrue([for k, t in aws_cloudwatch_event_target.this : (
      t.rule == aws_cloudwatch_event_rule.this[k].name &&
      t.retry_policy[0].maximum_retry_attempts == 20 &&
      t.retry_policy[0].maximum_event_age_in_seconds == 3600 &&
      t.dead_letter_config[0].arn == "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-undelivered-events"
    )])
    error_message = "Each rule retries delivery 20 times for an hour, then keeps the event in the undelivered-events queue."
  }

  # ECR and SSM go through the coalescing queue (coalesce.tftest.hcl): ECS events and manual
  # deploys invoke the function, and only their rules may.
  assert {
    condition     = alltrue([for k, p in aws_lambda_permission.eventbridge : p.principal == "events.amazonaws.com" && p.action == "lambda:InvokeFunction" && p.function_name == "myproject-deploybridge-dev"]) && keys(aws_lambda_permission.eventbridge) == ["ecs", "manual"]
    error_message = "The rules that invoke the function, and only they, may: ${jsonencode(keys(aws_lambda_permission.eventbridge))}"
  }

  assert {
    condition = jsondecode(aws_sqs_queue_policy.undelivered_events[0].policy).Statement == [{
      Sid       = "EventBridgeRulesOfThisModule"
      Effect    = "Allow"
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-undelivered-events"
      Principal = { Service = "events.amazonaws.com" }
      Condition = { ArnEquals = { "aws:SourceArn" = [for k in ["ecr", "ecs", "manual", "ssm"] : "arn:aws:events:eu-west-1:123456789012:rule/${aws_cloudwatch_event_rule.this[k].name}"] } }
    }]
    error_message = "The undelivered-events queue accepts messages from this module's rules only: ${aws_sqs_queue_policy.undelivered_events[0].policy}"
  }
}

# Alarms on what needs a person: function errors and throttles, events waiting in the queues,
# an invalid configuration, failed deployments and undelivered notifications. The function's
# own metrics (EMF) are stored per dimension set, so each alarm names every dimension the code
# emits: one per trigger for failed deployments, for the triggers that have a rule (no S3 rule
# here: no S3 object is configured), and one per notification channel that is on (only Slack here).
run "alarms" {
  command = plan

  assert {
    condition = keys(aws_cloudwatch_metric_alarm.this) == [
      "coalesce-dead-letters", "config-invalid", "deployments-failed-ecr", "deployments-failed-manual", "deployments-failed-ssm", "errors", "failed-events",
      "notifications-failed-slack", "throttles", "undelivered-events",
    ]
    error_message = "Alarms: ${jsonencode(keys(aws_cloudwatch_metric_alarm.this))}"
  }

  assert {
    condition = jsonencode({ for k, a in aws_cloudwatch_metric_alarm.this : k => [a.alarm_name, a.namespace, a.metric_name, a.statistic, a.dimensions] }) == jsonencode({
      coalesce-dead-letters      = ["myproject-deploybridge-dev-coalesce-dead-letters", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", { QueueName = "myproject-deploybridge-dev-coalesce-dead-letters" }]
      config-invalid             = ["myproject-deploybridge-dev-config-invalid", "deploybridge", "ConfigInvalid", "Sum", { environment = "dev", service = "deploybridge" }]
      deployments-failed-ecr     = ["myproject-deploybridge-dev-deployments-failed-ecr", "deploybridge", "DeploymentsFailed", "Sum", { environment = "dev", service = "deploybridge", trigger = "ecr" }]
      deployments-failed-manual  = ["myproject-deploybridge-dev-deployments-failed-manual", "deploybridge", "DeploymentsFailed", "Sum", { environment = "dev", service = "deploybridge", trigger = "manual" }]
      deployments-failed-ssm     = ["myproject-deploybridge-dev-deployments-failed-ssm", "deploybridge", "DeploymentsFailed", "Sum", { environment = "dev", service = "deploybridge", trigger = "ssm" }]
      errors                     = ["myproject-deploybridge-dev-errors", "AWS/Lambda", "Errors", "Sum", { FunctionName = "myproject-deploybridge-dev" }]
      failed-events              = ["myproject-deploybridge-dev-failed-events", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", { QueueName = "myproject-deploybridge-dev-failed-events" }]
      notifications-failed-slack = ["myproject-deploybridge-dev-notifications-failed-slack", "deploybridge", "NotificationsFailed", "Sum", { channel = "slack", environment = "dev", service = "deploybridge" }]
      throttles                  = ["myproject-deploybridge-dev-throttles", "AWS/Lambda", "Throttles", "Sum", { FunctionName = "myproject-deploybridge-dev" }]
      undelivered-events         = ["myproject-deploybridge-dev-undelivered-events", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", { QueueName = "myproject-deploybridge-dev-undelivered-events" }]
    })
    error_message = "Alarm metrics: ${jsonencode({ for k, a in aws_cloudwatch_metric_alarm.this : k => [a.alarm_name, a.namespace, a.metric_name, a.statistic, a.dimensions] })}"
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.threshold == 1 && a.comparison_operator == "GreaterThanOrEqualToThreshold" && a.period == 300 && a.evaluation_periods == 1 && a.treat_missing_data == "notBreaching" && try(length(a.alarm_actions), 0) == 0 && try(length(a.ok_actions), 0) == 0])
    error_message = "Each alarm fires on one occurrence in 5 minutes; no actions without alarm_sns_topic_arn."
  }

  # What to do is in the alarm: where to look, and what for.
  assert {
    condition = (
      strcontains(aws_cloudwatch_metric_alarm.this["config-invalid"].alarm_description, "/aws/lambda/myproject-deploybridge-dev") &&
      strcontains(aws_cloudwatch_metric_alarm.this["deployments-failed-ecr"].alarm_description, "filter message like /deployment failed/") &&
      strcontains(aws_cloudwatch_metric_alarm.this["notifications-failed-slack"].alarm_description, "/deploybridge/myproject/dev/slack-webhook-url") &&
      strcontains(aws_cloudwatch_metric_alarm.this["notifications-failed-slack"].alarm_description, "filter message = \"slack notification failed\"") &&
      alltrue([for a in aws_cloudwatch_metric_alarm.this : length(a.alarm_description) <= 1024])
    )
    error_message = "Alarm descriptions name the log group, the query and the webhook parameter (at most 1024 characters)."
  }
}
