data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  name = coalesce(var.name, "${var.project_name}-deploybridge-${var.project_env}")
  # The package `npm run build` writes, named after the version in package.json; none with a
  # published package in S3.
  package_version = try(jsondecode(file("${path.module}/../package.json")).version, "unknown")
  package_path    = var.s3_bucket != null ? null : coalesce(var.package_path, "${path.module}/../dist/deploybridge-${local.package_version}.zip")
  # One deployment may take deployment_timeout_seconds (retries included); the margin
  # covers planning, the ECR lookup and delivering the Slack messages before returning.
  timeout = coalesce(var.timeout, min(900, var.deployment_timeout_seconds + 60))

  # aws_region's `name`: provider 5.x has no `region` attribute (6.x has both, and deprecates `name`).
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  #############################################################################
  # Naming, rendered as renderPattern() in src/config/naming.ts renders it.
  #############################################################################

  raw_patterns = {
    cluster = var.cluster_name_pattern
    service = var.service_name_pattern
    family  = var.task_family_pattern
    lambda  = var.lambda_function_pattern
  }
  # {project} and {env} filled in; {name} left for the caller.
  patterns = { for k, p in local.raw_patterns : k => replace(replace(p, "{project}", var.project_name), "{env}", var.project_env) }
  # An empty {name}: dropped together with one separator next to it (the one before it if any).
  patterns_without_name = { for k, p in local.raw_patterns : k => replace(replace(replace(replace(p, "/[-_./]\\{name\\}/", ""), "/\\{name\\}[-_./]?/", ""), "{project}", var.project_name), "{env}", var.project_env) }

  cluster_name    = local.patterns_without_name.cluster
  backend_service = var.backend_service_name == "" ? local.patterns_without_name.service : replace(local.patterns.service, "{name}", var.backend_service_name)
  # Every service of this project and env: {name} becomes an IAM wildcard. The backend
  # is listed on its own because dropping {name} can take it out of the wildcard's shape.
  ecs_service_arns = distinct([
    for service in [replace(local.patterns.service, "{name}", "*"), local.backend_service] :
    "arn:${local.partition}:ecs:${local.region}:${local.account_id}:service/${local.cluster_name}/${service}"
  ])
  ecs_service_arn_prefix = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:service/${local.cluster_name}/"

  ecr_backend_repository        = "${var.project_name}_backend"
  ecr_service_repository_prefix = "${var.project_name}_service_"
  ssm_parameter_prefix          = "/${var.project_env}/${var.project_name}/"
  ecr_repository_arns = [
    for repository in [local.ecr_backend_repository, "${local.ecr_service_repository_prefix}*"] :
    "arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${repository}"
  ]
  # Pushes that deploy are described; with the scan gate, manual deploys show their images' scans.
  describes_images = var.enable_ecr_monitoring || (var.ecr_scan_gate != "" && var.enable_manual_deploy)

  #############################################################################
  # Rollout checks of the ECS lifecycle hook (ROLLOUT_CONFIG): the alarms they read.
  # The lifecycle stages ECS invokes a Lambda hook at (HOOK_STAGES of src/config/rollout.ts).
  hook_stages = ["RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"]
  # ROLLOUT_CONFIG as the function parses it: unset optional fields are left out, not null.
  rollout_config = {
    for name, r in var.rollout_config : name => merge(
      length(r.smoke) == 0 ? {} : { smoke = [for s in r.smoke : { for field, value in s : field => value if value != null }] },
      length(r.alarms) == 0 ? {} : { alarms = r.alarms },
      r.bake == null ? {} : { bake = { for field, value in r.bake : field => value if value != null } },
    )
  }
  ecs_hook = length(var.rollout_config) > 0
  rollout_alarm_arns = distinct(flatten([
    for service in values(var.rollout_config) : [
      for name in service.alarms : "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${name}"
    ]
  ]))

  # Lambda targets (LAMBDA_CONFIG) and the S3 objects the function watches.
  #############################################################################

  # The backend ("backend" or BACKEND_SERVICE_NAME) is named with the backend's {name}, as for ECS.
  backend_lambda_function = var.backend_service_name == "" ? local.patterns_without_name.lambda : replace(local.patterns.lambda, "{name}", var.backend_service_name)
  lambda_function_names   = { for name, t in var.lambda_config : name => t.function_name != null ? t.function_name : contains(["backend", var.backend_service_name], name) ? local.backend_lambda_function : replace(local.patterns.lambda, "{name}", name) }
  lambda_function_arns    = [for f in values(local.lambda_function_names) : startswith(f, "arn:") ? f : "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${f}"]
  lambda_artifacts        = [for t in values(var.lambda_config) : t.artifact if t.artifact != null]
  # LAMBDA_CONFIG as the function parses it: unset optional fields are left out, not null.
  lambda_config = {
    for name, t in var.lambda_config : name => merge(
      t.function_name == null ? {} : { function_name = t.function_name },
      t.alias == null ? {} : { alias = t.alias },
      t.artifact == null ? {} : { artifact = t.artifact },
      t.smoke_test == null ? {} : { smoke_test = merge({ payload = jsondecode(t.smoke_test.payload) }, t.smoke_test.expect == null ? {} : { expect = jsondecode(t.smoke_test.expect) }) },
    )
  }

  # RELEASE_CONFIG as the function parses it: unset optional fields are left out, not null.
  release_config = {
    for name, r in var.release_config : name => merge(
      r.run_before == null ? {} : { run_before = { for field, value in r.run_before : field => value if value != null } },
      r.after == null ? {} : { after = r.after },
    )
  }
  release_families = distinct([for r in values(var.release_config) : r.run_before.family if r.run_before != null])

  env_files             = var.service_config == null ? [] : flatten(values(var.service_config))
  env_file_keys         = { for o in distinct(local.env_files) : o.bucket => o.key... }
  s3_objects            = distinct(concat(local.env_files, local.lambda_artifacts))
  s3_keys_by_bucket     = { for o in local.s3_objects : o.bucket => o.key... }
  s3_native_buckets     = [for b in keys(local.s3_keys_by_bucket) : b if !contains(var.s3_cloudtrail_buckets, b)]
  s3_cloudtrail_buckets = [for b in keys(local.s3_keys_by_bucket) : b if contains(var.s3_cloudtrail_buckets, b)]

  #############################################################################
  # Slack webhook: an SSM SecureString read at run time, never an env variable.
  #############################################################################

  default_slack_parameter_name = "/deploybridge/${var.project_name}/${var.project_env}/slack-webhook-url"
  create_slack_parameter       = var.enable_slack_notifications && var.slack_webhook_ssm_parameter_name == null
  slack_parameter_name         = local.create_slack_parameter ? aws_ssm_parameter.slack_webhook[0].name : (var.enable_slack_notifications ? var.slack_webhook_ssm_parameter_name : null)
  slack_parameter_arn          = local.slack_parameter_name == null ? null : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(local.slack_parameter_name, "/")}"

  # The bot token: an existing SecureString, read at run time like the webhook.
  slack_bot_token_parameter_name = var.enable_slack_notifications ? var.slack_bot_token_ssm_parameter_name : null
  slack_bot_token_parameter_arn  = local.slack_bot_token_parameter_name == null ? null : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(local.slack_bot_token_parameter_name, "/")}"

  #############################################################################
  # Channels besides Slack: their SecureStrings (created outside Terraform) and the SNS topic.
  #############################################################################

  parameter_arn = "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/"
  # The signed webhook needs both its URL and its secret: one without the other is refused (lambda.tf).
  webhook_on = var.webhook_ssm_parameter_name != null && var.webhook_secret_ssm_parameter_name != null

  # The notification secrets the function reads (statement id suffix => parameter ARN, and the
  # customer managed key that encrypts it, if any): each gets ssm:GetParameter, and kms:Decrypt for its key.
  notification_secret_parameters = {
    for name, secret in {
      SlackWebhook       = { arn = local.slack_parameter_arn, kms_key_arn = var.slack_webhook_kms_key_arn }
      SlackBotToken      = { arn = local.slack_bot_token_parameter_arn, kms_key_arn = var.slack_bot_token_kms_key_arn }
      TeamsWebhook       = { arn = var.teams_webhook_ssm_parameter_name == null ? null : "${local.parameter_arn}${trimprefix(var.teams_webhook_ssm_parameter_name, "/")}", kms_key_arn = var.teams_webhook_kms_key_arn }
      GoogleChatWebhook  = { arn = var.google_chat_webhook_ssm_parameter_name == null ? null : "${local.parameter_arn}${trimprefix(var.google_chat_webhook_ssm_parameter_name, "/")}", kms_key_arn = var.google_chat_webhook_kms_key_arn }
      WebhookUrl         = { arn = local.webhook_on ? "${local.parameter_arn}${trimprefix(var.webhook_ssm_parameter_name, "/")}" : null, kms_key_arn = var.webhook_kms_key_arn }
      WebhookSecret      = { arn = local.webhook_on ? "${local.parameter_arn}${trimprefix(var.webhook_secret_ssm_parameter_name, "/")}" : null, kms_key_arn = var.webhook_kms_key_arn }
      SlackSigningSecret = { arn = local.slack_signing_secret_parameter_arn, kms_key_arn = var.slack_signing_secret_kms_key_arn }
    } : name => secret if secret.arn != null
  }

  # The channels that are on, as the NotificationsFailed alarms name them (the metric's `channel`)
  # and where to look when one fires.
  notification_channels = merge(
    !var.enable_slack_notifications ? {} : {
      slack = "Slack, through the ${local.slack_bot_token_parameter_name == null ? "webhook URL" : "bot token (it wins over the webhook)"} in ${coalesce(local.slack_bot_token_parameter_name, local.slack_parameter_name, "-")}"
    },
    var.teams_webhook_ssm_parameter_name == null ? {} : { teams = "Microsoft Teams, through the Workflows webhook URL in ${var.teams_webhook_ssm_parameter_name}" },
    var.google_chat_webhook_ssm_parameter_name == null ? {} : { google_chat = "Google Chat, through the webhook URL in ${var.google_chat_webhook_ssm_parameter_name}" },
    !local.webhook_on ? {} : { webhook = "the signed webhook, whose URL is in ${var.webhook_ssm_parameter_name} and signing secret in ${var.webhook_secret_ssm_parameter_name}" },
    var.sns_topic_arn == null ? {} : { sns = "SNS (for Amazon Q Developer in chat applications), through the topic ${var.sns_topic_arn}" },
  )

  #############################################################################
  # Approvals in Slack: a Function URL Slack posts button clicks to, and the
  # signing secret every click is verified with.
  #############################################################################

  approvals = length(var.approvers) > 0
  # Pause hooks of ECS service deployments (docs/rollout-hooks.md): posted in Slack when approvals
  # or rollout checks are on, with Continue and Roll back (and Roll back of a deployment in
  # progress) only with approvals.
  pause_hooks = local.approvals || local.ecs_hook
  ecs_service_deployment_arns = [
    for arn in local.ecs_service_arns : "${replace(arn, ":service/", ":service-deployment/")}/*"
  ]
  slack_signing_secret_parameter_arn = var.slack_signing_secret_ssm_parameter == null ? null : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(var.slack_signing_secret_ssm_parameter, "/")}"

  #############################################################################
  # Following deployments: the table, and the ECS reads that say why tasks failed.
  #############################################################################

  create_deployments_table = var.enable_deployments_table && var.deployments_table_name == null
  deployments_table_name   = !var.enable_deployments_table ? null : local.create_deployments_table ? aws_dynamodb_table.deployments[0].name : var.deployments_table_name
  deployments_table_arn    = local.deployments_table_name == null ? null : "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${local.deployments_table_name}"
  ecs_cluster_arn          = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:cluster/${local.cluster_name}"
  ecs_task_arns            = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${local.cluster_name}/*"

  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]

  #############################################################################
  # ARNs of what the module creates, from their names: the policies that name
  # them are then known at plan time, so `terraform plan` shows each statement
  # in full for review. Wiring that needs the resource to exist first (targets,
  # destinations, permissions) still references the resource itself.
  #############################################################################

  function_arn             = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${local.name}"
  log_group_name           = "/aws/lambda/${local.name}"
  log_group_arn            = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  failed_events_queue_name = "${local.name}-failed-events"
  failed_events_queue_arn  = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.failed_events_queue_name}"
  undelivered_queue_name   = "${local.name}-undelivered-events"
  undelivered_queue_arn    = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.undelivered_queue_name}"
  idempotency_table_name   = "${local.name}-idempotency"
  idempotency_table_arn    = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${local.idempotency_table_name}"
  coalesce_queue_name      = "${local.name}-coalesce"
  coalesce_queue_arn       = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.coalesce_queue_name}"
  coalesce_dlq_name        = "${local.name}-coalesce-dead-letters"
  coalesce_dlq_arn         = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.coalesce_dlq_name}"
}
