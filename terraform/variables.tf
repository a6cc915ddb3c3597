###############################################################################
# Configuration contract: one input per environment variable
# the function reads, named like it in lower snake case, with the same default.
# AWS_REGION is not an input: it is reserved and set by Lambda to the region the
# function runs in (the provider's region).
###############################################################################

variable "project_name" {
  description = "PROJECT_NAME: project identifier used in resource naming ({project})."
  type        = string
  nullable    = false

  validation {
    condition     = var.project_name != ""
    error_message = "project_name is required"
  }

  validation {
    condition     = var.project_name == "" || can(regex(local.name_pattern, var.project_name))
    error_message = "project_name must use letters, digits, \"-\" and \"_\" only (at most 64, starting with a letter or digit), got \"${var.project_name}\""
  }
}

variable "project_env" {
  description = "PROJECT_ENV: environment ({env}), e.g. dev, staging, prod."
  type        = string
  nullable    = false

  validation {
    condition     = var.project_env != ""
    error_message = "project_env is required"
  }

  validation {
    condition     = var.project_env == "" || can(regex(local.name_pattern, var.project_env))
    error_message = "project_env must use letters, digits, \"-\" and \"_\" only (at most 64, starting with a letter or digit), got \"${var.project_env}\""
  }
}

variable "log_level" {
  description = "LOG_LEVEL: debug, info, warn or error. Also sets the Lambda application log level, so debug lines are not filtered out."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be one of debug, info, warn, error, got \"${var.log_level}\""
  }
}

variable "cluster_name_pattern" {
  description = "CLUSTER_NAME_PATTERN: ECS cluster name. Placeholders {project}, {env}, {name}."
  type        = string
  nullable    = false
  default     = "{project}_cluster_{env}"

  validation {
    condition     = alltrue([for m in regexall("\\{[^}]*\\}", var.cluster_name_pattern) : contains(local.placeholders, m)])
    error_message = "cluster_name_pattern uses unknown placeholder(s) ${join(", ", [for m in regexall("\\{[^}]*\\}", var.cluster_name_pattern) : m if !contains(local.placeholders, m)])}; use {project}, {env}, {name}"
  }

  # The names it renders for a service ("api") and for the backend.
  validation {
    condition     = !local.names_valid || !alltrue([for m in regexall("\\{[^}]*\\}", var.cluster_name_pattern) : contains(local.placeholders, m)]) || alltrue([for n in [replace(replace(replace(var.cluster_name_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", "api"), var.backend_service_name == "" ? replace(replace(replace(replace(var.cluster_name_pattern, "/[-_./]\\{name\\}/", ""), "/\\{name\\}[-_./]?/", ""), "{project}", var.project_name), "{env}", var.project_env) : replace(replace(replace(var.cluster_name_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", var.backend_service_name)] : can(regex(local.ecs_name_pattern, n))])
    error_message = "cluster_name_pattern renders \"${try([for n in [replace(replace(replace(var.cluster_name_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", "api"), var.backend_service_name == "" ? replace(replace(replace(replace(var.cluster_name_pattern, "/[-_./]\\{name\\}/", ""), "/\\{name\\}[-_./]?/", ""), "{project}", var.project_name), "{env}", var.project_env) : replace(replace(replace(var.cluster_name_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", var.backend_service_name)] : n if !can(regex(local.ecs_name_pattern, n))][0], "")}\", which AWS does not accept as an ECS cluster name (letters, digits, \"-\" and \"_\", at most 255)"
  }
}

variable "service_name_pattern" {
  description = "SERVICE_NAME_PATTERN: ECS service name. Placeholders {project}, {env}, {name}."
  type        = string
  nullable    = false
  default     = "{project}_service_{name}_{env}"

  validation {
    condition     = alltrue([for m in regexall("\\{[^}]*\\}", var.service_name_pattern) : contains(local.placeholders, m)])
    error_message = "service_name_pattern uses unknown placeholder(s) ${join(", ", [for m in regexall("\\{[^}]*\\}", var.service_name_pattern) : m if !contains(local.placeholders, m)])}; use {project}, {env}, {name}"
  }

  # Without {name}, every service would be one.
  validation {
    condition     = !local.names_valid || !alltrue([for m in regexall("\\{[^}]*\\}", var.service_name_pattern) : contains(local.placeholders, m)]) || strcontains(var.service_name_pattern, "{name}")
    error_message = "service_name_pattern must contain {name}: without it every service renders the same name (\"${replace(replace(var.service_name_pattern, "{project}", var.project_name), "{env}", var.project_env)}\")"
  }

  # The names it renders for a service ("api") and for the backend.
  validation {
    condition     = !local.names_valid || !alltrue([for m in regexall("\\{[^}]*\\}", var.service_name_pattern) : contains(local.placeholders, m)]) || alltrue([for n in [replace(replace(replace(var.service_name_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", "api"), var.backend_service_name == "" ? replace(replace(replace(replace(var.service_name_pattern, "/[-_./]\\{name\\}/", ""), "/\\{name\\}[-_./]?/", ""), "{project}", var.project_name), "{env}", var.project_env) : replace(replace(replace(var.service_name_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", var.backend_service_name)] : can(regex(local.ecs_name_pattern, n))])
    error_message = "service_name_pattern renders \"${try([for n in [replace(replace(replace(var.service_name_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", "api"), var.backend_service_name == "" ? replace(replace(replace(replace(var.service_name_pattern, "/[-_./]\\{name\\}/", ""), "/\\{name\\}[-_./]?/", ""), "{project}", var.project_name), "{env}", var.project_env) : replace(replace(replace(var.service_name_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", var.backend_service_name)] : n if !can(regex(local.ecs_name_pattern, n))][0], "")}\", which AWS does not accept as an ECS service name (letters, digits, \"-\" and \"_\", at most 255)"
  }
}

variable "task_family_pattern" {
  description = "TASK_FAMILY_PATTERN: task definition family. Placeholders {project}, {env}, {name}."
  type        = string
  nullable    = false
  default     = "{project}_service_{name}_{env}"

  validation {
    condition     = alltrue([for m in regexall("\\{[^}]*\\}", var.task_family_pattern) : contains(local.placeholders, m)])
    error_message = "task_family_pattern uses unknown placeholder(s) ${join(", ", [for m in regexall("\\{[^}]*\\}", var.task_family_pattern) : m if !contains(local.placeholders, m)])}; use {project}, {env}, {name}"
  }

  # Without {name}, every service would be one.
  validation {
    condition     = !local.names_valid || !alltrue([for m in regexall("\\{[^}]*\\}", var.task_family_pattern) : contains(local.placeholders, m)]) || strcontains(var.task_family_pattern, "{name}")
    error_message = "task_family_pattern must contain {name}: without it every service renders the same name (\"${replace(replace(var.task_family_pattern, "{project}", var.project_name), "{env}", var.project_env)}\")"
  }

  # The names it renders for a service ("api") and for the backend.
  validation {
    condition     = !local.names_valid || !alltrue([for m in regexall("\\{[^}]*\\}", var.task_family_pattern) : contains(local.placeholders, m)]) || alltrue([for n in [replace(replace(replace(var.task_family_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", "api"), var.backend_service_name == "" ? replace(replace(replace(replace(var.task_family_pattern, "/[-_./]\\{name\\}/", ""), "/\\{name\\}[-_./]?/", ""), "{project}", var.project_name), "{env}", var.project_env) : replace(replace(replace(var.task_family_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", var.backend_service_name)] : can(regex(local.ecs_name_pattern, n))])
    error_message = "task_family_pattern renders \"${try([for n in [replace(replace(replace(var.task_family_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", "api"), var.backend_service_name == "" ? replace(replace(replace(replace(var.task_family_pattern, "/[-_./]\\{name\\}/", ""), "/\\{name\\}[-_./]?/", ""), "{project}", var.project_name), "{env}", var.project_env) : replace(replace(replace(var.task_family_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", var.backend_service_name)] : n if !can(regex(local.ecs_name_pattern, n))][0], "")}\", which AWS does not accept as a task definition family (letters, digits, \"-\" and \"_\", at most 255)"
  }
}

variable "backend_service_name" {
  description = "BACKEND_SERVICE_NAME: the {name} of the backend service. Empty drops {name} and one separator next to it ({project}_service_{env} under the default pattern)."
  type        = string
  nullable    = false
  default     = ""

  validation {
    condition     = var.backend_service_name == "" || can(regex(local.name_pattern, var.backend_service_name))
    error_message = "backend_service_name must use letters, digits, \"-\" and \"_\" only (at most 64, starting with a letter or digit), got \"${var.backend_service_name}\""
  }
}

variable "enable_slack_notifications" {
  description = "ENABLE_SLACK_NOTIFICATIONS: send Slack notifications. The webhook URL is read at run time from the SSM SecureString named by SLACK_WEBHOOK_SSM_PARAMETER (see slack_webhook_ssm_parameter_name)."
  type        = bool
  default     = true
}

variable "service_config" {
  description = "SERVICE_CONFIG: service name => the S3 env files it reads. Passed as JSON. Required (may be {}) while enable_s3_monitoring is on; null leaves the variable unset. Keys are service names (letters, digits, \"-\", \"_\", at most 64; \"backend\" and backend_service_name are one service: use one); a bucket is a name S3 accepts, a key 1-1024 bytes, not starting or ending with \"/\"."
  type = map(list(object({
    bucket = string
    key    = string
  })))
  default = null

  validation {
    condition     = var.service_config != null || !var.enable_s3_monitoring
    error_message = "service_config is required while enable_s3_monitoring is on: service name → [{\"bucket\", \"key\"}], {} when no service reads an env file from S3"
  }

  # Service names; "__proto__" is refused alone (the function cannot read the rest).
  validation {
    condition     = var.service_config == null || alltrue([for k in keys(var.service_config == null ? {} : var.service_config) : can(regex(local.name_pattern, k))])
    error_message = contains(keys(var.service_config == null ? {} : var.service_config), "__proto__") ? "service_config: key \"__proto__\" is not allowed" : join("\n", [for k in keys(var.service_config == null ? {} : var.service_config) : "service_config.${k}: service names use ${local.name_characters}" if !can(regex(local.name_pattern, k))])
  }

  # Buckets S3 accepts, keys that name the object meant.
  validation {
    condition     = var.service_config == null || alltrue([for o in flatten([for name, files in(var.service_config == null ? {} : var.service_config) : [for i, f in files : { at = "service_config.${name}.${i}", bucket = f.bucket, key = f.key }]]) : try(can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", o.bucket)) && !strcontains(o.bucket, "..") && !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", o.bucket)) && !anytrue([for x in local.bucket_reserved_prefixes : startswith(o.bucket, x)]) && !anytrue([for x in local.bucket_reserved_suffixes : endswith(o.bucket, x)]), false) && try(o.key != "" && !can(regex("\\p{Cc}", o.key)) && !startswith(o.key, "/") && !endswith(o.key, "/") && length(base64encode(o.key)) * 3 / 4 - length(regexall("=", base64encode(o.key))) <= 1024, false)])
    error_message = join("\n", flatten([for o in flatten([for name, files in(var.service_config == null ? {} : var.service_config) : [for i, f in files : { at = "service_config.${name}.${i}", bucket = f.bucket, key = f.key }]]) : concat(try(can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", o.bucket)) && !strcontains(o.bucket, "..") && !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", o.bucket)) && !anytrue([for x in local.bucket_reserved_prefixes : startswith(o.bucket, x)]) && !anytrue([for x in local.bucket_reserved_suffixes : endswith(o.bucket, x)]), false) ? [] : ["${o.at}.bucket: ${local.bucket_problem}"], try(o.key != "" && !can(regex("\\p{Cc}", o.key)) && !startswith(o.key, "/") && !endswith(o.key, "/") && length(base64encode(o.key)) * 3 / 4 - length(regexall("=", base64encode(o.key))) <= 1024, false) ? [] : ["${o.at}.key: ${local.key_problem}"])]))
  }

  # The backend as "backend" and as backend_service_name: the function would not know which entry is meant.
  validation {
    condition     = var.service_config == null || contains(["", "backend"], var.backend_service_name) || !alltrue([for k in ["backend", var.backend_service_name] : contains(keys(var.service_config == null ? {} : var.service_config), k)])
    error_message = "service_config: \"${sort(["backend", var.backend_service_name])[0]}\" and \"${sort(["backend", var.backend_service_name])[1]}\" name the same service (the backend, backend_service_name=${var.backend_service_name}); use one name"
  }
}

variable "deployment_timeout_seconds" {
  description = "DEPLOYMENT_TIMEOUT_SECONDS: upper bound for one deployment, retries included. The function timeout is derived from it (see timeout)."
  type        = number
  default     = 600

  validation {
    condition     = var.deployment_timeout_seconds >= 0 && floor(var.deployment_timeout_seconds) == var.deployment_timeout_seconds
    error_message = "deployment_timeout_seconds must be a non-negative whole number, got \"${var.deployment_timeout_seconds}\""
  }

  validation {
    condition     = var.deployment_timeout_seconds != 0
    error_message = "deployment_timeout_seconds must be at least 1"
  }

  validation {
    condition     = !(var.deployment_timeout_seconds > 900 && floor(var.deployment_timeout_seconds) == var.deployment_timeout_seconds)
    error_message = "deployment_timeout_seconds must be at most 900 (Lambda's longest timeout), got ${var.deployment_timeout_seconds}"
  }
}

variable "max_deployment_retries" {
  description = "MAX_DEPLOYMENT_RETRIES: retries after the first failed attempt of a deployment."
  type        = number
  default     = 2

  validation {
    condition     = var.max_deployment_retries >= 0 && floor(var.max_deployment_retries) == var.max_deployment_retries
    error_message = "max_deployment_retries must be a non-negative whole number, got \"${var.max_deployment_retries}\""
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
    error_message = "ecr_scan_gate must be one of CRITICAL, HIGH, MEDIUM (or empty: no gate), got \"${var.ecr_scan_gate}\""
  }
}

variable "lambda_config" {
  description = "LAMBDA_CONFIG: service name => Lambda target. smoke_test.payload and smoke_test.expect are JSON text (use jsonencode). Passed as JSON without null fields; an empty map leaves the variable unset. Keys are service names, as in service_config; function_name a function name or its unqualified ARN (targets without it are named by lambda_function_pattern, and two targets may not deploy one function); alias not a version number; artifact a bucket and key as in service_config."
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

  # Service names; "__proto__" is refused alone (the function cannot read the rest).
  validation {
    condition     = alltrue([for k in keys(var.lambda_config) : can(regex(local.name_pattern, k))])
    error_message = contains(keys(var.lambda_config), "__proto__") ? "lambda_config: key \"__proto__\" is not allowed" : join("\n", [for k in keys(var.lambda_config) : "lambda_config.${k}: service names use ${local.name_characters}" if !can(regex(local.name_pattern, k))])
  }

  # Function names, aliases, and smoke tests whose texts are JSON (the module decodes them) and whose expect is an object.
  validation {
    condition = length(flatten([for k, t in var.lambda_config : concat(
      t.function_name == null || can(regex(local.function_name_pattern, coalesce(t.function_name, "-"))) ? [] : ["lambda_config.${k}.function_name: function_name must be a function name (letters, digits, \"-\", \"_\", at most 64) or its unqualified ARN"],
      t.alias == null || (can(regex("^[A-Za-z0-9_-]{1,128}$", coalesce(t.alias, "-"))) && !can(regex("^[0-9]+$", coalesce(t.alias, "-")))) ? [] : ["lambda_config.${k}.alias: alias must use letters, digits, \"-\" and \"_\", and not be a version number"],
      t.smoke_test == null ? [] : can(jsondecode(t.smoke_test.payload)) ? [] : ["lambda_config.${k}.smoke_test.payload must be JSON text (use jsonencode)"],
      try(t.smoke_test.expect, null) == null ? [] : !can(jsondecode(t.smoke_test.expect)) ? ["lambda_config.${k}.smoke_test.expect must be JSON text (use jsonencode)"] : !can(keys(jsondecode(t.smoke_test.expect))) ? ["lambda_config.${k}.smoke_test.expect: expected an object"] : contains(keys(jsondecode(t.smoke_test.expect)), "__proto__") ? ["lambda_config.${k}.smoke_test.expect: key \"__proto__\" is not allowed"] : [],
    )])) == 0
    error_message = join("\n", flatten([for k, t in var.lambda_config : concat(
      t.function_name == null || can(regex(local.function_name_pattern, coalesce(t.function_name, "-"))) ? [] : ["lambda_config.${k}.function_name: function_name must be a function name (letters, digits, \"-\", \"_\", at most 64) or its unqualified ARN"],
      t.alias == null || (can(regex("^[A-Za-z0-9_-]{1,128}$", coalesce(t.alias, "-"))) && !can(regex("^[0-9]+$", coalesce(t.alias, "-")))) ? [] : ["lambda_config.${k}.alias: alias must use letters, digits, \"-\" and \"_\", and not be a version number"],
      t.smoke_test == null ? [] : can(jsondecode(t.smoke_test.payload)) ? [] : ["lambda_config.${k}.smoke_test.payload must be JSON text (use jsonencode)"],
      try(t.smoke_test.expect, null) == null ? [] : !can(jsondecode(t.smoke_test.expect)) ? ["lambda_config.${k}.smoke_test.expect must be JSON text (use jsonencode)"] : !can(keys(jsondecode(t.smoke_test.expect))) ? ["lambda_config.${k}.smoke_test.expect: expected an object"] : contains(keys(jsondecode(t.smoke_test.expect)), "__proto__") ? ["lambda_config.${k}.smoke_test.expect: key \"__proto__\" is not allowed"] : [],
    )]))
  }

  # Buckets S3 accepts, keys that name the object meant.
  validation {
    condition     = alltrue([for o in [for name, t in var.lambda_config : { at = "lambda_config.${name}.artifact", bucket = t.artifact.bucket, key = t.artifact.key } if t.artifact != null] : try(can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", o.bucket)) && !strcontains(o.bucket, "..") && !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", o.bucket)) && !anytrue([for x in local.bucket_reserved_prefixes : startswith(o.bucket, x)]) && !anytrue([for x in local.bucket_reserved_suffixes : endswith(o.bucket, x)]), false) && try(o.key != "" && !can(regex("\\p{Cc}", o.key)) && !startswith(o.key, "/") && !endswith(o.key, "/") && length(base64encode(o.key)) * 3 / 4 - length(regexall("=", base64encode(o.key))) <= 1024, false)])
    error_message = join("\n", flatten([for o in [for name, t in var.lambda_config : { at = "lambda_config.${name}.artifact", bucket = t.artifact.bucket, key = t.artifact.key } if t.artifact != null] : concat(try(can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", o.bucket)) && !strcontains(o.bucket, "..") && !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", o.bucket)) && !anytrue([for x in local.bucket_reserved_prefixes : startswith(o.bucket, x)]) && !anytrue([for x in local.bucket_reserved_suffixes : endswith(o.bucket, x)]), false) ? [] : ["${o.at}.bucket: ${local.bucket_problem}"], try(o.key != "" && !can(regex("\\p{Cc}", o.key)) && !startswith(o.key, "/") && !endswith(o.key, "/") && length(base64encode(o.key)) * 3 / 4 - length(regexall("=", base64encode(o.key))) <= 1024, false) ? [] : ["${o.at}.key: ${local.key_problem}"])]))
  }

  # Two targets of one function: one event would deploy it twice.
  validation {
    condition     = length(distinct([for k, t in var.lambda_config : t.function_name != null ? t.function_name : contains(["backend", var.backend_service_name], k) ? local.backend_lambda_function : replace(local.patterns.lambda, "{name}", k)])) == length(var.lambda_config)
    error_message = join("\n", flatten([for f, ks in { for k, t in var.lambda_config : (t.function_name != null ? t.function_name : contains(["backend", var.backend_service_name], k) ? local.backend_lambda_function : replace(local.patterns.lambda, "{name}", k)) => k... } : [for k in slice(ks, 1, length(ks)) : "lambda_config: \"${ks[0]}\" and \"${k}\" both deploy the function ${f}; one event would deploy it twice"]]))
  }

  # The function names lambda_function_pattern renders for the targets without function_name.
  validation {
    condition     = alltrue([for k, t in var.lambda_config : can(regex(local.function_name_pattern, t.function_name != null ? t.function_name : contains(["backend", var.backend_service_name], k) ? local.backend_lambda_function : replace(local.patterns.lambda, "{name}", k)))])
    error_message = join("\n", [for k, t in var.lambda_config : "lambda_config.${contains(["backend", var.backend_service_name], k) ? coalesce(var.backend_service_name, "backend") : k}: lambda_function_pattern renders \"${t.function_name != null ? t.function_name : contains(["backend", var.backend_service_name], k) ? local.backend_lambda_function : replace(local.patterns.lambda, "{name}", k)}\", which is not a valid function name; set function_name" if !can(regex(local.function_name_pattern, t.function_name != null ? t.function_name : contains(["backend", var.backend_service_name], k) ? local.backend_lambda_function : replace(local.patterns.lambda, "{name}", k)))])
  }

  # The backend as "backend" and as backend_service_name, here.
  validation {
    condition     = contains(["", "backend"], var.backend_service_name) || length([for k in keys(var.lambda_config) : k if contains(["backend", var.backend_service_name], k)]) < 2 || length([for k in keys(var.service_config == null ? {} : var.service_config) : k if contains(["backend", var.backend_service_name], k)]) > 0
    error_message = "lambda_config: \"${sort(["backend", var.backend_service_name])[0]}\" and \"${sort(["backend", var.backend_service_name])[1]}\" name the same service (the backend, backend_service_name=${var.backend_service_name}); use one name"
  }

  # The backend as "backend" and as backend_service_name, one here and the other in service_config.
  validation {
    condition     = contains(["", "backend"], var.backend_service_name) || length([for k in keys(var.lambda_config) : k if contains(["backend", var.backend_service_name], k)]) == 0 || length([for k in keys(var.service_config == null ? {} : var.service_config) : k if contains(["backend", var.backend_service_name], k)]) == 0 || length(sort(distinct(concat([for k in keys(var.service_config == null ? {} : var.service_config) : k if contains(["backend", var.backend_service_name], k)], [for k in keys(var.lambda_config) : k if contains(["backend", var.backend_service_name], k)])))) < 2
    error_message = "service_config and lambda_config: \"${try(sort(distinct(concat([for k in keys(var.service_config == null ? {} : var.service_config) : k if contains(["backend", var.backend_service_name], k)], [for k in keys(var.lambda_config) : k if contains(["backend", var.backend_service_name], k)])))[0], "")}\" and \"${try(sort(distinct(concat([for k in keys(var.service_config == null ? {} : var.service_config) : k if contains(["backend", var.backend_service_name], k)], [for k in keys(var.lambda_config) : k if contains(["backend", var.backend_service_name], k)])))[1], "")}\" name the same service (the backend, backend_service_name=${var.backend_service_name}); use one name"
  }
}

variable "lambda_function_pattern" {
  description = "LAMBDA_FUNCTION_PATTERN: default function name of a Lambda target without function_name. Placeholders {project}, {env}, {name}."
  type        = string
  nullable    = false
  default     = "{project}_lambda_{name}_{env}"

  validation {
    condition     = alltrue([for m in regexall("\\{[^}]*\\}", var.lambda_function_pattern) : contains(local.placeholders, m)])
    error_message = "lambda_function_pattern uses unknown placeholder(s) ${join(", ", [for m in regexall("\\{[^}]*\\}", var.lambda_function_pattern) : m if !contains(local.placeholders, m)])}; use {project}, {env}, {name}"
  }

  # Without {name}, every service would be one.
  validation {
    condition     = !local.names_valid || !alltrue([for m in regexall("\\{[^}]*\\}", var.lambda_function_pattern) : contains(local.placeholders, m)]) || strcontains(var.lambda_function_pattern, "{name}")
    error_message = "lambda_function_pattern must contain {name}: without it every service renders the same name (\"${replace(replace(var.lambda_function_pattern, "{project}", var.project_name), "{env}", var.project_env)}\")"
  }

  # The names it renders for a service ("api") and for the backend.
  validation {
    condition     = !local.names_valid || !alltrue([for m in regexall("\\{[^}]*\\}", var.lambda_function_pattern) : contains(local.placeholders, m)]) || alltrue([for n in [replace(replace(replace(var.lambda_function_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", "api"), var.backend_service_name == "" ? replace(replace(replace(replace(var.lambda_function_pattern, "/[-_./]\\{name\\}/", ""), "/\\{name\\}[-_./]?/", ""), "{project}", var.project_name), "{env}", var.project_env) : replace(replace(replace(var.lambda_function_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", var.backend_service_name)] : can(regex("^[A-Za-z0-9_-]{1,64}$", n))])
    error_message = "lambda_function_pattern renders \"${try([for n in [replace(replace(replace(var.lambda_function_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", "api"), var.backend_service_name == "" ? replace(replace(replace(replace(var.lambda_function_pattern, "/[-_./]\\{name\\}/", ""), "/\\{name\\}[-_./]?/", ""), "{project}", var.project_name), "{env}", var.project_env) : replace(replace(replace(var.lambda_function_pattern, "{project}", var.project_name), "{env}", var.project_env), "{name}", var.backend_service_name)] : n if !can(regex("^[A-Za-z0-9_-]{1,64}$", n))][0], "")}\", which AWS does not accept as a function name (letters, digits, \"-\" and \"_\", at most 64)"
  }
}

variable "enable_idempotency" {
  description = "Create a DynamoDB table (partition key id, TTL attribute expiration, billed per request: nothing while idle) and pass it as IDEMPOTENCY_TABLE, so each (event, target) deploys at most once although EventBridge and Lambda deliver an event at least once. Off leaves IDEMPOTENCY_TABLE unset: a duplicate delivery deploys again."
  type        = bool
  default     = true
}

variable "idempotency_ttl_seconds" {
  description = "IDEMPOTENCY_TTL_SECONDS: how long a deployed (event, target) pair is remembered."
  type        = number
  default     = 3600

  validation {
    condition     = var.idempotency_ttl_seconds >= 0 && floor(var.idempotency_ttl_seconds) == var.idempotency_ttl_seconds
    error_message = "idempotency_ttl_seconds must be a non-negative whole number, got \"${var.idempotency_ttl_seconds}\""
  }

  validation {
    condition     = var.idempotency_ttl_seconds != 0
    error_message = "idempotency_ttl_seconds must be at least 1"
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
    error_message = "manual_deploy_accounts must list 12-digit AWS account ids, got ${join(", ", [for a in var.manual_deploy_accounts : "\"${a}\"" if !can(regex("^[0-9]{12}$", a))])}"
  }
}

variable "manual_deploy_require_scope" {
  description = "MANUAL_DEPLOY_REQUIRE_SCOPE: a manual deploy must name its env and project (detail.env, detail.project); one naming neither is refused, visibly, since every deployment listening on the bus would act on it. false (one env on the bus): such a request is this deployment's."
  type        = bool
  default     = true
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

  validation {
    condition     = var.slack_bot_token_ssm_parameter_name == null || var.slack_channel != null || !var.enable_slack_notifications
    error_message = "slack_channel (the channel id the bot posts to) is required with a Slack bot token"
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

  validation {
    condition     = var.slack_channel == null || can(regex("^[!-~]{1,80}$", coalesce(var.slack_channel, "-")))
    error_message = "slack_channel must be a channel id such as C0123456789, got ${jsonencode(substr(coalesce(var.slack_channel, "-"), 0, 80))}"
  }
}

variable "approvers" {
  description = "APPROVERS: Slack user ids (U… or W…) who may approve a deployment. Any set: every deployment this install would start waits for one of them to click Approve in Slack, through the Function URL the module then creates (output slack_interactivity_url; docs/approvals.md). Needs slack_bot_token_ssm_parameter_name, slack_channel, slack_signing_secret_ssm_parameter and the deployments table."
  type        = list(string)
  nullable    = false
  default     = []

  validation {
    condition     = alltrue([for id in var.approvers : can(regex("^[UW][A-Z0-9]{2,20}$", id))])
    error_message = "approvers must list Slack user ids (U… or W…), got ${join(", ", [for id in var.approvers : "\"${id}\"" if !can(regex("^[UW][A-Z0-9]{2,20}$", id))])}"
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
    condition     = can(regex("(?i)^https?://\\S+$", replace(var.slack_api_url, "/\\/+$/", "")))
    error_message = "slack_api_url must be an http(s) URL, got ${jsonencode(substr(replace(var.slack_api_url, "/\\/+$/", ""), 0, 200))}"
  }
}

#############################################################################
# Channels besides Slack (docs/notifications.md). Each hears everything Slack hears unless its
# *_events names what it hears; its URL and secret live in SSM SecureStrings created outside
# Terraform, read at run time, never in the function's configuration.
#############################################################################

variable "teams_webhook_ssm_parameter_name" {
  description = "Name of an existing SSM SecureString holding a Microsoft Teams Workflows webhook URL, passed as TEAMS_WEBHOOK_SSM_PARAMETER: every notification as an Adaptive Card. Null: no Teams."
  type        = string
  default     = null

  validation {
    condition     = var.teams_webhook_ssm_parameter_name == null ? true : can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.teams_webhook_ssm_parameter_name))
    error_message = "teams_webhook_ssm_parameter_name must be an SSM parameter name (not an ARN)."
  }
}

variable "teams_webhook_kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the Teams webhook parameter. Null: the AWS managed key aws/ssm."
  type        = string
  default     = null

  validation {
    condition     = var.teams_webhook_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.teams_webhook_kms_key_arn))
    error_message = "teams_webhook_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "teams_events" {
  description = "TEAMS_EVENTS: what Teams hears, as event types (deployment.failed), families (deployment.*) or *. Empty: everything Slack hears."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.teams_events : can(regex("^(\\*|(deployment|release|request|warning|preflight)\\.(\\*|[a-z_]+))$", e))])
    error_message = "teams_events must list event types (deployment.failed), families (deployment.*, warning.*) or *."
  }
}

variable "google_chat_webhook_ssm_parameter_name" {
  description = "Name of an existing SSM SecureString holding a Google Chat incoming-webhook URL, passed as GOOGLE_CHAT_WEBHOOK_SSM_PARAMETER: a card per notification, one thread per deployment. Null: no Google Chat."
  type        = string
  default     = null

  validation {
    condition     = var.google_chat_webhook_ssm_parameter_name == null ? true : can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.google_chat_webhook_ssm_parameter_name))
    error_message = "google_chat_webhook_ssm_parameter_name must be an SSM parameter name (not an ARN)."
  }
}

variable "google_chat_webhook_kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the Google Chat webhook parameter. Null: the AWS managed key aws/ssm."
  type        = string
  default     = null

  validation {
    condition     = var.google_chat_webhook_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.google_chat_webhook_kms_key_arn))
    error_message = "google_chat_webhook_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "google_chat_events" {
  description = "GOOGLE_CHAT_EVENTS: what Google Chat hears (event types, families or *). Empty: everything Slack hears."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.google_chat_events : can(regex("^(\\*|(deployment|release|request|warning|preflight)\\.(\\*|[a-z_]+))$", e))])
    error_message = "google_chat_events must list event types (deployment.failed), families (deployment.*, warning.*) or *."
  }
}

variable "webhook_ssm_parameter_name" {
  description = "Name of an existing SSM SecureString holding the URL of the signed webhook, passed as WEBHOOK_SSM_PARAMETER: every notification POSTed as a signed JSON document. Needs webhook_secret_ssm_parameter_name. Null: no webhook."
  type        = string
  default     = null

  validation {
    condition     = var.webhook_ssm_parameter_name == null ? true : can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.webhook_ssm_parameter_name))
    error_message = "webhook_ssm_parameter_name must be an SSM parameter name (not an ARN)."
  }
}

variable "webhook_secret_ssm_parameter_name" {
  description = "Name of an existing SSM SecureString holding the secret the webhook's deliveries are signed with (HMAC-SHA256, at least 16 characters), passed as WEBHOOK_SECRET_SSM_PARAMETER."
  type        = string
  default     = null

  validation {
    condition     = var.webhook_secret_ssm_parameter_name == null ? true : can(regex("^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", var.webhook_secret_ssm_parameter_name))
    error_message = "webhook_secret_ssm_parameter_name must be an SSM parameter name (not an ARN)."
  }
}

variable "webhook_kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the webhook's two parameters (URL and signing secret). Null: the AWS managed key aws/ssm."
  type        = string
  default     = null

  validation {
    condition     = var.webhook_kms_key_arn == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.webhook_kms_key_arn))
    error_message = "webhook_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "webhook_events" {
  description = "WEBHOOK_EVENTS: what the signed webhook hears (event types, families or *), e.g. only failures and rollbacks for an incident tool. Empty: everything Slack hears."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.webhook_events : can(regex("^(\\*|(deployment|release|request|warning|preflight)\\.(\\*|[a-z_]+))$", e))])
    error_message = "webhook_events must list event types (deployment.failed), families (deployment.*, warning.*) or *."
  }
}

variable "sns_topic_arn" {
  description = "SNS_TOPIC_ARN: a standard SNS topic that Amazon Q Developer in chat applications (AWS Chatbot) subscribes to; every notification is published to it as a custom notification. The role may publish to this topic only. Null: no SNS."
  type        = string
  default     = null

  validation {
    condition     = var.sns_topic_arn == null ? true : can(regex("^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.sns_topic_arn))
    error_message = "sns_topic_arn must be the ARN of a standard SNS topic (arn:aws:sns:REGION:ACCOUNT:NAME; Amazon Q Developer in chat applications reads no FIFO topic), got ${jsonencode(substr(var.sns_topic_arn == null ? "" : var.sns_topic_arn, 0, 300))}"
  }
}

variable "sns_events" {
  description = "SNS_EVENTS: what the SNS topic hears (event types, families or *). Empty: everything Slack hears."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.sns_events : can(regex("^(\\*|(deployment|release|request|warning|preflight)\\.(\\*|[a-z_]+))$", e))])
    error_message = "sns_events must list event types (deployment.failed), families (deployment.*, warning.*) or *."
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
  description = "Create CloudWatch alarms on function errors and throttles, the depth of the failed-events and undelivered-events queues, an invalid configuration (ConfigInvalid), failed deployments per trigger that has a rule (DeploymentsFailed), and notifications that did not arrive per channel that is on (NotificationsFailed: slack, teams, google_chat, webhook, sns)."
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

variable "rollout_config" {
  description = "ROLLOUT_CONFIG: ECS service name => the checks of its lifecycle hooks (docs/rollout-hooks.md). smoke: URLs requested with GET at their stage (expect_status default 200, expect_body a text the body must contain, timeout_seconds default 5, at most 60). alarms: CloudWatch alarm names checked at every call (at most 100); one in ALARM or missing fails the hook. bake: at its stage the hook answers IN_PROGRESS for minutes (at most 1440), calling back every callback_delay_seconds (default 60, at most 900). Keys are service names, as in service_config. Non-empty: the module creates the role ECS assumes to invoke the function as a lifecycle hook (output ecs_hook_role_arn) and grants cloudwatch:DescribeAlarms on the alarms it names."
  type = map(object({
    smoke = optional(list(object({
      stage           = string
      url             = string
      expect_status   = optional(number)
      expect_body     = optional(string)
      timeout_seconds = optional(number)
    })), [])
    alarms = optional(list(string), [])
    bake = optional(object({
      stage                  = string
      minutes                = number
      callback_delay_seconds = optional(number)
    }))
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.rollout_config) : can(regex(local.name_pattern, k))])
    error_message = join("\n", [for k in keys(var.rollout_config) : "rollout_config.${k}: service names use ${local.name_characters}" if !can(regex(local.name_pattern, k))])
  }

  validation {
    condition = alltrue(flatten([for k, r in var.rollout_config : [
      for stage in concat([for s in r.smoke : s.stage], r.bake == null ? [] : [r.bake.stage]) : contains(local.hook_stages, stage)
    ]]))
    error_message = "rollout_config: a stage must be one of RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT"
  }

  validation {
    condition     = alltrue(flatten([for k, r in var.rollout_config : [for s in r.smoke : can(regex("^https?://[^/?#@[:space:]]+([/?#][^[:space:]]*)?$", s.url))]]))
    error_message = join("\n", flatten([for k, r in var.rollout_config : [for i, s in r.smoke : "rollout_config.${k}.smoke[${i}].url must be an http(s) URL without credentials" if !can(regex("^https?://[^/?#@[:space:]]+([/?#][^[:space:]]*)?$", s.url))]]))
  }

  validation {
    condition = alltrue(flatten([for k, r in var.rollout_config : [for s in r.smoke : [
      s.expect_status == null || try(s.expect_status >= 100 && s.expect_status <= 599 && floor(s.expect_status) == s.expect_status, false),
      s.timeout_seconds == null || try(s.timeout_seconds >= 1 && s.timeout_seconds <= 60 && floor(s.timeout_seconds) == s.timeout_seconds, false),
      s.expect_body == null || try(length(s.expect_body) > 0, false),
    ]]]))
    error_message = "rollout_config: smoke expect_status must be an HTTP status (100-599), timeout_seconds whole seconds from 1 to 60, expect_body a non-empty text"
  }

  validation {
    condition = alltrue([for k, r in var.rollout_config : r.bake == null || (
      try(r.bake.minutes > 0 && r.bake.minutes <= 1440, false) &&
      (try(r.bake.callback_delay_seconds, null) == null || try(r.bake.callback_delay_seconds >= 1 && r.bake.callback_delay_seconds <= 900 && floor(r.bake.callback_delay_seconds) == r.bake.callback_delay_seconds, false))
    )])
    error_message = "rollout_config: bake minutes must be more than 0 and at most 1440, callback_delay_seconds whole seconds from 1 to 900"
  }

  validation {
    condition     = alltrue([for k, r in var.rollout_config : length(r.alarms) <= 100 && alltrue([for a in r.alarms : length(a) >= 1 && length(a) <= 255])])
    error_message = "rollout_config: at most 100 alarms a service, each name 1 to 255 characters"
  }
}

variable "release_config" {
  description = "RELEASE_CONFIG: service name => release order. run_before runs a one-off task (the family's latest ACTIVE revision, in the service's cluster with its placement) before the service deploys: container (whose exit code decides, and whose command `command` replaces; without it every essential container must exit 0), timeout_minutes (default 30). after lists services of this map whose deployment of the same change must complete first. Needs the deployments table and ECS events; an empty map leaves the variable unset. The families must exist when the module is planned: the function may pass only their task and execution roles."
  type = map(object({
    run_before = optional(object({
      family          = string
      container       = optional(string)
      command         = optional(list(string))
      timeout_minutes = optional(number)
    }))
    after = optional(list(string))
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.release_config) : can(regex(local.name_pattern, k))])
    error_message = join("\n", [for k in keys(var.release_config) : "release_config.${k}: service names use ${local.name_characters}" if !can(regex(local.name_pattern, k))])
  }

  validation {
    condition     = alltrue(flatten([for k, r in var.release_config : [for a in coalesce(r.after, []) : contains(keys(var.release_config), a)]]))
    error_message = join("\n", flatten([for k, r in var.release_config : [for a in coalesce(r.after, []) : "RELEASE_CONFIG.${k}.after: \"${a}\" is not a service of RELEASE_CONFIG (add it as a key, {} when it has no rule of its own)" if !contains(keys(var.release_config), a)]]))
  }

  validation {
    condition     = alltrue([for k, r in var.release_config : r.run_before == null || (can(regex("^[A-Za-z0-9_-]{1,255}$", try(r.run_before.family, ""))) && (try(r.run_before.timeout_minutes, null) == null || try(r.run_before.timeout_minutes >= 1 && r.run_before.timeout_minutes <= 1440 && floor(r.run_before.timeout_minutes) == r.run_before.timeout_minutes, false)) && (try(r.run_before.command, null) == null || try(r.run_before.container, null) != null))])
    error_message = "release_config: run_before.family must be a task definition family (letters, digits, \"-\" and \"_\", at most 255), run_before.timeout_minutes a whole number from 1 to 1440, and run_before.command needs run_before.container"
  }

  validation {
    condition     = length(var.release_config) == 0 || (var.enable_deployments_table && var.enable_ecs_events)
    error_message = "release_config needs enable_deployments_table (where a release's steps wait) and enable_ecs_events (the events that move them on)"
  }
}
