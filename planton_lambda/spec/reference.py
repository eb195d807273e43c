"""The README's spec reference, generated from the models so the two cannot drift.

python -m planton_lambda.spec.reference          # print the tables
python -m planton_lambda.spec.reference --check README.md
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from planton_lambda.spec.alias import AliasSpec
from planton_lambda.spec.function import (
    AwsLambdaSpec,
    CorsSpec,
    FunctionUrlSpec,
    ImageConfig,
    LayerSpec,
    LocalCode,
    S3Code,
)
from planton_lambda.spec.iam import PolicyStatement, RoleOptions
from planton_lambda.spec.packaging import BundleSpec
from planton_lambda.spec.parity import (
    AsyncInvokeConfig,
    FileSystemConfig,
    InvokePermission,
    RuntimeManagement,
)
from planton_lambda.spec.refs import StackOutputRef, StringValueOrRef
from planton_lambda.spec.sources import (
    DocumentDbConfig,
    EventSourceSpec,
    SourceAccessConfiguration,
    TriggerSpec,
)

START = "<!-- spec-reference:start -->"
END = "<!-- spec-reference:end -->"
MODELS: list[type[BaseModel]] = [
    AwsLambdaSpec, S3Code, LocalCode, BundleSpec, ImageConfig, RoleOptions, PolicyStatement,
    LayerSpec, AliasSpec, FunctionUrlSpec, CorsSpec, EventSourceSpec, SourceAccessConfiguration,
    DocumentDbConfig, TriggerSpec, StringValueOrRef, StackOutputRef,
    FileSystemConfig, RuntimeManagement, InvokePermission, AsyncInvokeConfig,
]  # fmt: skip


def spec_reference() -> str:
    return "\n\n".join(_table(model) for model in MODELS)


def _table(model: type[BaseModel]) -> str:
    lines = [
        f"#### {model.__name__}",
        "",
        "| field | type | default | rule |",
        "|---|---|---|---|",
    ]
    for name, info in model.model_fields.items():
        field = info.alias if model is PolicyStatement and info.alias else name
        lines.append(
            f"| `{field}` | {_escape(_type_name(info.annotation))} | {_default(info)} "
            f"| {_escape(_rule(info))} |"
        )
    return "\n".join(lines)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    default = info.get_default(call_default_factory=True)
    if default is None or default == [] or default == {}:
        return "—"
    if default == "":
        return '`""`'
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    return f"`{default}`"


def _rule(info: FieldInfo) -> str:
    """The field's description, then the bounds pydantic enforces on it."""
    bounds = []
    for constraint in info.metadata:
        for attribute, text in (("ge", ">= {}"), ("gt", "> {}"), ("le", "<= {}"),
                                ("lt", "< {}"), ("min_length", "min length {}"),
                                ("max_length", "max length {}")):  # fmt: skip
            value = getattr(constraint, attribute, None)
            if value is not None:
                bounds.append(text.format(value))
    parts = [info.description or "", ", ".join(bounds)]
    return "; ".join(part for part in parts if part)


def _type_name(annotation: Any) -> str:
    if annotation is Any:  # a string, or a pulumi.Output[str] in Python
        return "str"
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        optional = len(args) < len(typing.get_args(annotation))
        name = " | ".join(_type_name(a) for a in args)
        return f"{name}?" if optional else name
    if origin is typing.Literal:
        return " | ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"[{_type_name(args[0])}]"
    if origin is dict:
        return f"{{{_type_name(args[0])}: {_type_name(args[1])}}}"
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def readme_section(readme: str) -> str:
    """The generated part of a README, between the reference markers."""
    start, end = readme.index(START) + len(START), readme.index(END)
    return readme[start:end].strip()


def main(argv: list[str]) -> int:
    if argv[:1] == ["--check"]:
        with open(argv[1], encoding="utf-8") as handle:
            current = readme_section(handle.read())
        if current != spec_reference():
            print(f"{argv[1]}: spec reference is out of date; regenerate it", file=sys.stderr)
            return 1
        return 0
    print(spec_reference())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
