# Native S3 events reach EventBridge only when the bucket sends them. This resource owns
# the bucket's whole notification configuration, hence opt-in.
resource "aws_s3_bucket_notification" "eventbridge" {
  for_each = var.enable_s3_monitoring && var.manage_s3_bucket_notifications ? toset(local.s3_native_buckets) : toset([])

  bucket      = each.key
  eventbridge = true
}
