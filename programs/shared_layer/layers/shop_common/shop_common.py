"""Helpers shared by the shop's functions (shipped as the shop-common layer)."""

import json


def respond(status, body):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }
