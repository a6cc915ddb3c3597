# Where the function's code comes from: a local package (package_path, by default the one
# `npm run build` writes) or a published one in S3. Provider and overrides as in
# defaults.tftest.hcl.

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
  project_name   = "myproject"
  project_env    = "dev"
  service_config = {}
}

run "published_package" {
  command = plan

  variables {
    s3_bucket         = "artifacts-eu-west-1"
    s3_key            = "deploybridge/deploybridge-0.1.0.zip"
    s3_object_version = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
  }

  assert {
    condition = (
      aws_lambda_function.this.s3_bucket == "artifacts-eu-west-1" &&
      aws_lambda_function.this.s3_key == "deploybridge/deploybridge-0.1.0.zip" &&
      aws_lambda_function.this.s3_object_version == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" &&
      aws_lambda_function.this.filename == null
    )
    error_message = "A published package is deployed from S3, and no local file is needed."
  }
}

run "missing_package" {
  command = plan

  variables {
    package_path = "tests/fixtures/not-built.zip"
  }

  # The precondition says to build first (its message is checked in test/terraform).
  expect_failures = [aws_lambda_function.this]
}

run "package_path_and_s3" {
  command = plan

  variables {
    package_path = "tests/fixtures/package.zip"
    s3_bucket    = "artifacts-eu-west-1"
    s3_key       = "deploybridge/deploybridge-0.1.0.zip"
  }

  expect_failures = [var.package_path]
}

run "s3_bucket_without_key" {
  command = plan

  variables {
    s3_bucket = "artifacts-eu-west-1"
  }

  expect_failures = [var.s3_key]
}
