"""The package schema as the plugin serves it: generated in a fresh interpreter.

The real plugin is a process of its own. Generating the schema inside a long test session
is not the same thing: Pulumi's analyzer reads descriptions with `ast` and silently drops
them on any error, and CPython 3.11's `ast` can be left failing ("AST constructor recursion
depth mismatch") by earlier work in the same process, so the schema would differ by test order.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from typing import Any

_PROGRAM = (
    "import json; from planton_lambda.resources.provider import schema; "
    "print(json.dumps(schema(version='0.0.0')))"
)


@functools.cache
def _text() -> str:
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout


def fresh_schema() -> dict[str, Any]:
    """A new copy each call (callers may change it)."""
    doc: dict[str, Any] = json.loads(_text())
    return doc
