"""boto3 clients with the standard AWS SDK configuration.

Credentials and settings come from the SDK's own chain: environment variables
(`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`), `AWS_PROFILE` and the
shared config and credentials files, SSO, web identity, container and instance roles;
`AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_CODEDEPLOY`, `AWS_ENDPOINT_URL_LAMBDA`) points the
calls at an emulator. The region is the function's (read from its ARN) when known, else the
SDK's (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's region).
"""

from __future__ import annotations

import re
from typing import Any

_ARN_REGION = re.compile(r"arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):\d{12}:function:.+")


def region_of(function_arn: str | None) -> str | None:
    """The region in a Lambda function ARN, or None when the text is not one."""
    found = _ARN_REGION.fullmatch(function_arn or "")
    return found.group(1) if found else None


def client(service: str, region: str | None = None) -> Any:
    """A boto3 client for `service` in `region` (None: the SDK's configured region)."""
    import boto3  # type: ignore[import-untyped]  # only deploys and `rollout` call AWS

    return boto3.session.Session().client(service, region_name=region)
