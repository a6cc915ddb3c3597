# The inputs of examples/complete: env files in two S3 buckets (one watched through CloudTrail),
# a Lambda target deployed from an S3 artifact, idempotency, alarms to SNS. Provider and overrides
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
  project_name = "myproject"
  project_env  = "dev"
  package_path = "tests/fixtures/package.zip"
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
  lambda_config = {
    thumbnailer = {
      alias    = "live"
      artifact = { bucket = "myproject-artifacts-dev", key = "thumbnailer/lambda.zip" }
      smoke_test = {
        payload = "{\"ping\":true}"
        expect  = "{\"statusCode\":200}"
      }
    }
  }
  s3_cloudtrail_buckets          = ["myproject-artifacts-dev"]
  manage_s3_bucket_notifications = true
  enable_idempotency             = true
  manual_deploy_accounts         = ["210987654321"]
  alarm_sns_topic_arn            = "arn:aws:sns:eu-west-1:123456789012:myproject-deploybridge-alarms-dev"
  tags                           = { CostCenter = "platform" }
}

run "s3_rules" {
  command = plan

  assert {
    condition     = keys(aws_cloudwatch_event_rule.this) == ["ecr", "ecs", "manual", "s3-cloudtrail-myproject-artifacts-dev", "s3-myproject-config-dev", "ssm"]
    error_message = "Rules: ${jsonencode(keys(aws_cloudwatch_event_rule.this))}"
  }

  # Native S3 events for the config bucket: only the configured keys, each once.
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["s3-myproject-config-dev"].event_pattern) == {
      source        = ["aws.s3"]
      "detail-type" = ["Object Created", "Object Deleted"]
      detail = {
        bucket = { name = ["myproject-config-dev"] }
        object = { key = ["api/.env", "shared/common.env", "worker/.env"] }
      }
    }
    error_message = "s3: ${aws_cloudwatch_event_rule.this["s3-myproject-config-dev"].event_pattern}"
  }

  # CloudTrail data events for the artifacts bucket: successful writes and deletes of the artifact.
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this["s3-cloudtrail-myproject-artifacts-dev"].event_pattern) == {
      source        = ["aws.s3"]
      "detail-type" = ["AWS API Call via CloudTrail"]
      detail = {
        eventSource       = ["s3.amazonaws.com"]
        eventName         = ["PutObject", "CopyObject", "CompleteMultipartUpload", "DeleteObject"]
        errorCode         = [{ exists = false }]
        requestParameters = { bucketName = ["myproject-artifacts-dev"], key = ["thumbnailer/lambda.zip"] }
      }
    }
    error_message = "s3-cloudtrail: ${aws_cloudwatch_event_rule.this["s3-cloudtrail-myproject-artifacts-dev"].event_pattern}"
  }

  assert {
    condition     = keys(aws_s3_bucket_notification.eventbridge) == ["myproject-config-dev"] && aws_s3_bucket_notification.eventbridge["myproject-config-dev"].eventbridge
    error_message = "EventBridge notifications are turned on for the natively watched bucket only."
  }

  assert {
    condition     = alltrue([for r in aws_cloudwatch_event_rule.this : r.tags == tomap({ CostCenter = "platform" })])
    error_message = "Rules carry the tags."
  }
}

run "environment" {
  command = plan

  assert {
    condition     = jsonencode(jsondecode(aws_lambda_function.this.environment[0].variables.SERVICE_CONFIG)) == jsonencode(var.service_config)
    error_message = "SERVICE_CONFIG is service_config as JSON."
  }

  assert {
    condition = jsondecode(aws_lambda_function.this.environment[0].variables.LAMBDA_CONFIG) == {
      thumbnailer = {
        alias      = "live"
        artifact   = { bucket = "myproject-artifacts-dev", key = "thumbnailer/lambda.zip" }
        smoke_test = { payload = { ping = true }, expect = { statusCode = 200 } }
      }
    }
    error_message = "LAMBDA_CONFIG: ${aws_lambda_function.this.environment[0].variables.LAMBDA_CONFIG}"
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables.IDEMPOTENCY_TABLE == "myproject-deploybridge-dev-idempotency" &&
      aws_lambda_function.this.environment[0].variables.MANUAL_DEPLOY_ACCOUNTS == "210987654321"
    )
    error_message = "IDEMPOTENCY_TABLE names the table; MANUAL_DEPLOY_ACCOUNTS lists the accounts."
  }

  assert {
    condition = (
      aws_dynamodb_table.idempotency[0].name == "myproject-deploybridge-dev-idempotency" &&
      aws_dynamodb_table.idempotency[0].billing_mode == "PAY_PER_REQUEST" &&
      aws_dynamodb_table.idempotency[0].hash_key == "id" &&
      jsonencode(aws_dynamodb_table.idempotency[0].attribute) == jsonencode([{ name = "id", type = "S" }]) &&
      aws_dynamodb_table.idempotency[0].ttl[0].attribute_name == "expiration" && aws_dynamodb_table.idempotency[0].ttl[0].enabled
    )
    error_message = "The idempotency table: partition key id (string), TTL attribute expiration, on demand."
  }
}

run "iam" {
  command = plan

  assert {
    condition = jsonencode({ for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s.Sid => [s.Effect, sort(flatten([s.Action])), sort(flatten([s.Resource])), try(s.Condition, {})] }) == jsonencode({
      ReadTaskDefinitions = ["Allow", ["ecs:DescribeTaskDefinition"], ["*"], {}]
      RedeployServices = ["Allow", ["ecs:UpdateService"], [
        "arn:aws:ecs:eu-west-1:123456789012:service/myproject_cluster_dev/myproject_service_*_dev",
        "arn:aws:ecs:eu-west-1:123456789012:service/myproject_cluster_dev/myproject_service_dev",
      ], {}]
      ReadSlackWebhook   = ["Allow", ["ssm:GetParameter"], ["arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/slack-webhook-url"], {}]
      IdempotencyRecords = ["Allow", ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/myproject-deploybridge-dev-idempotency"], {}]
      DeployLambdaTargets = ["Allow", [
        "lambda:GetAlias", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:InvokeFunction",
        "lambda:PublishVersion", "lambda:UpdateAlias", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
        ], [
        "arn:aws:lambda:eu-west-1:123456789012:function:myproject_lambda_thumbnailer_dev",
        "arn:aws:lambda:eu-west-1:123456789012:function:myproject_lambda_thumbnailer_dev:*",
      ], {}]
      ReadLambdaArtifacts = ["Allow", ["s3:GetObject", "s3:GetObjectVersion"], ["arn:aws:s3:::myproject-artifacts-dev/thumbnailer/lambda.zip"], {}]
      ReadEnvFiles = ["Allow", ["s3:GetObject", "s3:GetObjectVersion"], [
        "arn:aws:s3:::myproject-config-dev/api/.env",
        "arn:aws:s3:::myproject-config-dev/shared/common.env",
        "arn:aws:s3:::myproject-config-dev/worker/.env",
      ], {}]
      "ListEnvFileVersions${substr(sha1("myproject-config-dev"), 0, 8)}" = ["Allow", ["s3:ListBucketVersions"], ["arn:aws:s3:::myproject-config-dev"], {
        StringEquals = { "s3:prefix" = ["api/.env", "shared/common.env", "worker/.env"] }
      }]
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
      DeploymentRecords = ["Allow", ["dynamodb:GetItem", "dynamodb:PutItem"], ["arn:aws:dynamodb:eu-west-1:123456789012:table/myproject-deploybridge-dev-deployments"], {}]
    })
    error_message = "deployer policy: ${aws_iam_role_policy.deployer.policy}"
  }

  # Whatever the inputs: no wildcard action, only Allow, "*" as a resource only where the API
  # has no resource-level permission (DescribeTaskDefinition, DescribeParameters; ListTasks
  # held to the cluster by ecs:cluster), and iam:PassRole (if it ever appears) only to one service.
  assert {
    condition = alltrue([for s in concat(jsondecode(aws_iam_role_policy.deployer.policy).Statement, jsondecode(aws_iam_role_policy.runtime.policy).Statement) : (
      s.Effect == "Allow" &&
      alltrue([for a in flatten([s.Action]) : !strcontains(a, "*")]) &&
      (!contains(flatten([s.Resource]), "*") || contains([["ecs:DescribeTaskDefinition"], ["ssm:DescribeParameters"]], flatten([s.Action])) || (flatten([s.Action]) == ["ecs:ListTasks"] && can(s.Condition.ArnEquals["ecs:cluster"]))) &&
      alltrue([for r in flatten([s.Resource]) : r == "*" || startswith(r, "arn:aws:s3:::") || can(regex("^arn:aws:[a-z0-9-]+:eu-west-1:123456789012:", r))]) &&
      (!contains(flatten([s.Action]), "iam:PassRole") || can(s.Condition.StringEquals["iam:PassedToService"]))
    )])
    error_message = "A statement grants a wildcard action, a Deny, a foreign resource or an unconditioned iam:PassRole."
  }
}

run "customer_managed_key" {
  command = plan

  variables {
    slack_webhook_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/0c9e1f4e-8d2b-4d55-a0f4-5a1b2c3d4e5f"
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.deployer.policy).Statement : s if s.Sid == "DecryptSlackWebhook"] == [{
      Sid       = "DecryptSlackWebhook"
      Effect    = "Allow"
      Action    = "kms:Decrypt"
      Resource  = "arn:aws:kms:eu-west-1:123456789012:key/0c9e1f4e-8d2b-4d55-a0f4-5a1b2c3d4e5f"
      Condition = { StringEquals = { "kms:EncryptionContext:PARAMETER_ARN" = "arn:aws:ssm:eu-west-1:123456789012:parameter/deploybridge/myproject/dev/slack-webhook-url" } }
    }]
    error_message = "kms:Decrypt on that key, for the webhook parameter only: ${aws_iam_role_policy.deployer.policy}"
  }

  assert {
    condition     = aws_ssm_parameter.slack_webhook[0].key_id == "arn:aws:kms:eu-west-1:123456789012:key/0c9e1f4e-8d2b-4d55-a0f4-5a1b2c3d4e5f"
    error_message = "The parameter the module creates is encrypted with that key."
  }
}

run "alarm_actions" {
  command = plan

  assert {
    condition     = contains(keys(aws_cloudwatch_metric_alarm.this), "deployments-failed-s3") && contains(keys(aws_cloudwatch_metric_alarm.this), "notifications-failed-slack") && length(aws_cloudwatch_metric_alarm.this) == 11
    error_message = "With S3 rules, the S3 trigger has its alarm too; Slack has one: ${jsonencode(keys(aws_cloudwatch_metric_alarm.this))}"
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset([var.alarm_sns_topic_arn]) && a.ok_actions == toset([var.alarm_sns_topic_arn])])
    error_message = "Every alarm notifies the topic when it fires and when it recovers."
  }
}
