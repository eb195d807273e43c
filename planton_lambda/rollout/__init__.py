"""The AWS calls of progressive delivery: CodeDeploy rollouts, version retention, status.

boto3 with the standard AWS SDK configuration (planton_lambda.rollout.clients says which
credentials and region it uses); boto3 is imported only when AWS is called.
"""
