# Coalescing (coalesce_window_seconds, default 20): the deploying triggers' rules (ECR, SSM,
# S3) send to an SQS queue the function reads in batches, deploying each service once per
# batch; ECS events and manual deploys invoke the function directly. 0 turns the queue off.

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

# ARNs and URLs unknown until apply otherwise, so that where they are used can be compared.
override_resource {
  target          = aws_sqs_queue.coalesce
  override_during = plan
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/myproject-deploybridge-dev-coalesce"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/myproject-deploybridge-dev-coalesce"
  }
}

override_resource {
  target          = aws_sqs_queue.coalesce_dead_letters
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce-dead-letters" }
}

override_resource {
  target          = aws_lambda_function.this
  override_during = plan
  values          = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:myproject-deploybridge-dev" }
}

variables {
  project_name          = "myproject"
  project_env           = "dev"
  service_config        = { api = [{ bucket = "myproject-config-dev", key = "api/.env" }] }
  lambda_config         = { thumbnailer = { artifact = { bucket = "myproject-artifacts", key = "thumbnailer.zip" } } }
  s3_cloudtrail_buckets = ["myproject-artifacts"]
  ecr_scan_gate         = "HIGH"
  package_path          = "tests/fixtures/package.zip"
}

run "queue" {
  command = plan

  assert {
    condition = (
      aws_sqs_queue.coalesce[0].name == "myproject-deploybridge-dev-coalesce" &&
      aws_sqs_queue.coalesce[0].sqs_managed_sse_enabled &&
      jsondecode(aws_sqs_queue.coalesce[0].redrive_policy) == { deadLetterTargetArn = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce-dead-letters", maxReceiveCount = 3 }
    )
    error_message = "An encrypted queue whose records go to the dead-letter queue after 3 receives: ${aws_sqs_queue.coalesce[0].redrive_policy}"
  }

  assert {
    condition     = aws_sqs_queue.coalesce[0].visibility_timeout_seconds == 6 * aws_lambda_function.this.timeout + 20 && aws_lambda_function.this.timeout == 660
    error_message = "Visibility timeout: six times the function's timeout plus the batching window (3980 s), got ${aws_sqs_queue.coalesce[0].visibility_timeout_seconds}."
  }

  assert {
    condition = (
      aws_sqs_queue.coalesce_dead_letters[0].name == "myproject-deploybridge-dev-coalesce-dead-letters" &&
      aws_sqs_queue.coalesce_dead_letters[0].sqs_managed_sse_enabled &&
      aws_sqs_queue.coalesce_dead_letters[0].message_retention_seconds == 1209600 &&
      jsondecode(aws_sqs_queue.coalesce_dead_letters[0].redrive_allow_policy) == { redrivePermission = "byQueue", sourceQueueArns = ["arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce"] }
    )
    error_message = "The dead-letter queue is encrypted, keeps 14 days, and takes records from the coalescing queue only."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.coalesce[0].event_source_arn == "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce" &&
      aws_lambda_event_source_mapping.coalesce[0].function_name == "arn:aws:lambda:eu-west-1:123456789012:function:myproject-deploybridge-dev" &&
      aws_lambda_event_source_mapping.coalesce[0].batch_size == 100 &&
      aws_lambda_event_source_mapping.coalesce[0].maximum_batching_window_in_seconds == 20 &&
      aws_lambda_event_source_mapping.coalesce[0].function_response_types == toset(["ReportBatchItemFailures"]) &&
      aws_lambda_event_source_mapping.coalesce[0].scaling_config[0].maximum_concurrency == 2
    )
    error_message = "The function reads the queue in batches of up to 100 collected for 20 s, reports the records to retry, at most 2 batches at once."
  }
}

run "rules" {
  command = plan

  assert {
    condition = {
      for k, t in aws_cloudwatch_event_target.this : k => t.arn
      } == {
      ecr                               = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce"
      ecr-scan                          = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce"
      ssm                               = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce"
      s3-myproject-config-dev           = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce"
      s3-cloudtrail-myproject-artifacts = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce"
      ecs                               = "arn:aws:lambda:eu-west-1:123456789012:function:myproject-deploybridge-dev"
      manual                            = "arn:aws:lambda:eu-west-1:123456789012:function:myproject-deploybridge-dev"
    }
    error_message = "ECR, SSM and S3 rules send to the queue; ECS events and manual deploys invoke the function: ${jsonencode({ for k, t in aws_cloudwatch_event_target.this : k => t.arn })}"
  }

  assert {
    condition     = keys(aws_lambda_permission.eventbridge) == ["ecs", "manual"]
    error_message = "Only the rules that invoke the function may: ${jsonencode(keys(aws_lambda_permission.eventbridge))}"
  }

  assert {
    condition = jsondecode(aws_sqs_queue_policy.coalesce[0].policy).Statement == [{
      Sid       = "QueuedRulesOfThisModule"
      Effect    = "Allow"
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce"
      Principal = { Service = "events.amazonaws.com" }
      Condition = { ArnEquals = { "aws:SourceArn" = [for k in ["ecr", "ecr-scan", "s3-cloudtrail-myproject-artifacts", "s3-myproject-config-dev", "ssm"] : "arn:aws:events:eu-west-1:123456789012:rule/${aws_cloudwatch_event_rule.this[k].name}"] } }
    }]
    error_message = "The queue accepts messages from the queued rules only (aws:SourceArn): ${aws_sqs_queue_policy.coalesce[0].policy}"
  }

  assert {
    condition     = aws_sqs_queue_policy.coalesce[0].queue_url == "https://sqs.eu-west-1.amazonaws.com/123456789012/myproject-deploybridge-dev-coalesce"
    error_message = "The policy is the coalescing queue's."
  }
}

run "iam_and_alarms" {
  command = plan

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.runtime.policy).Statement : s if s.Sid == "PollCoalescingQueue"] == [{
      Sid      = "PollCoalescingQueue"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:GetQueueAttributes", "sqs:DeleteMessage"]
      Resource = "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce"
    }]
    error_message = "The event source mapping polls with the role: receive, delete and read the attributes of the coalescing queue, nothing else: ${aws_iam_role_policy.runtime.policy}"
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.deployer.policy, "sqs:")
    error_message = "The code itself makes no SQS call."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.this["coalesce-dead-letters"].metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.this["coalesce-dead-letters"].dimensions == tomap({ QueueName = "myproject-deploybridge-dev-coalesce-dead-letters" }) &&
      strcontains(aws_cloudwatch_metric_alarm.this["coalesce-dead-letters"].alarm_description, "start-message-move-task")
    )
    error_message = "An alarm on the dead-letter queue, saying how to move its records back."
  }

  assert {
    condition     = output.coalesce_queue_url == "https://sqs.eu-west-1.amazonaws.com/123456789012/myproject-deploybridge-dev-coalesce" && output.coalesce_dead_letter_queue_arn == "arn:aws:sqs:eu-west-1:123456789012:myproject-deploybridge-dev-coalesce-dead-letters"
    error_message = "Outputs: the queue's URL and the dead-letter queue's ARN."
  }
}

run "window" {
  command = plan

  variables {
    coalesce_window_seconds = 45
    timeout                 = 120
  }

  assert {
    condition     = aws_lambda_event_source_mapping.coalesce[0].maximum_batching_window_in_seconds == 45 && aws_sqs_queue.coalesce[0].visibility_timeout_seconds == 765
    error_message = "The batching window is coalesce_window_seconds; the visibility timeout 6 x 120 + 45."
  }
}

run "direct" {
  command = plan

  variables {
    coalesce_window_seconds = 0
  }

  assert {
    condition = (
      length(aws_sqs_queue.coalesce) == 0 && length(aws_sqs_queue.coalesce_dead_letters) == 0 &&
      length(aws_sqs_queue_policy.coalesce) == 0 && length(aws_lambda_event_source_mapping.coalesce) == 0
    )
    error_message = "0: no queue, no dead-letter queue, no event source mapping."
  }

  assert {
    condition     = alltrue([for t in aws_cloudwatch_event_target.this : t.arn == "arn:aws:lambda:eu-west-1:123456789012:function:myproject-deploybridge-dev"]) && keys(aws_lambda_permission.eventbridge) == keys(aws_cloudwatch_event_rule.this)
    error_message = "Every rule invokes the function, and may."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.runtime.policy, "sqs:ReceiveMessage") && !contains(keys(aws_cloudwatch_metric_alarm.this), "coalesce-dead-letters")
    error_message = "No queue to poll, no alarm on it."
  }

  assert {
    condition     = output.coalesce_queue_url == null && output.coalesce_dead_letter_queue_arn == null
    error_message = "No queue outputs."
  }
}

run "only_direct_rules" {
  command = plan

  variables {
    enable_ecr_monitoring = false
    enable_ssm_monitoring = false
    enable_s3_monitoring  = false
    service_config        = null
    lambda_config         = {}
    s3_cloudtrail_buckets = []
  }

  assert {
    condition     = length(aws_sqs_queue.coalesce) == 0 && length(aws_lambda_event_source_mapping.coalesce) == 0 && keys(aws_cloudwatch_event_rule.this) == ["ecs", "manual"]
    error_message = "Without a deploying trigger, nothing would send to the queue: there is none."
  }
}
