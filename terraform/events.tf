locals {
  # One rule per trigger, each as narrow as the contract allows, so the function is
  # invoked only for events it acts on. Patterns are plain objects (jsonencode'd by the
  # rule) so that test/terraform can evaluate them and match real sample events.

  ecr_pattern = {
    source        = ["aws.ecr"]
    "detail-type" = ["ECR Image Action"]
    detail = {
      "action-type"     = ["PUSH"]
      result            = ["SUCCESS"]
      "repository-name" = [local.ecr_backend_repository, { prefix = local.ecr_service_repository_prefix }]
      # A push without a tag cannot be what a service runs by tag (the code skips it too);
      # multi-architecture pushes send one such event per platform image.
      "image-tag" = [{ exists = true }]
    }
  }

  # With the scan gate, a push whose scan is still running waits for this event, which
  # carries the repository, the digest and the tags: it deploys the image, or refuses it.
  ecr_scan_pattern = {
    source        = ["aws.ecr"]
    "detail-type" = ["ECR Image Scan"]
    detail = {
      "scan-status"     = ["COMPLETE", "FAILED"]
      "repository-name" = [local.ecr_backend_repository, { prefix = local.ecr_service_repository_prefix }]
    }
  }

  ssm_pattern = {
    source        = ["aws.ssm"]
    "detail-type" = ["Parameter Store Change"]
    detail = {
      name      = [{ prefix = local.ssm_parameter_prefix }]
      operation = ["Create", "Update", "Delete"]
    }
  }

  ecs_pattern = {
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Deployment State Change", "ECS Service Action"]
    resources     = [{ prefix = local.ecs_service_arn_prefix }]
    detail = {
      eventName = ["SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED", "SERVICE_TASK_START_IMPAIRED"]
    }
  }

  # A pause hook of one of this project's services waits for Continue or Roll back. ECS's event
  # names the service in detail.serviceArn (one documented copy has no resources field).
  ecs_hook_pattern = {
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Hook State Change"]
    detail = {
      eventName  = ["HOOK_AWAITING_ACTION"]
      serviceArn = [{ prefix = local.ecs_service_arn_prefix }]
    }
  }

  release_task_pattern = {
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail = {
      clusterArn = [local.ecs_cluster_arn]
      lastStatus = ["STOPPED"]
      startedBy  = [{ prefix = "deploybridge/" }]
    }
  }

  # Any detail-type; malformed requests still reach the function, which refuses them
  # with a log line, a metric and a Slack error the sender can see. A request naming
  # another env or project (detail.env, detail.project) is another deployment's. One
  # naming none still reaches the function: it refuses it where the sender sees it
  # (manual_deploy_require_scope), or, on a bus with one env, carries it out.
  manual_pattern = {
    source = ["action.production", "action.deploy"]
    detail = {
      env     = [var.project_env, { exists = false }]
      project = [var.project_name, { exists = false }]
    }
  }

  # `queued`: the deploying triggers' rules, whose events go through the coalescing queue
  # (coalesce.tf) when coalesce_window_seconds is set. People wait on ECS events and manual
  # deploys: those always invoke the function directly.
  fixed_rules = {
    ecr = {
      queued      = true
      enabled     = var.enable_ecr_monitoring
      bus         = "default"
      name        = "${local.name}-ecr-push"
      description = "ECR pushes to ${local.ecr_backend_repository} and ${local.ecr_service_repository_prefix}*"
      pattern     = local.ecr_pattern
    }
    ecr-scan = {
      queued      = true
      enabled     = var.enable_ecr_monitoring && var.ecr_scan_gate != ""
      bus         = "default"
      name        = "${local.name}-ecr-scan"
      description = "ECR image scans of ${local.ecr_backend_repository} and ${local.ecr_service_repository_prefix}* (scan gate ${var.ecr_scan_gate})"
      pattern     = local.ecr_scan_pattern
    }
    ssm = {
      queued      = true
      enabled     = var.enable_ssm_monitoring
      bus         = "default"
      name        = "${local.name}-ssm-change"
      description = "Parameter Store changes under ${local.ssm_parameter_prefix}"
      pattern     = local.ssm_pattern
    }
    ecs = {
      queued      = false
      enabled     = var.enable_ecs_events
      bus         = "default"
      name        = "${local.name}-ecs-events"
      description = "ECS deployment and service-action events of cluster ${local.cluster_name}"
      pattern     = local.ecs_pattern
    }
    # The tasks releases run before services deploy (RELEASE_CONFIG), when they stop: only tasks
    # of this cluster whose startedBy is deploybridge's (RELEASE_STARTED_BY_PREFIX in src/config/constants.ts).
    ecs-hooks = {
      queued      = false
      enabled     = var.enable_ecs_events && local.pause_hooks
      bus         = "default"
      name        = "${local.name}-ecs-hooks"
      description = "ECS pause hooks awaiting action in cluster ${local.cluster_name}"
      pattern     = local.ecs_hook_pattern
    }
    release-tasks = {
      queued      = false
      enabled     = length(var.release_config) > 0
      bus         = "default"
      name        = "${local.name}-release-tasks"
      description = "ECS tasks deploybridge ran for releases in cluster ${local.cluster_name}, when they stop"
      pattern     = local.release_task_pattern
    }
    manual = {
      queued      = false
      enabled     = var.enable_manual_deploy
      bus         = local.manual_event_bus
      name        = "${local.name}-manual-deploy"
      description = "Manual deploys (action.production, action.deploy) for ${var.project_env}, on the ${local.manual_event_bus} bus"
      pattern     = local.manual_pattern
    }
  }

  # The forms S3 writes a key in, in its own events: URL-encoded as its notifications are (a space
  # as "+", "/" kept), with the variants its encoders may differ in ("~" and "*", a space as "%20").
  # CloudTrail records the key as sent. The function matches the same forms (s3EventKeyForms in
  # src/triggers/events.ts, which says where this comes from).
  s3_event_key_forms = {
    for k in distinct([for o in local.s3_objects : o.key]) : k => distinct([
      replace(urlencode(k), "%2F", "/"),
      replace(replace(replace(urlencode(k), "%2F", "/"), "~", "%7E"), "%2A", "*"),
      replace(replace(urlencode(k), "%2F", "/"), "+", "%20"),
    ])
  }

  # One rule per bucket, matching only the configured keys of that bucket.
  s3_native_rules = {
    for bucket in local.s3_native_buckets : "s3-${bucket}" => {
      queued      = true
      enabled     = var.enable_s3_monitoring
      bus         = "default"
      name        = "${local.name}-s3-${substr(sha1(bucket), 0, 8)}"
      description = "S3 Object Created/Deleted in ${bucket} for the configured keys"
      pattern = {
        source        = ["aws.s3"]
        "detail-type" = ["Object Created", "Object Deleted"]
        detail = {
          bucket = { name = [bucket] }
          object = { key = distinct(flatten([for k in local.s3_keys_by_bucket[bucket] : local.s3_event_key_forms[k]])) }
        }
      }
    }
  }

  # CloudTrail data events, for the buckets listed in s3_cloudtrail_buckets only, so that
  # no change is seen twice. Failed calls (errorCode present) change nothing.
  s3_cloudtrail_rules = {
    for bucket in local.s3_cloudtrail_buckets : "s3-cloudtrail-${bucket}" => {
      queued      = true
      enabled     = var.enable_s3_monitoring
      bus         = "default"
      name        = "${local.name}-s3ct-${substr(sha1(bucket), 0, 8)}"
      description = "CloudTrail S3 object writes and deletes in ${bucket} for the configured keys"
      pattern = {
        source        = ["aws.s3"]
        "detail-type" = ["AWS API Call via CloudTrail"]
        detail = {
          eventSource = ["s3.amazonaws.com"]
          eventName   = ["PutObject", "CopyObject", "CompleteMultipartUpload", "DeleteObject"]
          errorCode   = [{ exists = false }]
          requestParameters = {
            bucketName = [bucket]
            key        = local.s3_keys_by_bucket[bucket]
          }
        }
      }
    }
  }

  rules = { for k, r in merge(local.fixed_rules, local.s3_native_rules, local.s3_cloudtrail_rules) : k => r if r.enabled }

  # arn:…:rule/NAME on the default bus, arn:…:rule/BUS/NAME on another.
  rule_arns = { for k, r in local.rules : k => "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${r.bus == "default" ? "" : "${r.bus}/"}${r.name}" }

  # The rules whose events wait in the coalescing queue, and those that invoke the function. The
  # queue exists when some rule sends to it.
  queued_rules = { for k, r in local.rules : k => r if var.coalesce_window_seconds > 0 && r.queued }
  direct_rules = { for k, r in local.rules : k => r if !contains(keys(local.queued_rules), k) }
  coalesce     = length(local.queued_rules) > 0

  #############################################################################
  # Manual deploys: with manual_deploy_principals, on a bus of their own that
  # only those principals may send to; otherwise on the default bus.
  #############################################################################

  manual_bus_enabled   = var.enable_manual_deploy && length(var.manual_deploy_principals) > 0
  manual_event_bus     = local.manual_bus_enabled ? aws_cloudwatch_event_bus.manual[0].name : "default"
  manual_event_bus_arn = "arn:${local.partition}:events:${local.region}:${local.account_id}:event-bus/${local.manual_event_bus}"
  # In aws:PrincipalArn, an account's root ARN stands for every principal of that account.
  manual_sender_arn_patterns = [for p in var.manual_deploy_principals : endswith(p, ":root") ? "${trimsuffix(p, "root")}*" : p]
}

resource "aws_cloudwatch_event_bus" "manual" {
  count = local.manual_bus_enabled ? 1 : 0

  name = "${local.name}-manual-deploys"
  tags = var.tags
}

# Only the listed principals may put events on the bus. The Deny matters for principals
# of this account: their own IAM policies (events:PutEvents on "*") would otherwise be
# enough, whatever the bus policy allows.
data "aws_iam_policy_document" "manual_bus" {
  count = local.manual_bus_enabled ? 1 : 0

  statement {
    sid       = "ManualDeploySenders"
    actions   = ["events:PutEvents"]
    resources = [local.manual_event_bus_arn]

    principals {
      type        = "AWS"
      identifiers = var.manual_deploy_principals
    }
  }

  statement {
    sid       = "NobodyElse"
    effect    = "Deny"
    actions   = ["events:PutEvents"]
    resources = [local.manual_event_bus_arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnNotLike"
      variable = "aws:PrincipalArn"
      values   = local.manual_sender_arn_patterns
    }
  }
}

resource "aws_cloudwatch_event_bus_policy" "manual" {
  count = local.manual_bus_enabled ? 1 : 0

  event_bus_name = aws_cloudwatch_event_bus.manual[0].name
  policy         = data.aws_iam_policy_document.manual_bus[0].json
}

# For operators to attach to the senders of manual deploys (output
# manual_deploy_sender_policy_json): PutEvents on the manual-deploy bus, for the two
# manual-deploy sources only.
data "aws_iam_policy_document" "manual_senders" {
  statement {
    sid       = "SendManualDeploys"
    actions   = ["events:PutEvents"]
    resources = [local.manual_event_bus_arn]

    condition {
      test     = "StringEquals"
      variable = "events:source"
      values   = ["action.deploy", "action.production"]
    }
  }
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = local.rules

  event_bus_name = each.value.bus
  name           = each.value.name
  description    = each.value.description
  event_pattern  = jsonencode(each.value.pattern)
  tags           = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = aws_cloudwatch_event_rule.this

  event_bus_name = each.value.event_bus_name
  rule           = each.value.name
  target_id      = "deploybridge"
  arn            = contains(keys(local.queued_rules), each.key) ? aws_sqs_queue.coalesce[0].arn : aws_lambda_function.this.arn

  # Delivery failures (throttling, a missing permission): retried, then kept.
  retry_policy {
    maximum_retry_attempts       = var.eventbridge_maximum_retry_attempts
    maximum_event_age_in_seconds = var.eventbridge_maximum_event_age_seconds
  }

  dead_letter_config {
    arn = aws_sqs_queue.undelivered_events.arn
  }
}

# Only the rules that invoke the function; the queued ones may only send to the queue (coalesce.tf).
resource "aws_lambda_permission" "eventbridge" {
  for_each = { for k, rule in aws_cloudwatch_event_rule.this : k => rule if contains(keys(local.direct_rules), k) }

  statement_id  = "AllowEventBridge-${each.value.name}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = each.value.arn
}
