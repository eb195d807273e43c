"""The example programs use only properties the package schema has, with allowed values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from package_schema import fresh_schema

from planton_lambda.resources.provider import TYPE_TOKEN

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
OPAQUE = object()  # an expression (another resource's output, a config value): not checked


def schema_problems(value: Any, spec: dict[str, Any], doc: dict[str, Any], path: str) -> list[str]:
    """What in `value` the schema property (or type) `spec` does not allow."""
    if value is OPAQUE or (isinstance(value, str) and value.startswith("${")):
        return [] if "plain" not in spec else [f"{path}: a plain property given an output"]
    ref = spec.get("$ref", "")
    if ref.startswith("#/types/"):
        return schema_problems(value, doc["types"][ref.removeprefix("#/types/")], doc, path)
    if "enum" in spec:
        allowed = [v["value"] for v in spec["enum"]]
        return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
    kind = spec.get("type")
    if kind == "object" and "properties" in spec:
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        problems = [f"{path}.{k}: not in the schema" for k in value if k not in spec["properties"]]
        problems += [f"{path}.{k}: required" for k in spec.get("required", []) if k not in value]
        for key, item in value.items():
            if key in spec["properties"]:
                problems += schema_problems(item, spec["properties"][key], doc, f"{path}.{key}")
        return problems
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: not a map"]
        inner = spec["additionalProperties"]
        return [p for k, v in value.items() for p in schema_problems(v, inner, doc, f"{path}.{k}")]
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        return [
            p
            for i, v in enumerate(value)
            for p in schema_problems(v, spec["items"], doc, f"{path}[{i}]")
        ]
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
    }
    ok = checks.get(kind or "", lambda _: True)(value)
    return [] if ok else [f"{path}: {value!r} is not a {kind}"]


def component_problems(properties: dict[str, Any]) -> list[str]:
    doc = fresh_schema()
    resource = doc["resources"][TYPE_TOKEN]
    as_type = {
        "type": "object",
        "properties": resource["inputProperties"],
        "required": resource["requiredInputs"],
    }
    return schema_problems(properties, as_type, doc, "AwsLambda")


# -- a small reader for the TypeScript object literal ------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')|(?P<num>-?\d+(?:\.\d+)?)'
    r"|(?P<punct>[{}\[\]:,])|(?P<word>[A-Za-z_$][\w$.]*(?:\([^()]*\))?(?:\.[\w$]+(?:\([^()]*\))?)*))"
)


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens = []
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                if text[pos:].strip() == "":
                    break
                raise ValueError(f"cannot read the TypeScript at: {text[pos : pos + 40]!r}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.i = 0

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def peek(self) -> str:
        return self.tokens[self.i][1]

    def value(self) -> Any:
        kind, text = self.take()
        if text == "{":
            result: dict[str, Any] = {}
            while self.peek() != "}":
                _, key = self.take()
                assert self.take()[1] == ":"
                result[json.loads(key) if key[0] in "\"'" else key] = self.value()
                if self.peek() == ",":
                    self.take()
            self.take()
            return result
        if text == "[":
            items = []
            while self.peek() != "]":
                items.append(self.value())
                if self.peek() == ",":
                    self.take()
            self.take()
            return items
        if kind == "str":
            return json.loads(text) if text[0] == '"' else text[1:-1]
        if kind == "num":
            return float(text) if "." in text else int(text)
        if text in ("true", "false"):
            return text == "true"
        return OPAQUE  # table.arn, config.requireSecret("..."), ...


def typescript_component_args(source: str) -> dict[str, Any]:
    start = source.index("new plantonLambda.AwsLambda(")
    body = source[source.index("{", start) :]
    reader = _Reader(body[: _matching_brace(body) + 1])
    result = reader.value()
    assert isinstance(result, dict)
    return result


def _matching_brace(text: str) -> int:
    depth = 0
    for i, ch in enumerate(text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0:
            return i
    raise ValueError("unbalanced braces")


# -- the tests ----------------------------------------------------------------------------------


def test_yaml_example_matches_the_schema() -> None:
    program = yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text())
    ours = [r for r in program["resources"].values() if r["type"] == TYPE_TOKEN]
    assert len(ours) == 1
    assert component_problems(ours[0]["properties"]) == []
    outputs = set(fresh_schema()["resources"][TYPE_TOKEN]["properties"])
    used = {m for v in program["outputs"].values() for m in re.findall(r"orders\.(\w+)", v)}
    assert used <= outputs


def test_typescript_example_matches_the_schema() -> None:
    source = (EXAMPLES / "typescript" / "index.ts").read_text()
    args = typescript_component_args(source)
    assert args["functionName"] == "orders-api"
    assert component_problems(args) == []
    outputs = set(fresh_schema()["resources"][TYPE_TOKEN]["properties"])
    assert set(re.findall(r"orders\.(\w+)", source)) <= outputs
    package = json.loads((EXAMPLES / "typescript" / "package.json").read_text())
    assert "@pulumi/planton-lambda" in package["dependencies"]


def test_the_checker_finds_mistakes() -> None:
    wrong = {
        "functionName": "x",
        "codeSourceType": "CODE_SOURCE_TYPE_ZIP",
        "memoryMB": 512,
        "timeoutSeconds": "10",
        "architecture": OPAQUE,
        "aliases": [{"functionVersion": "1"}],
    }
    assert sorted(component_problems(wrong)) == sorted(
        [
            "AwsLambda.memoryMB: not in the schema",
            "AwsLambda.codeSourceType: 'CODE_SOURCE_TYPE_ZIP' is not one of "
            "['CODE_SOURCE_TYPE_S3', 'CODE_SOURCE_TYPE_IMAGE', 'CODE_SOURCE_TYPE_LOCAL']",
            "AwsLambda.timeoutSeconds: '10' is not a integer",
            "AwsLambda.architecture: a plain property given an output",
            "AwsLambda.aliases[0].name: required",
        ]
    )
    ts = 'new plantonLambda.AwsLambda("a", { memoryMb: 1, s3: { bucket: x.id, key: "k" } });'
    assert typescript_component_args(ts) == {"memoryMb": 1, "s3": {"bucket": OPAQUE, "key": "k"}}
