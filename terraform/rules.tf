###############################################################################
# What the function refuses in its configuration (src/config/config.ts and
# src/config/catalog.ts), for the validations of variables.tf: each says what
# the function would say, naming the input where the function names the
# environment variable. test/terraform/refusals.test.ts gives the same
# configurations to both and compares the words.
#
# A validation cannot read a local that reads its own variable (that is a
# cycle), so the rules are written out in the validations; only what does not
# depend on the variable validated is here.
###############################################################################

locals {
  # A project, env or service name: SERVICE_NAME_RE of src/config/naming.ts.
  name_pattern    = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
  name_characters = "letters, digits, \"-\" and \"_\" only (at most 64, starting with a letter or digit)"
  placeholders    = ["{project}", "{env}", "{name}"]
  # What the patterns may render, by AWS's rules (ECS cluster, service and family names; function names).
  ecs_name_pattern      = "^[A-Za-z0-9_-]{1,255}$"
  function_name_pattern = "^(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:)?[A-Za-z0-9_-]{1,64}$"
  # The names a pattern renders are tried with a valid project, env and backend name only (each of
  # those is refused on its own).
  names_valid = can(regex(local.name_pattern, var.project_name)) && can(regex(local.name_pattern, var.project_env)) && (var.backend_service_name == "" || can(regex(local.name_pattern, var.backend_service_name)))
  # S3's naming rules for general purpose buckets, and what an env file or artifact key may be.
  bucket_reserved_prefixes = ["xn--", "sthree-", "amzn-s3-demo-"]
  bucket_reserved_suffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
  bucket_problem           = "bucket must be an S3 bucket name (3-63 lowercase letters, digits, \".\" and \"-\", starting and ending with a letter or digit; no \"..\", no IP address, no reserved prefix or suffix)"
  key_problem              = "key must be an S3 object key (1-1024 bytes, no control characters, not starting or ending with \"/\")"
}
