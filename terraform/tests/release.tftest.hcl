# Releases (release_config): the rule for the tasks they run, the periodic check of their
# timeouts, RunTask on the named families only and PassRole on those families' roles only.
# Provider and overrides as in defaults.tftest.hcl; the families' roles as ECS would describe them.

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

override_data {
  target = data.aws_ecs_task_definition.release["myproject_migrate_dev"]
  values = {
    task_role_arn      = "arn:aws:iam::123456789012:role/myproject-migrate-task"
    execution_role_arn = "arn:aws:iam::123456789012:role/myproject-ecs-execution"
  }
}

variables {
  project_name   = "myproject"
  project_env    = "dev"
  service_config = {}
  package_path   = "tests/fixtures/package.zip"
  release_config = {
    api    = { run_before = { family = "myproject_migrate_dev", container = "migrate", command = ["./migrate", "up"], timeout_minutes = 20 } }
    worker = { after = ["api"] }
  }
}

run "release" {
  command = plan

  assert {
    condition     = jsondecode(aws_lambda_function.this.environment[0].variables.RELEASE_CONFIG) == { api = { run_before = { family = "myproject_migrate_dev", container = "migrate", command = ["./migrate", "up"], timeout_minutes = 20 } }, worker = { after = ["api"] } }
    error_message = "RELEASE_CONFIG is release_config as JSON, without null fields."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this["release-tasks"].event_pattern) == { source = ["aws.ecs"], "detail-type" = ["ECS Task State Change"], detail = { clusterArn = ["arn:aws:ecs:eu-west-1:123456789012:cluster/myproject_cluster_dev"], lastStatus = ["STOPPED"], startedBy = [{ prefix = "deploybridge/" }] } }
    error_message = "The task rule matches only STOPPED tasks of this cluster that deploybridge started."
  }

  assert {
    condition     = aws_cloudwatch_event_rule.release_timeouts[0].schedule_expression == "rate(1 minute)" && length(aws_lambda_permission.release_timeouts) == 1
    error_message = "The periodic check of release timeouts invokes the function every minute."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s if s.Sid == "RunReleaseTasks"]) == {
      Sid       = "RunReleaseTasks"
      Effect    = "Allow"
      Action    = "ecs:RunTask"
      Resource  = "arn:aws:ecs:eu-west-1:123456789012:task-definition/myproject_migrate_dev:*"
      Condition = { ArnEquals = { "ecs:cluster" = "arn:aws:ecs:eu-west-1:123456789012:cluster/myproject_cluster_dev" } }
    }
    error_message = "RunTask on the families release_config names only, in this cluster only."
  }

  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s if s.Sid == "PassReleaseTaskRoles"]) == {
      Sid       = "PassReleaseTaskRoles"
      Effect    = "Allow"
      Action    = "iam:PassRole"
      Resource  = ["arn:aws:iam::123456789012:role/myproject-migrate-task", "arn:aws:iam::123456789012:role/myproject-ecs-execution"]
      Condition = { StringEquals = { "iam:PassedToService" = "ecs-tasks.amazonaws.com" } }
    }
    error_message = "PassRole only for the families' task and execution roles, only to ECS tasks."
  }
}

run "release_needs_the_deployments_table" {
  command = plan

  variables {
    enable_deployments_table = false
  }

  expect_failures = [var.release_config]
}

run "release_after_unknown_service" {
  command = plan

  variables {
    release_config = { worker = { after = ["nosuch"] } }
  }

  expect_failures = [var.release_config]
}

run "no_release" {
  command = plan

  variables {
    release_config = {}
  }

  assert {
    condition     = !contains(keys(aws_cloudwatch_event_rule.this), "release-tasks") && length(aws_cloudwatch_event_rule.release_timeouts) == 0 && !strcontains(aws_iam_role_policy.deployer.policy, "RunTask") && !strcontains(aws_iam_role_policy.deployer.policy, "PassRole")
    error_message = "Without release_config: no task rule, no periodic check, no RunTask, no PassRole."
  }
}
