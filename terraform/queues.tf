# Events the function failed on after Lambda's retries (on-failure destination). Each
# message holds the original event (requestPayload) and the error, for replay with
# `aws events put-events` once the cause is fixed.
resource "aws_sqs_queue" "failed_events" {
  name                      = local.failed_events_queue_name
  message_retention_seconds = var.failed_event_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

# Events EventBridge could not deliver to the function (dead-letter queue of the targets).
resource "aws_sqs_queue" "undelivered_events" {
  name                      = local.undelivered_queue_name
  message_retention_seconds = var.failed_event_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

data "aws_iam_policy_document" "undelivered_events" {
  statement {
    sid       = "EventBridgeRulesOfThisModule"
    actions   = ["sqs:SendMessage"]
    resources = [local.undelivered_queue_arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = values(local.rule_arns)
    }
  }
}

resource "aws_sqs_queue_policy" "undelivered_events" {
  count = length(local.rules) > 0 ? 1 : 0

  queue_url = aws_sqs_queue.undelivered_events.id
  policy    = data.aws_iam_policy_document.undelivered_events.json
}
