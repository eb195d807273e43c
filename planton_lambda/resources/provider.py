"""The component as a Pulumi package: TypeScript, Go, C#, Java and YAML programs use AwsLambda.

`pulumi package add <this repository>` runs the plugin (`PulumiPlugin.yaml`, `__main__.py` at
the repository root), which calls `main()`: Pulumi's component provider host, with the schema
its analyzer reads from `AwsLambdaArgs` and the outputs declared on `AwsLambda`.

This module needs the component provider of the pulumi SDK
(`pulumi.provider.experimental`); the rest of the package does not, so it is imported only
when a provider is made.

What arrives from another language, and what happens to it:
- integers arrive as floats (`512.0`): whole ones are taken, fractional ones refused with the
  field path (`spec_input`);
- secrets and values taken from other resources arrive as `pulumi.Output`s where they were
  (inside maps and lists too): kept where the field is a `pulumi.Input` (the spec checks them
  once they resolve), refused where the field must be known before deployment;
- a whole object, list or map that is an Output (a secret object, or an object computed from
  another resource's outputs) cannot be checked before registering; Pulumi's stock input
  mapping would turn such an object into `{}` (silently dropping it) or crash on an Output
  integer, so `AwsLambdaProvider` refuses these first, naming the property.
"""

import ast
import inspect
import itertools
import json
import re
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pulumi

from planton_lambda.errors import SpecError
from planton_lambda.resources.component import AwsLambda
from planton_lambda.spec import args

if TYPE_CHECKING:
    from pulumi.provider.experimental.component import ComponentProvider

PACKAGE = "planton-lambda"
TYPE_TOKEN = f"{PACKAGE}:index:AwsLambda"


def package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "0.0.0"


def make_provider(version: str | None = None) -> "ComponentProvider":
    """The provider that hosts AwsLambda (what the plugin serves)."""
    from pulumi.errors import InputPropertiesError
    from pulumi.provider.experimental.component import ComponentProvider
    from pulumi.provider.provider import ConstructResult
    from pulumi.provider.server import ComponentInitError

    class AwsLambdaProvider(ComponentProvider):
        """Pulumi's component provider, refusing the wire values its input mapping would
        drop or crash on, and reporting spec errors per property."""

        def __init__(self) -> None:
            super().__init__([AwsLambda], PACKAGE, None, version or package_version())
            self.schema = json.dumps(_with_member_docs(_tidy(json.loads(self.schema or "{}"))))

        def construct(
            self,
            name: str,
            resource_type: str,
            inputs: pulumi.Inputs,
            options: pulumi.ResourceOptions | None = None,
        ) -> ConstructResult:
            component = self._component_defs.get(resource_type.rsplit(":", 1)[-1])
            if component is not None:
                problems = _whole_outputs(inputs, component.inputs, "", self._type_defs)
                if problems:
                    raise InputPropertiesError(
                        f"{len(problems)} input(s) of {resource_type} cannot be used",
                        [{"property_path": p, "reason": r} for p, r in problems],
                    )
            try:
                return super().construct(name, resource_type, inputs, options)
            except ComponentInitError as error:
                if isinstance(error.inner, SpecError):
                    raise InputPropertiesError(
                        str(error.inner), _property_errors(error.inner)
                    ) from None
                raise

    return AwsLambdaProvider()


def schema(version: str | None = None) -> dict[str, Any]:
    """The package schema (what `pulumi package get-schema` prints)."""
    return dict(json.loads(make_provider(version).schema or "{}"))


def _tidy(node: Any) -> Any:
    """Docstring indentation out of descriptions (the analyzer keeps it verbatim)."""
    if isinstance(node, dict):
        return {
            key: inspect.cleandoc(value) if key == "description" and isinstance(value, str)
            else _tidy(value)
            for key, value in node.items()
        }  # fmt: skip
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    return node


def _with_member_docs(doc: dict[str, Any]) -> dict[str, Any]:
    """Enum member descriptions the analyzer missed, read from args.py's own source.

    The analyzer finds them by parsing each enum's source; in long test sessions it was seen
    to miss one now and then, which would make the schema differ from run to run.
    """
    docs = _enum_member_docs()
    for token, type_ in doc.get("types", {}).items():
        members = docs.get(token.rsplit(":", 1)[-1], {})
        for member in type_.get("enum", []):
            if not member.get("description") and member.get("name") in members:
                member["description"] = members[member["name"]]
    return doc


def _enum_member_docs() -> dict[str, dict[str, str]]:
    tree = ast.parse(inspect.getsource(args))
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        body = node.body
        for assign, doc in itertools.pairwise(body):
            if (
                isinstance(assign, ast.Assign)
                and len(assign.targets) == 1
                and isinstance(assign.targets[0], ast.Name)
                and isinstance(doc, ast.Expr)
                and isinstance(doc.value, ast.Constant)
                and isinstance(doc.value.value, str)
            ):
                found.setdefault(node.name, {})[assign.targets[0].id] = doc.value.value
    return found


_WHOLE_OUTPUT = (
    "is a single output (a secret or a value computed from other resources) where an {what} "
    "is expected; the component checks {what_short}s before it registers anything, so give "
    "the {what_short} itself and put outputs only in the fields that take them"
)


def _whole_outputs(
    inputs: Any, properties: dict[str, Any], prefix: str, types: dict[str, Any]
) -> list[tuple[str, str]]:
    """(property path, reason) for each Output where the SDK needs a plain object, list,
    map, integer or enum."""
    found: list[tuple[str, str]] = []
    if not isinstance(inputs, dict):
        return found
    for key, prop in properties.items():
        value = inputs.get(key)
        path = f"{prefix}.{key}" if prefix else key
        found.extend(_check_value(value, prop, path, types))
    return found


def _check_value(value: Any, prop: Any, path: str, types: dict[str, Any]) -> list[tuple[str, str]]:
    from pulumi.provider.experimental.analyzer import PropertyType

    if value is None:
        return []
    type_def = _type_def(prop, types)
    if isinstance(value, pulumi.Output):
        if type_def is not None and type_def.enum:
            return [(path, _WHOLE_OUTPUT.format(what="enum value", what_short="value"))]
        if type_def is not None:
            return [(path, _WHOLE_OUTPUT.format(what="object", what_short="object"))]
        if prop.type == PropertyType.INTEGER:
            return [(path, _WHOLE_OUTPUT.format(what="integer", what_short="number"))]
        if prop.type == PropertyType.ARRAY and prop.items is not None and prop.items.ref:
            return [(path, _WHOLE_OUTPUT.format(what="list of objects", what_short="list"))]
        return []
    if type_def is not None and not type_def.enum:
        return _whole_outputs(value, type_def.properties, path, types)
    if isinstance(value, list) and prop.items is not None:
        return [
            problem
            for i, item in enumerate(value)
            for problem in _check_value(item, prop.items, f"{path}[{i}]", types)
        ]
    if isinstance(value, dict) and prop.additional_properties is not None:
        return [
            problem
            for key, item in value.items()
            for problem in _check_value(item, prop.additional_properties, f"{path}.{key}", types)
        ]
    return []


def _type_def(prop: Any, types: dict[str, Any]) -> Any:
    ref = prop.ref or ""
    if not ref.startswith("#/types/"):
        return None
    return types.get(ref.rsplit(":", 1)[-1])


def _camel(path: str) -> str:
    """`aliases[0].provisioned_concurrency` -> `aliases[0].provisionedConcurrency`: field
    names in the schema's spelling; map keys (environment names, tag keys) as they are."""
    from pulumi.provider.experimental.util import camel_case

    fields = args.field_names()
    return ".".join(
        re.sub(r"^\w+", lambda m: camel_case(m[0]) if m[0] in fields else m[0], part)
        for part in path.split(".")
    )


def _property_errors(error: SpecError) -> list[Any]:
    """One {property_path, reason} per `path: message` line, in the schema's spelling."""
    details = []
    for problem in error.problems:
        path, sep, reason = problem.partition(": ")
        if not sep:
            path, reason = "", problem
        details.append({"property_path": _camel(path), "reason": reason})
    return details


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the provider: what `component_provider_host([AwsLambda], "planton-lambda")` does,
    with `AwsLambdaProvider` in place of the stock provider (see the module docstring)."""
    from pulumi.provider import main as serve

    serve(make_provider(), list(sys.argv[1:] if argv is None else argv))


__all__ = ["PACKAGE", "TYPE_TOKEN", "main", "make_provider", "schema"]
