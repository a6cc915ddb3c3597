terraform {
  required_version = ">= 1.5.0"

  required_providers {
    # >= 5.32 for the Lambda `logging_config` block; tested with 5.100, and
    # provider 6.x works unchanged.
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100"
    }
  }
}
