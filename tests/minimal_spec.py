"""The smallest valid spec (an S3 package), shared by the test modules that build on it."""

from __future__ import annotations

from typing import Any

BASE_SPEC: dict[str, Any] = {
    "function_name": "orders-api",
    "code_source_type": "CODE_SOURCE_TYPE_S3",
    "s3": {"bucket": "code-bucket", "key": "orders/v1.zip"},
    "runtime": "python3.13",
    "handler": "app.handler",
}
