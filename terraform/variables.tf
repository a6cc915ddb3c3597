###############################################################################
# Configuration contract: one input per environment variable
# the function reads, named like it in lower snake case, with the same default.
# AWS_REGION is not an input: it is reserved and set by Lambda to the region the
# function runs in (the provider's region).
###############################################################################

variable "project_name" {
  description = "PROJECT_NAME: project identifier used in resource naming ({project})."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", var.project_name))
    error_message = "project_name must use letters, digits, \"-\" and \"_\" only (1-64 characters, starting with a letter or digit)."
  }
}

variable "project_env" {
  description = "PROJECT_ENV: environment ({env}), e.g. dev, staging, prod."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", var.project_env))
    error_message = "project_env must use letters, digits, \"-\" and \"_\" only (1-64 characters, starting with a letter or digit)."
  }
}

variable "log_level" {
  description = "LOG_LEVEL: debug, info, warn or error. Also sets the Lambda application log level, so debug lines are not filtered out."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be one of debug, info, warn, error."
  }
}

variable "cluster_name_pattern" {
  description = "CLUSTER_NAME_PATTERN: ECS cluster name. Placeholders {project}, {env}, {name}."
  type        = string
  default     = "{project}_cluster_{env}"

  validation {
    condition     = length(regexall("\\{[^}]*\\}", var.cluster_name_pattern)) == length(regexall("\\{(project|env|name)\\}", var.cluster_name_pattern))
    error_message = "cluster_name_pattern may only use the placeholders {project}, {env} and {name}."
  }
}

variable "service_name_pattern" {
  description = "SERVICE_NAME_PATTERN: ECS service name. Placeholders {project}, {env}, {name}."
  type        = string
  default     = "{project}_service_{name}_{env}"

  validation {
    condition     = length(regexall("\\{[^}]*\\}", var.service_name_pattern)) == length(regexall("\\{(project|env|name)\\}", var.service_name_pattern))
    error_message = "service_name_pattern may only use the placeholders {project}, {env} and {name}."
  }
}

variable "task_family_pattern" {
  description = "TASK_FAMILY_PATTERN: task definition family. Placeholders {project}, {env}, {name}."
  type        = string
  default     = "{project}_service_{name}_{env}"

  validation {
    condition     = length(regexall("\\{[^}]*\\}", var.task_family_pattern)) == length(regexall("\\{(project|env|name)\\}", var.task_family_pattern))
    error_message = "task_family_pattern may only use the placeholders {project}, {env} and {name}."
  }
}

variable "backend_service_name" {
  description = "BACKEND_SERVICE_NAME: the {name} of the backend service. Empty drops {name} and one separator next to it ({project}_service_{env} under the default pattern)."
  type        = string
  default     = ""

  validation {
    condition     = var.backend_service_name == "" || can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", var.backend_service_name))
    error_message = "backend_service_name must be empty or use letters, digits, \"-\" and \"_\" only."
  }
}

variable "enable_slack_notifications" {
  description = "ENABLE_SLACK_NOTIFICATIONS: send Slack notifications. The webhook URL is read at run time from the SSM SecureString named by SLACK_WEBHOOK_SSM_PARAMETER (see slack_webhook_ssm_parameter_name)."
  type        = bool
  default     = true
}

variable "service_config" {
  description = "SERVICE_CONFIG: service name => the S3 env files it reads. Passed as JSON. Required (may be {}) while enable_s3_monitoring is on; null leaves the variable unset."
  type = map(list(object({
    bucket = string
    key    = string
  })))
  default = null

  validation {
    condition     = var.service_config == null ? true : alltrue([for name, files in var.service_config : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", name)) && alltrue([for f in files : f.bucket != "" && f.key != ""])])
    error_message = "service_config keys must be service names (letters, digits, \"-\", \"_\") and every env file needs a non-empty bucket and key."
  }
}

variable "deployment_timeout_seconds" {
  description = "DEPLOYMENT_TIMEOUT_SECONDS: upper bound for one deployment, retries included. The function timeout is derived from it (see timeout)."
  type        = number
  default     = 600

  validation {
    condition     = var.deployment_timeout_seconds >= 1 && var.deployment_timeout_seconds <= 900 && floor(var.deployment_timeout_seconds) == var.deployment_timeout_seconds
    error_message = "deployment_timeout_seconds must be a whole number of seconds, from 1 to 900 (Lambda's longest timeout)."
  }
}

variable "max_deployment_retries" {
  description = "MAX_DEPLOYMENT_RETRIES: retries after the first failed attempt of a deployment."
  type        = number
  default     = 2

  validation {
    condition     = var.max_deployment_retries >= 0 && floor(var.max_deployment_retries) == var.max_deployment_retries
    error_message = "max_deployment_retries must be a whole number, 0 or more."
  }
}

variable "dry_run" {
  description = "DRY_RUN: do everything except change AWS; say so in logs and Slack."
  type        = bool
  default     = false
}

variable "enable_ecr_monitoring" {
  description = "ENABLE_ECR_MONITORING: redeploy on ECR image pushes. Off also removes the EventBridge rule."
  type        = bool
  default     = true
}

variable "enable_ssm_monitoring" {
  description = "ENABLE_SSM_MONITORING: redeploy on Parameter Store changes under /{env}/{project}/. Off also removes the EventBridge rule."
  type        = bool
  default     = true
}

variable "enable_s3_monitoring" {
  description = "ENABLE_S3_MONITORING: redeploy on changes of the S3 env files and Lambda artifacts in the configuration. Off also removes the EventBridge rules."
  type        = bool
  default     = true
}

variable "enable_manual_deploy" {
  description = "ENABLE_MANUAL_DEPLOY: accept manual deploys (sources action.production and action.deploy). Off also removes the EventBridge rule."
  type        = bool
  default     = true
}

variable "ecr_scan_gate" {
  description = "ECR_SCAN_GATE: CRITICAL, HIGH or MEDIUM — an image deploys only when its scan shows no finding at or above it (waiting for the \"ECR Image Scan\" event while the scan runs); empty: no gate."
  type        = string
  default     = ""

  validation {
    condition     = contains(["", "CRITICAL", "HIGH", "MEDIUM"], var.ecr_scan_gate)
    error_message = "ecr_scan_gate must be \"\" (no gate), \"CRITICAL\", \"HIGH\" or \"MEDIUM\"."
  }
}

variable "lambda_config" {
  description = "LAMBDA_CONFIG: service name => Lambda target. smoke_test.payload and smoke_test.expect are JSON text (use jsonencode). Passed as JSON without null fields; an empty map leaves the variable unset."
  type = map(object({
    function_name = optional(string)
    alias         = optional(string)
    artifact = optional(object({
      bucket = string
      key    = string
    }))
    smoke_test = optional(object({
      payload = optional(string, "{}")
      expect  = optional(string)
    }))
  }))
  default = {}

  validation {
    condition     = alltrue([for name, t in var.lambda_config : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", name))])
    error_message = "lambda_config keys must be service names (letters, digits, \"-\", \"_\")."
  }

  validation {
    condition     = alltrue([for t in values(var.lambda_config) : t.smoke_test == null ? true : can(jsondecode(t.smoke_test.payload)) && (t.smoke_test.expect == null ? true : can(keys(jsondecode(t.smoke_test.expect))))])
    error_message = "lambda_config smoke_test.payload must be JSON text and smoke_test.expect a JSON object (use jsonencode)."
  }

  validation {
    condition     = alltrue([for t in values(var.lambda_config) : t.artifact == null ? true : t.artifact.bucket != "" && t.artifact.key != ""])
    error_message = "lambda_config artifact needs a non-empty bucket and key."
  }
}

variable "lambda_function_pattern" {
  description = "LAMBDA_FUNCTION_PATTERN: default function name of a Lambda target without function_name. Placeholders {project}, {env}, {name}."
  type        = string
  default     = "{project}_lambda_{name}_{env}"

  validation {
    condition     = length(regexall("\\{[^}]*\\}", var.lambda_function_pattern)) == length(regexall("\\{(project|env|name)\\}", var.lambda_function_pattern))
    error_message = "lambda_function_pattern may only use the placeholders {project}, {env} and {name}."
  }
}

variable "enable_idempotency" {
  description = "Create a DynamoDB table (partition key id, TTL attribute expiration) and pass it as IDEMPOTENCY_TABLE, so each (event, target) deploys at most once. Off leaves IDEMPOTENCY_TABLE unset."
  type        = bool
  default     = false
}

variable "idempotency_ttl_seconds" {
  description = "IDEMPOTENCY_TTL_SECONDS: how long a deployed (event, target) pair is remembered."
  type        = number
  default     = 3600

  validation {
    condition     = var.idempotency_ttl_seconds >= 1 && floor(var.idempotency_ttl_seconds) == var.idempotency_ttl_seconds
    error_message = "idempotency_ttl_seconds must be a whole number of seconds, at least 1."
  }
}

variable "enable_deployments_table" {
  description = "Follow deployments: record what deploybridge starts in a DynamoDB table passed as DEPLOYMENTS_TABLE, so ECS's later events are reported in the deployment's own message and thread and a circuit-breaker rollback is never reported as a success. Off leaves DEPLOYMENTS_TABLE unset (stateless reports)."
  type        = bool
  default     = true
}

variable "deployments_table_name" {
  description = "An existing DynamoDB table to record deployments in (partition key id of type S, TTL attribute expiration), e.g. the idempotency table \"{name}-idempotency\". Null: the module creates {name}-deployments."
  type        = string
  default     = null

  validation {
    condition     = var.deployments_table_name == null ? true : can(regex("^[A-Za-z0-9_.-]{3,255}$", var.deployments_table_name))
    error_message = "deployments_table_name must be a DynamoDB table name (3-255 letters, digits, '_', '-', '.'), not an ARN."
  }
}

variable "manual_deploy_accounts" {
  description = "MANUAL_DEPLOY_ACCOUNTS: AWS accounts allowed to send manual deploys (passed comma-separated). Empty leaves the variable unset: any account that can put events on the default bus."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.manual_deploy_accounts : can(regex("^[0-9]{12}$", a))])
    error_message = "manual_deploy_accounts must be 12-digit AWS account ids."
  }
}

variable "manual_deploy_principals" {
  description = "IAM principals (ARNs of roles, users, or an account's root for all of its principals) allowed to send manual deploys. Non-empty: the module creates an event bus for this deployment's manual deploys whose policy lets only them events:PutEvents, and the manual rule listens on that bus only. Empty: manual deploys come from the default bus, as before."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.manual_deploy_principals : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/[\\w+=,.@/-]+|user/[\\w+=,.@/-]+)$", p))])
    error_message = "manual_deploy_principals must be IAM principal ARNs: arn:aws:iam::ACCOUNT:role/NAME, arn:aws:iam::ACCOUNT:user/NAME or arn:aws:iam::ACCOUNT:root."
  }
}

variable "protected_envs" {
  description = "PROTECTED_ENVS: environments that accept manual deploys only from source action.production (passed comma-separated; [] protects none)."
  type        = list(string)
  default     = ["prod", "production"]

  validation {
    # [] is passed as an empty string, which the function reads as "no protected env".
    condition     = alltrue([for e in var.protected_envs : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", e))])
    error_message = "protected_envs must list environment names (letters, digits, \"-\", \"_\")."
  }
}

###############################################################################
# Module inputs that are not environment variables.
###############################################################################

variable "name" {
  description = "Name of the function and prefix of every resource. Default: {project}-deploybridge-{env}."
  type        = string
  default     = null

  validation {
    condition     = var.name == null ? true : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", var.name))
    error_message = "name must use letters, digits, \"-\" and \"_\" only, at most 40 characters (suffixes are added to it)."
  }
}

variable "package_path" {
  description = "Path of the deployment package. Null: the one `npm run build` writes in this checkout, dist/deploybridge-<version>.zip (the version of package.json, path.module/../dist/). Leave null with s3_bucket and s3_key."
  type        = string
  default     = null

  validation {
    condition     = var.package_path == null || var.s3_bucket == null
    error_message = "Set either package_path or s3_bucket and s3_key, not both."
  }
}

variable "s3_bucket" {
  description = "Bucket of a published deployment package (a dist/deploybridge-<version>.zip you uploaded), with s3_key, instead of package_path. Lambda reads it when Terraform deploys the function, with Terraform's permissions; it must be in the function's region."
  type        = string
  default     = null
}

variable "s3_key" {
  description = "Key of the published package in s3_bucket, e.g. deploybridge/deploybridge-0.1.0.zip. Terraform redeploys the function when the key (or s3_object_version) changes: use one key per version."
  type        = string
  default     = null

  validation {
    condition     = (var.s3_bucket == null) == (var.s3_key == null)
    error_message = "s3_bucket and s3_key go together."
  }
}

variable "s3_object_version" {
  description = "Object version of the published package, for a versioned bucket. Null: the current version."
  type        = string
  default     = null

  validation {
    condition     = var.s3_object_version == null || var.s3_key != null
    error_message = "s3_object_version needs s3_bucket and s3_key."
  }
}

variable "architecture" {
  description = "Instruction set of the function: arm64 or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. Default: deployment_timeout_seconds plus 60 s for planning and Slack, capped at 900."
  type        = number
  default     = null

  validation {
    condition     = var.timeout == null ? true : var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency of the function; -1 reserves none."
  type        = number
  default     = -1
}

variable "log_retention_days" {
  description = "Retention of the function's CloudWatch log group in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "slack_webhook_ssm_parameter_name" {
  description = "Name of an existing SSM SecureString holding the Slack webhook URL. Null: the module creates /deploybridge/{project}/{env}/slack-webhook-url with a placeholder value to overwrite."
  type        = string
  default     = null

  validation {
    condition     = var.slack_webhook_ssm_parameter_name == null ? true : can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.slack_webhook_ssm_parameter_name))
    error_message = "slack_webhook_ssm_parameter_name must be an SSM parameter name (not an ARN)."
  }
}

variable "slack_webhook_kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the Slack webhook parameter. Null: the AWS managed key aws/ssm, which needs no kms:Decrypt grant."
  type        = string
  default     = null

  validation {
    condition     = var.slack_webhook_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.slack_webhook_kms_key_arn))
    error_message = "slack_webhook_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "slack_bot_token_ssm_parameter_name" {
  description = "Name of an existing SSM SecureString holding a Slack bot token (chat:write), passed as SLACK_BOT_TOKEN_SSM_PARAMETER: one message per deployment, updated, details in its thread. It wins over the webhook. Needs slack_channel."
  type        = string
  default     = null

  validation {
    condition     = var.slack_bot_token_ssm_parameter_name == null ? true : can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.slack_bot_token_ssm_parameter_name))
    error_message = "slack_bot_token_ssm_parameter_name must be an SSM parameter name (not an ARN)."
  }
}

variable "slack_bot_token_kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the bot token parameter. Null: the AWS managed key aws/ssm."
  type        = string
  default     = null

  validation {
    condition     = var.slack_bot_token_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.slack_bot_token_kms_key_arn))
    error_message = "slack_bot_token_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "slack_channel" {
  description = "SLACK_CHANNEL: the id of the channel the bot posts to (e.g. C0123456789); required with slack_bot_token_ssm_parameter_name."
  type        = string
  default     = null
}

variable "approvers" {
  description = "APPROVERS: Slack user ids (U… or W…) who may approve a deployment. Any set: every deployment this install would start waits for one of them to click Approve in Slack, through the Function URL the module then creates (output slack_interactivity_url; docs/approvals.md). Needs slack_bot_token_ssm_parameter_name, slack_channel, slack_signing_secret_ssm_parameter and the deployments table."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for id in var.approvers : can(regex("^[UW][A-Z0-9]{2,20}$", id))])
    error_message = "approvers must be a comma-separated list of Slack user ids (U… or W…), got ${join(", ", [for id in var.approvers : "\"${id}\"" if !can(regex("^[UW][A-Z0-9]{2,20}$", id))])}"
  }

  validation {
    condition     = length(var.approvers) == 0 || var.enable_slack_notifications
    error_message = "approvers needs Slack: enable_slack_notifications is false"
  }

  validation {
    condition     = length(var.approvers) == 0 || var.slack_bot_token_ssm_parameter_name != null
    error_message = "approvers needs a Slack bot token"
  }

  validation {
    condition     = length(var.approvers) == 0 || var.slack_channel != null
    error_message = "approvers needs slack_channel (the channel approvals are asked in)"
  }

  validation {
    condition     = length(var.approvers) == 0 || var.slack_signing_secret_ssm_parameter != null
    error_message = "approvers needs the Slack app's signing secret"
  }

  validation {
    condition     = length(var.approvers) == 0 || var.enable_deployments_table
    error_message = "approvers needs the deployments table (DEPLOYMENTS_TABLE), where approval requests wait"
  }
}

variable "slack_signing_secret_ssm_parameter" {
  description = "Name of an existing SSM SecureString holding the Slack app's signing secret, passed as SLACK_SIGNING_SECRET_SSM_PARAMETER: every request to the Function URL is verified with it. Required with approvers."
  type        = string
  default     = null

  validation {
    condition     = var.slack_signing_secret_ssm_parameter == null ? true : can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.slack_signing_secret_ssm_parameter))
    error_message = "slack_signing_secret_ssm_parameter must be an SSM parameter name (not an ARN)."
  }
}

variable "slack_signing_secret_kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the signing secret parameter. Null: the AWS managed key aws/ssm."
  type        = string
  default     = null

  validation {
    condition     = var.slack_signing_secret_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.slack_signing_secret_kms_key_arn))
    error_message = "slack_signing_secret_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "approval_expiry_minutes" {
  description = "APPROVAL_EXPIRY_MINUTES: how long an approval request waits for a decision before it expires (at most 10080, 7 days)."
  type        = number
  nullable    = false
  default     = 1440

  validation {
    condition     = var.approval_expiry_minutes >= 1 && floor(var.approval_expiry_minutes) == var.approval_expiry_minutes
    error_message = "approval_expiry_minutes must be at least 1"
  }

  validation {
    condition     = var.approval_expiry_minutes <= 10080
    error_message = "approval_expiry_minutes must be at most 10080 (7 days), got ${var.approval_expiry_minutes}"
  }
}

variable "slack_api_url" {
  description = "SLACK_API_URL: Slack's Web API, or a Slack-compatible server."
  type        = string
  default     = "https://slack.com/api"

  validation {
    condition     = can(regex("^https?://[^ ]+$", var.slack_api_url))
    error_message = "slack_api_url must be an http(s) URL."
  }
}

variable "enable_ecs_events" {
  description = "Report this project's ECS deployment and service-action events to Slack (the EventBridge rule; the function has no flag for it)."
  type        = bool
  default     = true
}

variable "coalesce_window_seconds" {
  description = "Seconds a burst of the deploying triggers' events (ECR pushes and scans, Parameter Store changes, S3 objects) is collected in an SQS queue before the function handles it as one batch, deploying each service once (the event source mapping's batching window, at most 300). 0 sends every event straight to the function. ECS events and manual deploys are always sent straight to it."
  type        = number
  default     = 20

  validation {
    condition     = var.coalesce_window_seconds >= 0 && var.coalesce_window_seconds <= 300 && floor(var.coalesce_window_seconds) == var.coalesce_window_seconds
    error_message = "coalesce_window_seconds must be a whole number of seconds from 0 (no queue) to 300."
  }
}

variable "s3_cloudtrail_buckets" {
  description = "Buckets of the configuration that cannot send native S3 EventBridge events: their objects are matched on CloudTrail data events (PutObject, CopyObject, CompleteMultipartUpload, DeleteObject) instead. A trail logging write data events for them must exist."
  type        = list(string)
  default     = []
}

variable "manage_s3_bucket_notifications" {
  description = "Turn on EventBridge notifications (aws_s3_bucket_notification { eventbridge = true }) for the buckets matched on native events. That resource owns the whole notification configuration of a bucket: leave off if the bucket has other notifications."
  type        = bool
  default     = false
}

variable "async_maximum_retry_attempts" {
  description = "Retries Lambda makes of a failed asynchronous invocation (0-2) before the event goes to the failed-events queue."
  type        = number
  default     = 2

  validation {
    condition     = var.async_maximum_retry_attempts >= 0 && var.async_maximum_retry_attempts <= 2
    error_message = "async_maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "async_maximum_event_age_seconds" {
  description = "Maximum age of an event Lambda keeps retrying (60-21600 s); older events go to the failed-events queue."
  type        = number
  default     = 3600

  validation {
    condition     = var.async_maximum_event_age_seconds >= 60 && var.async_maximum_event_age_seconds <= 21600
    error_message = "async_maximum_event_age_seconds must be between 60 and 21600."
  }
}

variable "eventbridge_maximum_retry_attempts" {
  description = "Retries EventBridge makes to deliver an event to the function (0-185) before it goes to the undelivered-events queue."
  type        = number
  default     = 20

  validation {
    condition     = var.eventbridge_maximum_retry_attempts >= 0 && var.eventbridge_maximum_retry_attempts <= 185
    error_message = "eventbridge_maximum_retry_attempts must be between 0 and 185."
  }
}

variable "eventbridge_maximum_event_age_seconds" {
  description = "Maximum age of an event EventBridge keeps trying to deliver (60-86400 s)."
  type        = number
  default     = 3600

  validation {
    condition     = var.eventbridge_maximum_event_age_seconds >= 60 && var.eventbridge_maximum_event_age_seconds <= 86400
    error_message = "eventbridge_maximum_event_age_seconds must be between 60 and 86400."
  }
}

variable "failed_event_retention_seconds" {
  description = "How long the failed-events, undelivered-events and coalescing dead-letter queues keep an event for replay (60-1209600 s)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.failed_event_retention_seconds >= 60 && var.failed_event_retention_seconds <= 1209600
    error_message = "failed_event_retention_seconds must be between 60 and 1209600."
  }
}

variable "enable_alarms" {
  description = "Create CloudWatch alarms on function errors and throttles, the depth of the failed-events and undelivered-events queues, an invalid configuration (ConfigInvalid), and, per trigger that has a rule, failed deployments (DeploymentsFailed) and Slack notifications that did not arrive (NotificationsFailed)."
  type        = bool
  default     = true
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic notified when any of the module's alarms fires and when it recovers (alarm and OK actions). Null: alarms without actions."
  type        = string
  default     = null
}

variable "iam_role_permissions_boundary" {
  description = "ARN of a permissions boundary for the function's role."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
}
