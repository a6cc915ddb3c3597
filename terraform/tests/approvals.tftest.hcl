# Approvals in Slack: the approvers and the signing secret reach the function, the Function URL
# (auth type NONE) with the two statements a public URL needs, the output to paste into Slack,
# the IAM (invoke itself only; read and decrypt the signing secret) and the alarms. Provider and
# overrides as in defaults.tftest.hcl.

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
  target          = aws_lambda_function_url.this
  override_during = plan
  values          = { function_url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/" }
}

variables {
  project_name   = "myproject"
  project_env    = "dev"
  service_config = {}
  package_path   = "tests/fixtures/package.zip"
}

run "off_by_default" {
  command = plan

  assert {
    condition     = length(aws_lambda_function_url.this) == 0 && length(aws_lambda_permission.function_url) == 0 && length(aws_cloudformation_stack.function_url_invoke) == 0
    error_message = "Without approvers there is no Function URL: nothing public."
  }

  assert {
    condition     = output.slack_interactivity_url == null && !contains(keys(aws_lambda_function.this.environment[0].variables), "APPROVERS")
    error_message = "Without approvers, no interactivity URL and no APPROVERS."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.APPROVAL_EXPIRY_MINUTES == "1440"
    error_message = "APPROVAL_EXPIRY_MINUTES is passed with its default, 1440."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.deployer.policy, "HandOffClicksToItself") && !strcontains(aws_iam_role_policy.deployer.policy, "SlackSigningSecret")
    error_message = "Without approvers the function neither invokes itself nor reads a signing secret."
  }

  assert {
    condition     = !contains(keys(aws_cloudwatch_event_rule.this), "ecs-hooks") && !strcontains(aws_iam_role_policy.deployer.policy, "ServiceDeployment")
    error_message = "Without approvers nor rollout checks, no pause-hook rule and no service-deployment permission."
  }
}

run "on" {
  command = plan

  variables {
    approvers                          = ["U0APPROVER", "W0GRIDUSER"]
    slack_bot_token_ssm_parameter_name = "/deploybridge/myproject/dev/slack-bot-token"
    slack_channel                      = "C0DEPLOYS"
    slack_signing_secret_ssm_parameter = "/deploybridge/myproject/dev/slack-signing-secret"
    slack_signing_secret_kms_key_arn   = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    approval_expiry_minutes            = 60
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables.APPROVERS == "U0APPROVER,W0GRIDUSER" &&
      aws_lambda_function.this.environment[0].variables.APPROVAL_EXPIRY_MINUTES == "60" &&
      aws_lambda_function.this.environment[0].variables.SLACK_SIGNING_SECRET_SSM_PARAMETER == "/deploybridge/myproject/dev/slack-signing-secret" &&
      !contains(keys(aws_lambda_function.this.environment[0].variables), "SLACK_SIGNING_SECRET")
    )
    error_message = "The approvers, the expiry and the signing secret's parameter (never the secret) reach the function."
  }

  assert {
    condition     = aws_lambda_function_url.this[0].authorization_type == "NONE" && aws_lambda_function_url.this[0].function_name == "myproject-deploybridge-dev"
    error_message = "The Function URL has authorization_type NONE: Slack cannot sign with AWS credentials; the function verifies Slack's signature."
  }

  assert {
    condition = (
      aws_lambda_permission.function_url[0].action == "lambda:InvokeFunctionUrl" &&
      aws_lambda_permission.function_url[0].principal == "*" &&
      aws_lambda_permission.function_url[0].function_url_auth_type == "NONE"
    )
    error_message = "Anyone may call the URL (lambda:InvokeFunctionUrl for auth type NONE)."
  }

  assert {
    condition = (
      jsondecode(aws_cloudformation_stack.function_url_invoke[0].template_body).Resources.InvokeThroughFunctionUrl.Type == "AWS::Lambda::Permission" &&
      jsondecode(aws_cloudformation_stack.function_url_invoke[0].template_body).Resources.InvokeThroughFunctionUrl.Properties == {
        Action                = "lambda:InvokeFunction"
        FunctionName          = "arn:aws:lambda:eu-west-1:123456789012:function:myproject-deploybridge-dev"
        Principal             = "*"
        InvokedViaFunctionUrl = true
      }
    )
    error_message = "The URL may invoke the function (lambda:InvokeFunction), only through the function URL: never anyone directly."
  }

  assert {
    condition     = output.slack_interactivity_url == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/slack/interactions"
    error_message = "slack_interactivity_url is the Function URL's /slack/interactions, the path the function answers."
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["ecs-hooks"].event_pattern) == {
      source        = ["aws.ecs"]
      "detail-type" = ["ECS Hook State Change"]
      detail = {
        eventName  = ["HOOK_AWAITING_ACTION"]
        serviceArn = [{ prefix = "arn:aws:ecs:eu-west-1:123456789012:service/myproject_cluster_dev/" }]
      }
    }
    error_message = "Pause hooks awaiting action of this cluster's services reach the function: ${aws_cloudwatch_event_rule.this["ecs-hooks"].event_pattern}"
  }

  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement :
      try(s.Sid == "DecideServiceDeployments" && toset(s.Action) == toset(["ecs:ContinueServiceDeployment", "ecs:StopServiceDeployment"]) &&
      toset(s.Resource) == toset(["arn:aws:ecs:eu-west-1:123456789012:service-deployment/myproject_cluster_dev/myproject_service_*_dev/*", "arn:aws:ecs:eu-west-1:123456789012:service-deployment/myproject_cluster_dev/myproject_service_dev/*"]), false)
    ])
    error_message = "Continue and Roll back act on this project's services' deployments only: ${aws_iam_role_policy.deployer.policy}"
  }

  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement :
      try(s.Sid == "ListServiceDeployments" && s.Action == "ecs:ListServiceDeployments" &&
      toset(s.Resource) == toset(["arn:aws:ecs:eu-west-1:123456789012:service/myproject_cluster_dev/myproject_service_*_dev", "arn:aws:ecs:eu-west-1:123456789012:service/myproject_cluster_dev/myproject_service_dev"]), false)
      ]) && anytrue([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement :
      try(s.Sid == "DescribePausedDeployments" && s.Action == "ecs:DescribeServiceDeployments" &&
      toset(s.Resource) == toset(["arn:aws:ecs:eu-west-1:123456789012:service-deployment/myproject_cluster_dev/myproject_service_*_dev/*", "arn:aws:ecs:eu-west-1:123456789012:service-deployment/myproject_cluster_dev/myproject_service_dev/*"]), false)
    ])
    error_message = "Service deployments are listed per service and described per deployment, of this project's services only."
  }

  assert {
    condition = anytrue([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement :
      s.Sid == "HandOffClicksToItself" && s.Action == "lambda:InvokeFunction" && s.Resource == "arn:aws:lambda:eu-west-1:123456789012:function:myproject-deploybridge-dev"
    ])
    error_message = "The role may invoke the function itself (the hand-off), and no other function for it."
  }

  assert {
    condition = (
      anytrue([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement :
        s.Sid == "ReadSlackSigningSecret" && s.Action == "ssm:GetParameter" && s.Resource == "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/slack-signing-secret"
      ]) &&
      anytrue([for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement :
        s.Sid == "DecryptSlackSigningSecret" && s.Action == "kms:Decrypt" && s.Resource == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      ])
    )
    error_message = "The signing secret's parameter may be read, and decrypted with its customer managed key (for that parameter only)."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["interactions-rejected"].metric_name == "InteractionsRejected" &&
      aws_cloudwatch_metric_alarm.this["interactions-rejected"].dimensions == tomap({ service = "deploybridge", environment = "dev", trigger = "interaction" }) &&
      aws_cloudwatch_metric_alarm.this["interaction-hand-offs-failed"].metric_name == "InteractionHandOffsFailed"
    )
    error_message = "An alarm on refused interactions (and on clicks not handed off), with the dimensions the function counts them under."
  }
}

run "approvers_need_what_approvals_stand_on" {
  command = plan

  variables {
    approvers = ["U0APPROVER"]
  }

  expect_failures = [var.approvers]
}

run "approvers_are_slack_user_ids" {
  command = plan

  variables {
    approvers                          = ["alice"]
    slack_bot_token_ssm_parameter_name = "/deploybridge/myproject/dev/slack-bot-token"
    slack_channel                      = "C0DEPLOYS"
    slack_signing_secret_ssm_parameter = "/deploybridge/myproject/dev/slack-signing-secret"
  }

  expect_failures = [var.approvers]
}

run "expiry_at_most_seven_days" {
  command = plan

  variables {
    approval_expiry_minutes = 10081
  }

  expect_failures = [var.approval_expiry_minutes]
}
