# Idempotency records of Powertools Idempotency: one item per (event id, target),
# expired by DynamoDB after IDEMPOTENCY_TTL_SECONDS. Encrypted at rest by default.
resource "aws_dynamodb_table" "idempotency" {
  count = var.enable_idempotency ? 1 : 0

  name         = local.idempotency_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expiration"
    enabled        = true
  }

  tags = var.tags
}

# The deployments deploybridge started, followed through ECS's events (DEPLOYMENTS_TABLE): one
# item per deployment, rollback and service, expired by DynamoDB 14 days after its last write.
resource "aws_dynamodb_table" "deployments" {
  count = local.create_deployments_table ? 1 : 0

  name         = "${local.name}-deployments"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expiration"
    enabled        = true
  }

  tags = var.tags
}
