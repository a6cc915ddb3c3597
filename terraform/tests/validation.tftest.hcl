# Inputs the module refuses at plan time, before anything reaches AWS. Provider and overrides
# as in defaults.tftest.hcl.

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

# Every variable listed in expect_failures must fail its own validation. (Checks that read other
# inputs, or locals, run once the module's other inputs have passed theirs: those are tried below,
# one input at a time; test/terraform/refusals.test.ts compares every check with the function's.)
run "invalid_values" {
  command = plan

  variables {
    project_name                          = "my project"
    project_env                           = "dev/eu"
    log_level                             = "verbose"
    backend_service_name                  = "core/v2"
    deployment_timeout_seconds            = 1.5
    max_deployment_retries                = -1
    idempotency_ttl_seconds               = 0
    manual_deploy_accounts                = ["12345"]
    protected_envs                        = ["prod/eu"]
    name                                  = "a name with spaces"
    architecture                          = "arm"
    memory_size                           = 64
    timeout                               = 901
    log_retention_days                    = 31
    slack_webhook_ssm_parameter_name      = "arn:aws:ssm:eu-west-1:123456789012:parameter/x"
    slack_webhook_kms_key_arn             = "alias/aws/ssm"
    async_maximum_retry_attempts          = 3
    async_maximum_event_age_seconds       = 30
    eventbridge_maximum_retry_attempts    = 186
    eventbridge_maximum_event_age_seconds = 30
    failed_event_retention_seconds        = 30
    ecr_scan_gate                         = "LOW"
    deployments_table_name                = "arn:aws:dynamodb:eu-west-1:123456789012:table/t"
    slack_bot_token_kms_key_arn           = "alias/aws/ssm"
    slack_api_url                         = "slack.com/api"
    coalesce_window_seconds               = 301
  }

  expect_failures = [
    var.project_name,
    var.project_env,
    var.log_level,
    var.backend_service_name,
    var.deployment_timeout_seconds,
    var.max_deployment_retries,
    var.idempotency_ttl_seconds,
    var.manual_deploy_accounts,
    var.protected_envs,
    var.name,
    var.architecture,
    var.memory_size,
    var.timeout,
    var.log_retention_days,
    var.slack_webhook_ssm_parameter_name,
    var.slack_webhook_kms_key_arn,
    var.async_maximum_retry_attempts,
    var.async_maximum_event_age_seconds,
    var.eventbridge_maximum_retry_attempts,
    var.eventbridge_maximum_event_age_seconds,
    var.failed_event_retention_seconds,
    var.ecr_scan_gate,
    var.deployments_table_name,
    var.slack_bot_token_kms_key_arn,
    var.slack_api_url,
    var.coalesce_window_seconds,
  ]
}

# A window is whole seconds, from 0 (no queue) to 300 (the event source mapping's maximum).
run "coalesce_window_negative" {
  command = plan

  variables {
    coalesce_window_seconds = -1
  }

  expect_failures = [var.coalesce_window_seconds]
}

run "coalesce_window_fraction" {
  command = plan

  variables {
    coalesce_window_seconds = 2.5
  }

  expect_failures = [var.coalesce_window_seconds]
}

run "invalid_lambda_config" {
  command = plan

  variables {
    lambda_config = {
      "t/1" = { smoke_test = { payload = "{ping}", expect = "[200]" } }
    }
  }

  expect_failures = [var.lambda_config]
}

run "empty_env_file_key" {
  command = plan

  variables {
    service_config = { api = [{ bucket = "myproject-config-dev", key = "" }] }
  }

  expect_failures = [var.service_config]
}

run "accepts_empty_protected_envs" {
  command = plan

  variables {
    protected_envs = []
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.PROTECTED_ENVS == ""
    error_message = "[] is passed as an empty string, which the function reads as no protected env."
  }
}

# service_config is required while S3 monitoring is on, as the function requires SERVICE_CONFIG.
run "service_config_required_with_s3" {
  command = plan

  variables {
    service_config = null
  }

  expect_failures = [var.service_config]
}

run "service_config_optional_without_s3" {
  command = plan

  variables {
    service_config       = null
    enable_s3_monitoring = false
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "SERVICE_CONFIG")
    error_message = "Without S3 monitoring, a null service_config leaves SERVICE_CONFIG unset."
  }
}

run "cloudtrail_bucket_not_configured" {
  command = plan

  variables {
    s3_cloudtrail_buckets = ["elsewhere"]
  }

  expect_failures = [aws_lambda_function.this]
}

run "default_name_too_long" {
  command = plan

  variables {
    project_name = "a-project-with-a-rather-long-name"
  }

  expect_failures = [aws_lambda_function.this]
}

run "bot_token_without_channel" {
  command = plan

  variables {
    slack_bot_token_ssm_parameter_name = "/deploybridge/myproject/dev/slack-bot-token"
  }

  expect_failures = [var.slack_bot_token_ssm_parameter_name]
}

run "invalid_patterns_and_service_config" {
  command = plan

  variables {
    cluster_name_pattern    = "{project}_{cluster}"
    service_name_pattern    = "{project}_service_{env}"
    task_family_pattern     = "fam"
    lambda_function_pattern = "{project}:{name}"
    service_config          = { "api/v2" = [{ bucket = "My_Bucket", key = "/api/.env" }] }
  }

  expect_failures = [
    var.cluster_name_pattern,
    var.service_name_pattern,
    var.task_family_pattern,
    var.lambda_function_pattern,
    var.service_config,
  ]
}
