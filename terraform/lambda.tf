locals {
  # The configuration contract, as the function reads it. Booleans and numbers are
  # passed as text; null means "leave the variable unset" (the function's default).
  # SLACK_WEBHOOK_URL, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and the other channels' URLs and
  # signing secret are deliberately absent: they are secrets, read at run time from the
  # SecureStrings named by the *_SSM_PARAMETER variables. AWS_REGION and
  # AWS_LAMBDA_FUNCTION_NAME are reserved: Lambda sets them.
  lambda_environment = {
    PROJECT_NAME                       = var.project_name
    PROJECT_ENV                        = var.project_env
    LOG_LEVEL                          = var.log_level
    CLUSTER_NAME_PATTERN               = var.cluster_name_pattern
    SERVICE_NAME_PATTERN               = var.service_name_pattern
    TASK_FAMILY_PATTERN                = var.task_family_pattern
    BACKEND_SERVICE_NAME               = var.backend_service_name
    ENABLE_SLACK_NOTIFICATIONS         = tostring(var.enable_slack_notifications)
    SLACK_WEBHOOK_SSM_PARAMETER        = local.slack_parameter_name
    SLACK_BOT_TOKEN_SSM_PARAMETER      = local.slack_bot_token_parameter_name
    SLACK_SIGNING_SECRET_SSM_PARAMETER = var.slack_signing_secret_ssm_parameter
    SLACK_CHANNEL                      = var.slack_channel
    SLACK_API_URL                      = var.slack_api_url
    # The channels besides Slack: the names of their SecureStrings (never a URL or a secret), the
    # topic, and what each hears (empty: everything; empty too while the channel is off, since the
    # function refuses a filter without its channel).
    TEAMS_WEBHOOK_SSM_PARAMETER       = var.teams_webhook_ssm_parameter_name
    TEAMS_EVENTS                      = var.teams_webhook_ssm_parameter_name == null ? "" : join(",", var.teams_events)
    GOOGLE_CHAT_WEBHOOK_SSM_PARAMETER = var.google_chat_webhook_ssm_parameter_name
    GOOGLE_CHAT_EVENTS                = var.google_chat_webhook_ssm_parameter_name == null ? "" : join(",", var.google_chat_events)
    WEBHOOK_SSM_PARAMETER             = var.webhook_ssm_parameter_name
    WEBHOOK_SECRET_SSM_PARAMETER      = var.webhook_secret_ssm_parameter_name
    WEBHOOK_EVENTS                    = !local.webhook_on ? "" : join(",", var.webhook_events)
    SNS_TOPIC_ARN                     = var.sns_topic_arn
    SNS_EVENTS                        = var.sns_topic_arn == null ? "" : join(",", var.sns_events)
    SERVICE_CONFIG                    = var.service_config == null ? null : jsonencode(var.service_config)
    DEPLOYMENT_TIMEOUT_SECONDS        = tostring(var.deployment_timeout_seconds)
    MAX_DEPLOYMENT_RETRIES            = tostring(var.max_deployment_retries)
    DRY_RUN                           = tostring(var.dry_run)
    ENABLE_ECR_MONITORING             = tostring(var.enable_ecr_monitoring)
    ENABLE_SSM_MONITORING             = tostring(var.enable_ssm_monitoring)
    ENABLE_S3_MONITORING              = tostring(var.enable_s3_monitoring)
    ENABLE_MANUAL_DEPLOY              = tostring(var.enable_manual_deploy)
    LAMBDA_CONFIG                     = length(local.lambda_config) == 0 ? null : jsonencode(local.lambda_config)
    LAMBDA_FUNCTION_PATTERN           = var.lambda_function_pattern
    ROLLOUT_CONFIG                    = local.ecs_hook ? jsonencode(local.rollout_config) : null
    RELEASE_CONFIG                    = length(var.release_config) == 0 ? null : jsonencode(local.release_config)
    IDEMPOTENCY_TABLE                 = var.enable_idempotency ? aws_dynamodb_table.idempotency[0].name : null
    IDEMPOTENCY_TTL_SECONDS           = tostring(var.idempotency_ttl_seconds)
    DEPLOYMENTS_TABLE                 = local.deployments_table_name
    MANUAL_DEPLOY_ACCOUNTS            = length(var.manual_deploy_accounts) == 0 ? null : join(",", var.manual_deploy_accounts)
    MANUAL_DEPLOY_REQUIRE_SCOPE       = tostring(var.manual_deploy_require_scope)
    PROTECTED_ENVS                    = join(",", var.protected_envs)
    ECR_SCAN_GATE                     = var.ecr_scan_gate
    APPROVERS                         = length(var.approvers) == 0 ? null : join(",", var.approvers)
    APPROVAL_EXPIRY_MINUTES           = tostring(var.approval_expiry_minutes)
  }
}

locals {
  # `npm run verify` with the function's configuration (and its region, which Lambda sets for the
  # function), one shell-quoted assignment a line. No secret is in it: the webhook stays in its SSM
  # parameter.
  verify_environment = merge(
    { for k, v in local.lambda_environment : k => v if v != null },
    # The function the ECS lifecycle hooks must invoke: the preflight warns of a hook that invokes another.
    { AWS_REGION = local.region, AWS_LAMBDA_FUNCTION_NAME = local.name },
  )
  verify_command = join(" \\\n  ", concat(
    [for k in sort(keys(local.verify_environment)) : "${k}='${replace(local.verify_environment[k], "'", "'\\''")}'"],
    ["npm run verify -- --live"],
  ))
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name                  = local.name
  description                    = "deploybridge for ${var.project_name} ${var.project_env}: EventBridge events in, ECS and Lambda deployments out"
  role                           = aws_iam_role.this.arn
  filename                       = local.package_path
  s3_bucket                      = var.s3_bucket
  s3_key                         = var.s3_key
  s3_object_version              = var.s3_object_version
  source_code_hash               = local.package_path == null ? null : try(filebase64sha256(local.package_path), null)
  handler                        = "index.handler"
  runtime                        = "nodejs22.x"
  architectures                  = [var.architecture]
  memory_size                    = var.memory_size
  timeout                        = local.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions

  environment {
    variables = { for k, v in local.lambda_environment : k => v if v != null }
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = upper(var.log_level)
  }

  lifecycle {
    # A checkout (or a Git module source) has no dist/ until it is built.
    precondition {
      condition     = local.package_path == null || try(fileexists(local.package_path), false)
      error_message = "No deployment package at ${coalesce(local.package_path, "-")}: run `npm ci && npm run build` first (it writes dist/deploybridge-${local.package_version}.zip), or set package_path, or s3_bucket and s3_key of a published package."
    }

    precondition {
      condition     = length(local.name) <= 40
      error_message = "The default name {project}-deploybridge-{env} is longer than 40 characters: set name."
    }

    precondition {
      condition     = (var.webhook_ssm_parameter_name == null) == (var.webhook_secret_ssm_parameter_name == null)
      error_message = "webhook_ssm_parameter_name and webhook_secret_ssm_parameter_name go together: every delivery of the webhook is signed with the secret."
    }

    precondition {
      condition     = length(setsubtract(var.s3_cloudtrail_buckets, keys(local.s3_keys_by_bucket))) == 0
      error_message = "s3_cloudtrail_buckets lists buckets that neither service_config nor lambda_config uses."
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.runtime]
}

# Asynchronous invocations (EventBridge invokes asynchronously): Lambda retries a failed
# invocation, then keeps the event, with the error, in the failed-events queue for replay.
resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.async_maximum_retry_attempts
  maximum_event_age_in_seconds = var.async_maximum_event_age_seconds

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failed_events.arn
    }
  }

  depends_on = [aws_iam_role_policy.runtime]
}
