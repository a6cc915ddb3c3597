data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumesTheRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = local.name
  description          = "deploybridge for ${var.project_name} ${var.project_env}"
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = var.tags
}

# What the Lambda platform does with the role on the function's behalf: write its logs,
# deliver failed asynchronous invocations to the on-failure destination, and (with
# coalescing) poll the coalescing queue for the event source mapping.
data "aws_iam_policy_document" "runtime" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  statement {
    sid       = "OnFailureDestination"
    actions   = ["sqs:SendMessage"]
    resources = [local.failed_events_queue_arn]
  }

  dynamic "statement" {
    for_each = local.coalesce ? [local.coalesce_queue_arn] : []

    content {
      sid       = "PollCoalescingQueue"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "runtime" {
  name   = "runtime"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.runtime.json
}

# Exactly the AWS API calls the function's code makes (checked against src/ by
# test/terraform/iam.test.ts), each scoped to this project's resources.
#
# iam:PassRole only for releases (release_config): RunTask passes the task and execution
# roles of the families a release runs, and only those, only to ECS tasks. Otherwise
# deploybridge never registers a task definition and never changes a service's roles:
# UpdateService only points a service at an existing revision of its family; the roles of
# that revision were passed when it was registered, by whoever registered it.
data "aws_iam_policy_document" "deployer" {
  # DescribeTaskDefinition does not support resource-level permissions: "*" is the only
  # resource it accepts. It is read-only, and this is the only "*" resource in the module.
  statement {
    sid       = "ReadTaskDefinitions"
    actions   = ["ecs:DescribeTaskDefinition"]
    resources = ["*"]
  }

  statement {
    sid       = "RedeployServices"
    actions   = ["ecs:UpdateService"]
    resources = local.ecs_service_arns
  }

  # The tasks releases run before services deploy: the families release_config names, in
  # this cluster only (src/targets/ecsTask.ts).
  dynamic "statement" {
    for_each = length(local.release_families) > 0 ? [local.release_families] : []
    content {
      sid       = "RunReleaseTasks"
      actions   = ["ecs:RunTask"]
      resources = [for f in statement.value : "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${f}:*"]

      condition {
        test     = "ArnEquals"
        variable = "ecs:cluster"
        values   = [local.ecs_cluster_arn]
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.release_task_roles) > 0 ? [local.release_task_roles] : []
    content {
      sid       = "PassReleaseTaskRoles"
      actions   = ["iam:PassRole"]
      resources = statement.value

      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["ecs-tasks.amazonaws.com"]
      }
    }
  }

  # Why tasks failed, on ECS's failure events (src/targets/ecs.ts failureEvidence): the
  # service's events, and its recently stopped tasks. ListTasks names no task, so it
  # accepts no task ARN: "*", held to this cluster by the ecs:cluster condition key.
  dynamic "statement" {
    for_each = var.enable_ecs_events ? [local.ecs_service_arns] : []

    content {
      sid       = "ReadServiceEvents"
      actions   = ["ecs:DescribeServices"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = var.enable_ecs_events ? [local.ecs_task_arns] : []

    content {
      sid       = "DescribeStoppedTasks"
      actions   = ["ecs:DescribeTasks"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.enable_ecs_events ? [local.ecs_cluster_arn] : []

    content {
      sid       = "ListStoppedTasks"
      actions   = ["ecs:ListTasks"]
      resources = ["*"]

      condition {
        test     = "ArnEquals"
        variable = "ecs:cluster"
        values   = [statement.value]
      }
    }
  }

  # The lifecycle hook's alarms check (src/rollout/alarms.ts): the alarms ROLLOUT_CONFIG names.
  dynamic "statement" {
    for_each = length(local.rollout_alarm_arns) > 0 ? [local.rollout_alarm_arns] : []

    content {
      sid       = "ReadRolloutAlarms"
      actions   = ["cloudwatch:DescribeAlarms"]
      resources = statement.value
    }
  }

  # Powertools Parameters getParameter(name, { decrypt: true }) → ssm:GetParameter, for each
  # notification secret: Slack's webhook or bot token, the Teams and Google Chat webhook URLs, the
  # signed webhook's URL and signing secret; and the Slack app's signing secret (approvals).
  dynamic "statement" {
    for_each = local.notification_secret_parameters

    content {
      sid       = "Read${statement.key}"
      actions   = ["ssm:GetParameter"]
      resources = [statement.value.arn]
    }
  }

  # Only for a customer managed key: the AWS managed key aws/ssm needs no grant.
  dynamic "statement" {
    for_each = { for name, secret in local.notification_secret_parameters : name => secret if secret.kms_key_arn != null }

    content {
      sid       = "Decrypt${statement.key}"
      actions   = ["kms:Decrypt"]
      resources = [statement.value.kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:EncryptionContext:PARAMETER_ARN"
        values   = [statement.value.arn]
      }
    }
  }

  # Notifications for Amazon Q Developer in chat applications (src/channels/sns.ts): this topic only.
  dynamic "statement" {
    for_each = var.sns_topic_arn == null ? [] : [var.sns_topic_arn]

    content {
      sid       = "PublishNotifications"
      actions   = ["sns:Publish"]
      resources = [statement.value]
    }
  }

  # The deployments table (src/following/dynamodb.ts): consistent reads, conditional puts.
  dynamic "statement" {
    for_each = local.deployments_table_arn == null ? [] : [local.deployments_table_arn]

    content {
      sid       = "DeploymentRecords"
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem"]
      resources = [statement.value]
    }
  }

  # A click on Approve or Reject is handed off to an asynchronous invocation of this very
  # function (src/entry/interactions.ts): it may invoke itself, and no other function.
  dynamic "statement" {
    for_each = local.approvals ? [local.function_arn] : []

    content {
      sid       = "HandOffClicksToItself"
      actions   = ["lambda:InvokeFunction"]
      resources = [statement.value]
    }
  }

  # Powertools Idempotency, DynamoDB persistence layer.
  dynamic "statement" {
    for_each = var.enable_idempotency ? [local.idempotency_table_arn] : []

    content {
      sid       = "IdempotencyRecords"
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      resources = [statement.value]
    }
  }

  # Lambda targets: the configured functions, their versions and aliases (ARN:*).
  dynamic "statement" {
    for_each = length(local.lambda_function_arns) == 0 ? [] : [local.lambda_function_arns]

    content {
      sid = "DeployLambdaTargets"
      actions = [
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:PublishVersion",
        "lambda:GetAlias",
        "lambda:UpdateAlias",
        "lambda:InvokeFunction",
      ]
      resources = flatten([for arn in statement.value : [arn, "${arn}:*"]])
    }
  }

  # Env files: each change is read (GetObject of the event's version, hence GetObjectVersion)
  # and compared with the version before it, before any service restarts for it.
  dynamic "statement" {
    for_each = var.enable_s3_monitoring && length(local.env_files) > 0 ? [distinct(local.env_files)] : []

    content {
      sid       = "ReadEnvFiles"
      actions   = ["s3:GetObject", "s3:GetObjectVersion"]
      resources = [for o in statement.value : "arn:${local.partition}:s3:::${o.bucket}/${o.key}"]
    }
  }

  # ListObjectVersions (prefix = the env file's key) finds the version before the event's.
  # It is a bucket-level action: the s3:prefix condition keeps it to the env files' keys.
  dynamic "statement" {
    for_each = var.enable_s3_monitoring ? local.env_file_keys : {}

    content {
      sid       = "ListEnvFileVersions${substr(sha1(statement.key), 0, 8)}"
      actions   = ["s3:ListBucketVersions"]
      resources = ["arn:${local.partition}:s3:::${statement.key}"]

      condition {
        test     = "StringEquals"
        variable = "s3:prefix"
        values   = distinct(statement.value)
      }
    }
  }

  # A push that deploys is described (tags, size, push time, scan status) ...
  dynamic "statement" {
    for_each = local.describes_images ? [local.ecr_repository_arns] : []

    content {
      sid       = "DescribeImages"
      actions   = ["ecr:DescribeImages"]
      resources = statement.value
    }
  }

  # ... and with the scan gate, a refused image lists its worst findings.
  dynamic "statement" {
    for_each = var.ecr_scan_gate != "" && var.enable_ecr_monitoring ? [local.ecr_repository_arns] : []

    content {
      sid       = "ReadScanFindings"
      actions   = ["ecr:DescribeImageScanFindings"]
      resources = statement.value
    }
  }

  # Who changed a parameter (LastModifiedUser, Version): metadata only, never the value.
  # DescribeParameters has no resource-level permissions: "*" is the only resource it
  # accepts (the code filters it to the one parameter of the event).
  dynamic "statement" {
    for_each = var.enable_ssm_monitoring ? ["*"] : []

    content {
      sid       = "DescribeChangedParameters"
      actions   = ["ssm:DescribeParameters"]
      resources = [statement.value]
    }
  }

  # UpdateFunctionCode from S3 reads the artifact with the caller's permissions.
  dynamic "statement" {
    for_each = length(local.lambda_artifacts) == 0 ? [] : [local.lambda_artifacts]

    content {
      sid       = "ReadLambdaArtifacts"
      actions   = ["s3:GetObject", "s3:GetObjectVersion"]
      resources = distinct([for a in statement.value : "arn:${local.partition}:s3:::${a.bucket}/${a.key}"])
    }
  }
}

resource "aws_iam_role_policy" "deployer" {
  name   = "deployer"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.deployer.json
}

# The role ECS assumes to invoke the function as a service deployment's lifecycle hook
# (the hook's roleArn, beside hookTargetArn = function_arn): it may invoke this function only.
data "aws_iam_policy_document" "ecs_hook_assume_role" {
  statement {
    sid     = "EcsAssumesTheRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ecs_hook" {
  count = local.ecs_hook ? 1 : 0

  name                 = "${local.name}-ecs-hook"
  description          = "ECS invokes deploybridge for ${var.project_name} ${var.project_env} as a lifecycle hook"
  assume_role_policy   = data.aws_iam_policy_document.ecs_hook_assume_role.json
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = var.tags
}

data "aws_iam_policy_document" "ecs_hook" {
  statement {
    sid       = "InvokeThisFunction"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.this.arn]
  }
}

resource "aws_iam_role_policy" "ecs_hook" {
  count = local.ecs_hook ? 1 : 0

  name   = "invoke-deploybridge"
  role   = aws_iam_role.ecs_hook[0].id
  policy = data.aws_iam_policy_document.ecs_hook.json
}
