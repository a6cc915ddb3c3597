# manual_deploy_principals: manual deploys on a bus of their own that only those principals may
# send to, and not from the default bus any more. Provider and overrides as in
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
  manual_deploy_principals = [
    "arn:aws:iam::123456789012:role/release-managers",
    "arn:aws:iam::210987654321:root",
  ]
}

run "own_bus" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_bus.manual[0].name == "myproject-deploybridge-dev-manual-deploys"
    error_message = "The bus is named after the function."
  }

  assert {
    condition = (
      aws_cloudwatch_event_rule.this["manual"].event_bus_name == "myproject-deploybridge-dev-manual-deploys" &&
      aws_cloudwatch_event_target.this["manual"].event_bus_name == "myproject-deploybridge-dev-manual-deploys" &&
      alltrue([for k, r in aws_cloudwatch_event_rule.this : r.event_bus_name == "default" if k != "manual"])
    )
    error_message = "The manual rule (and its target) listens on that bus only; the other rules stay on the default bus."
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["manual"].event_pattern) == {
      source = ["action.production", "action.deploy"]
      detail = { env = ["dev", { exists = false }], project = ["myproject", { exists = false }] }
    }
    error_message = "The same pattern as on the default bus."
  }

  # The listed principals may put events on the bus…
  assert {
    condition = jsonencode([for s in jsondecode(aws_cloudwatch_event_bus_policy.manual[0].policy).Statement : [s.Effect, s.Action, s.Resource, sort(s.Principal.AWS)] if s.Sid == "ManualDeploySenders"]) == jsonencode([[
      "Allow", "events:PutEvents", "arn:aws:events:eu-west-1:123456789012:event-bus/myproject-deploybridge-dev-manual-deploys",
      ["arn:aws:iam::123456789012:role/release-managers", "arn:aws:iam::210987654321:root"],
    ]])
    error_message = "The listed principals may send: ${aws_cloudwatch_event_bus_policy.manual[0].policy}"
  }

  # …and nobody else, not even a principal of this account whose own policy allows PutEvents on "*".
  assert {
    condition = jsonencode([for s in jsondecode(aws_cloudwatch_event_bus_policy.manual[0].policy).Statement : [s.Effect, s.Action, s.Resource, s.Principal, keys(s.Condition), sort(s.Condition.ArnNotLike["aws:PrincipalArn"])] if s.Sid == "NobodyElse"]) == jsonencode([[
      "Deny", "events:PutEvents", "arn:aws:events:eu-west-1:123456789012:event-bus/myproject-deploybridge-dev-manual-deploys", "*", ["ArnNotLike"],
      ["arn:aws:iam::123456789012:role/release-managers", "arn:aws:iam::210987654321:*"],
    ]])
    error_message = "Everyone else is denied (an account root stands for all of its principals): ${aws_cloudwatch_event_bus_policy.manual[0].policy}"
  }

  assert {
    condition     = length(jsondecode(aws_cloudwatch_event_bus_policy.manual[0].policy).Statement) == 2
    error_message = "The bus policy has these two statements only."
  }

  assert {
    condition = (
      output.manual_deploy_event_bus_name == "myproject-deploybridge-dev-manual-deploys" &&
      output.manual_deploy_event_bus_arn == "arn:aws:events:eu-west-1:123456789012:event-bus/myproject-deploybridge-dev-manual-deploys" &&
      jsondecode(output.manual_deploy_sender_policy_json).Statement[0].Resource == output.manual_deploy_event_bus_arn &&
      jsondecode(output.manual_deploy_sender_policy_json).Statement[0].Condition == { StringEquals = { "events:source" = ["action.deploy", "action.production"] } }
    )
    error_message = "The outputs name the bus and give the senders' policy for it."
  }

  assert {
    condition     = contains(jsondecode(aws_sqs_queue_policy.undelivered_events[0].policy).Statement[0].Condition.ArnEquals["aws:SourceArn"], "arn:aws:events:eu-west-1:123456789012:rule/myproject-deploybridge-dev-manual-deploys/${aws_cloudwatch_event_rule.this["manual"].name}")
    error_message = "The undelivered-events queue accepts the manual rule of that bus (rule/BUS/NAME)."
  }
}

run "manual_deploys_off" {
  command = plan

  variables {
    enable_manual_deploy = false
  }

  assert {
    condition     = length(aws_cloudwatch_event_bus.manual) == 0 && !contains(keys(aws_cloudwatch_event_rule.this), "manual") && output.manual_deploy_event_bus_name == null && output.manual_deploy_sender_policy_json == null
    error_message = "With manual deploys off, no bus and no rule."
  }
}

run "not_a_principal" {
  command = plan

  variables {
    manual_deploy_principals = ["123456789012", "arn:aws:sts::123456789012:assumed-role/release/alice"]
  }

  expect_failures = [var.manual_deploy_principals]
}
