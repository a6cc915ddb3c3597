terraform {
  # Tested with Terraform 1.11 (the lower bound): `terraform test` and the plans of test/terraform
  # run on it in CI. Later 1.x releases keep 1.x compatibility; 2.x is not tested.
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    # Tested with the AWS provider 5.100.0 (the lower bound). 6.x is not tested (it deprecates
    # aws_region.name, which 5.x needs, for aws_region.region).
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0, < 6.0.0"
    }
  }
}
