"""The dev stack's example function: answers with a greeting and the version serving it."""

import json
import os


def handler(event, context):
    name = (event.get("queryStringParameters") or {}).get("name", "world")
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(
            {
                "message": f"hello, {name}",
                "stage": os.environ.get("STAGE", "unknown"),
                "version": context.function_version,
            }
        ),
    }
