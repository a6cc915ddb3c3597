# The lifecycle hook's checks (rollout_config): ROLLOUT_CONFIG as the function parses it, DescribeAlarms
# on the named alarms only, the role ECS assumes to invoke the function, and what is refused.
# Provider and overrides as in defaults.tftest.hcl.

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
  rollout_config = {
    api = {
      smoke  = [{ stage = "POST_TEST_TRAFFIC_SHIFT", url = "https://test.api.example.com/health", expect_body = "ok" }]
      alarms = ["api-5xx", "api-p99-latency"]
      bake   = { stage = "POST_PRODUCTION_TRAFFIC_SHIFT", minutes = 10 }
    }
    worker = {}
  }
}

run "rollout_config" {
  command = plan

  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables.ROLLOUT_CONFIG) == {
      api = {
        smoke  = [{ stage = "POST_TEST_TRAFFIC_SHIFT", url = "https://test.api.example.com/health", expect_body = "ok" }]
        alarms = ["api-5xx", "api-p99-latency"]
        bake   = { stage = "POST_PRODUCTION_TRAFFIC_SHIFT", minutes = 10 }
      }
      worker = {}
    }
    error_message = "ROLLOUT_CONFIG is rollout_config as JSON, without null fields or empty lists."
  }

  assert {
    condition = toset(one([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s if s.Sid == "ReadRolloutAlarms"]).Resource) == toset([
      "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-5xx",
      "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-p99-latency",
    ])
    error_message = "cloudwatch:DescribeAlarms is granted on the named alarms only."
  }

  assert {
    condition     = length(aws_iam_role.ecs_hook) == 1
    error_message = "With rollout_config, the module creates the role ECS assumes to invoke the function."
  }
}

run "without_rollout_config" {
  command = plan

  variables {
    rollout_config = {}
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "ROLLOUT_CONFIG") && length(aws_iam_role.ecs_hook) == 0
    error_message = "Without rollout_config, ROLLOUT_CONFIG is unset and no hook role is created."
  }
}

run "rollout_config_service_name" {
  command = plan

  variables {
    rollout_config = { "api/v2" = {} }
  }

  expect_failures = [var.rollout_config]
}

run "rollout_config_stage" {
  command = plan

  variables {
    rollout_config = { api = { bake = { stage = "AFTER_DEPLOY", minutes = 10 } } }
  }

  expect_failures = [var.rollout_config]
}

run "rollout_config_url" {
  command = plan

  variables {
    rollout_config = { api = { smoke = [{ stage = "POST_TEST_TRAFFIC_SHIFT", url = "https://user:secret@test.api.example.com/health" }] } }
  }

  expect_failures = [var.rollout_config]
}

run "rollout_config_url_scheme" {
  command = plan

  variables {
    rollout_config = { api = { smoke = [{ stage = "POST_TEST_TRAFFIC_SHIFT", url = "ftp://test.api.example.com/health" }] } }
  }

  expect_failures = [var.rollout_config]
}

run "rollout_config_timeout" {
  command = plan

  variables {
    rollout_config = { api = { smoke = [{ stage = "POST_TEST_TRAFFIC_SHIFT", url = "http://10.0.0.5:8080/health", timeout_seconds = 61 }] } }
  }

  expect_failures = [var.rollout_config]
}

run "rollout_config_bake_minutes" {
  command = plan

  variables {
    rollout_config = { api = { bake = { stage = "POST_PRODUCTION_TRAFFIC_SHIFT", minutes = 0 } } }
  }

  expect_failures = [var.rollout_config]
}
