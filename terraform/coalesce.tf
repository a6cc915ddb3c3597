# Coalescing: the deploying triggers' events (ECR, SSM, S3) wait in an SQS queue for up to
# coalesce_window_seconds, and the function gets them as one batch (up to 100 events), in which
# it deploys each service once however many events ask for it. EventBridge delivers each event
# to the queue as the JSON it would invoke the function with. The function answers with the
# records to retry (ReportBatchItemFailures); a record received 3 times goes to the dead-letter
# queue, which is alarmed (alarms.tf) and can be moved back with `aws sqs start-message-move-task`.

resource "aws_sqs_queue" "coalesce" {
  count = local.coalesce ? 1 : 0

  name = local.coalesce_queue_name
  # AWS: at least six times the function's timeout (plus the batching window), so a record is not
  # handed to a second invocation while the first still works on it.
  visibility_timeout_seconds = 6 * local.timeout + var.coalesce_window_seconds
  sqs_managed_sse_enabled    = true
  redrive_policy             = jsonencode({ deadLetterTargetArn = local.coalesce_dlq_arn, maxReceiveCount = 3 })
  tags                       = var.tags

  depends_on = [aws_sqs_queue.coalesce_dead_letters]
}

# Records the function could not finish after 3 receives, the EventBridge event as their body.
resource "aws_sqs_queue" "coalesce_dead_letters" {
  count = local.coalesce ? 1 : 0

  name                      = local.coalesce_dlq_name
  message_retention_seconds = var.failed_event_retention_seconds
  sqs_managed_sse_enabled   = true
  # Only the coalescing queue may move its records here.
  redrive_allow_policy = jsonencode({ redrivePermission = "byQueue", sourceQueueArns = [local.coalesce_queue_arn] })
  tags                 = var.tags
}

data "aws_iam_policy_document" "coalesce" {
  statement {
    sid       = "QueuedRulesOfThisModule"
    actions   = ["sqs:SendMessage"]
    resources = [local.coalesce_queue_arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for k in keys(local.queued_rules) : local.rule_arns[k]]
    }
  }
}

resource "aws_sqs_queue_policy" "coalesce" {
  count = local.coalesce ? 1 : 0

  queue_url = aws_sqs_queue.coalesce[0].id
  policy    = data.aws_iam_policy_document.coalesce.json
}

resource "aws_lambda_event_source_mapping" "coalesce" {
  count = local.coalesce ? 1 : 0

  event_source_arn                   = aws_sqs_queue.coalesce[0].arn
  function_name                      = aws_lambda_function.this.arn
  batch_size                         = 100
  maximum_batching_window_in_seconds = var.coalesce_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  # SQS's smallest: a burst is one batch, not parallel invocations deploying the same service.
  scaling_config {
    maximum_concurrency = 2
  }

  depends_on = [aws_iam_role_policy.runtime]
}
