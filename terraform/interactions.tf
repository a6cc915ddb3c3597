# Approvals in Slack (docs/approvals.md): Slack posts the clicks on Approve and Reject to
# the function's Function URL. Its authorization_type is NONE because Slack cannot sign
# requests with AWS credentials: the function verifies Slack's own signature of every
# request (the signing secret) before anything else, and refuses whatever is not Slack's.

resource "aws_lambda_function_url" "this" {
  count = local.approvals ? 1 : 0

  function_name      = aws_lambda_function.this.function_name
  authorization_type = "NONE"
}

# A public URL needs two statements in the function's resource policy: anyone may call
# the URL (InvokeFunctionUrl, for a URL of auth type NONE), and the URL may invoke the
# function (InvokeFunction, only when invoked through a function URL; required of URLs
# created since October 2025).
resource "aws_lambda_permission" "function_url" {
  count = local.approvals ? 1 : 0

  statement_id           = "SlackInteractionsFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.this.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# The second statement's condition (lambda:InvokedViaFunctionUrl) is not an argument of
# aws_lambda_permission in provider 5.x, and without it the statement would let anyone
# with AWS credentials invoke the function directly, with any event. CloudFormation's
# AWS::Lambda::Permission has it: the statement is created (and removed) through this
# one-resource stack, with the credentials applying the module.
resource "aws_cloudformation_stack" "function_url_invoke" {
  count = local.approvals ? 1 : 0

  name = "${local.name}-function-url"
  template_body = jsonencode({
    AWSTemplateFormatVersion = "2010-09-09"
    Description              = "deploybridge (${var.project_name} ${var.project_env}): its Function URL may invoke it, and nothing else may through this statement"
    Resources = {
      InvokeThroughFunctionUrl = {
        Type = "AWS::Lambda::Permission"
        Properties = {
          Action                = "lambda:InvokeFunction"
          FunctionName          = local.function_arn
          Principal             = "*"
          InvokedViaFunctionUrl = true
        }
      }
    }
  })
  tags = var.tags

  # Named by its ARN (known at plan, for review), the function must exist first.
  depends_on = [aws_lambda_function.this]
}
