"""`planton-lambda validate | plan | schema`: check and preview specs without AWS credentials."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from planton_lambda.errors import PlantonLambdaError, SpecError
from planton_lambda.manifest import load_manifest, manifest_json_schema
from planton_lambda.spec import AwsLambdaSpec, DeprecatedRuntimeWarning

if TYPE_CHECKING:
    from planton_lambda.plan import PlannedResource

EXIT_OK = 0
EXIT_INVALID = 1
DEBUG_ENV = "PLANTON_LAMBDA_DEBUG"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as error:  # a user never gets a traceback; PLANTON_LAMBDA_DEBUG shows one
        if os.environ.get(DEBUG_ENV):
            raise
        for line in _error_lines(error):
            _err(line)
        return EXIT_INVALID


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planton-lambda",
        description="Validate, preview and describe AwsLambda specs offline.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate", help="check manifests; exit 1 listing every error", description=(
            "Validate manifests (Project Planton AwsLambda or bare specs). Prints every "
            "error as `file: field.path: message` and exits 1 when any is invalid."
        ),
    )  # fmt: skip
    validate.add_argument("manifests", nargs="+", metavar="MANIFEST")
    validate.set_defaults(command=_validate)

    plan = commands.add_parser(
        "plan", help="show the resources a spec or stack would create (offline)", description=(
            "Run the component under Pulumi's mock engine (no credentials, no network) "
            "and print each resource it would create with its key inputs."
        ),
    )  # fmt: skip
    source = plan.add_mutually_exclusive_group(required=True)
    source.add_argument("manifest", nargs="?", metavar="MANIFEST")
    source.add_argument(
        "--stack", "-s", metavar="NAME", help="plan the stack program with Pulumi.NAME.yaml"
    )
    plan.add_argument(
        "--project-dir", default=".", metavar="DIR",
        help="folder of Pulumi.yaml for --stack (default: here or a parent)",
    )  # fmt: skip
    plan.add_argument(
        "--against", metavar="BASELINE",
        help="a manifest to compare with: show what changes from BASELINE to MANIFEST",
    )  # fmt: skip
    plan.add_argument("--json", action="store_true", help="print JSON instead of a tree")
    plan.set_defaults(command=_plan)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of the manifest (for editors)"
    )
    schema.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    schema.set_defaults(command=_schema)
    return parser


def _validate(args: argparse.Namespace) -> int:
    invalid = 0
    for path in args.manifests:
        with _warnings_to_stderr(path):
            try:
                spec = load_manifest(path)
            except PlantonLambdaError as error:
                invalid += 1
                for line in _error_lines(error):
                    _err(line)
                continue
        print(f"{path}: valid ({spec.function_name})")
    return EXIT_INVALID if invalid else EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from planton_lambda import plan

    if args.stack:
        if args.against:
            raise PlantonLambdaError("--against compares two manifests; it does not take --stack")
        _progress(f"planning stack {args.stack} under the mock engine ...")
        with _warnings_to_stderr(f"Pulumi.{args.stack}.yaml"):
            resources = plan.plan_stack(args.stack, args.project_dir)
    else:
        resources = _plan_manifest(args.manifest)
        if args.against:
            baseline = _plan_manifest(args.against)
            changes = plan.compare(baseline, resources)
            print(plan.changes_json(changes) if args.json else plan.render_changes(changes))
            return EXIT_OK
    print(plan.to_json(resources) if args.json else plan.render_tree(resources))
    return EXIT_OK


def _plan_manifest(path: str) -> list[PlannedResource]:
    from planton_lambda import plan

    with _warnings_to_stderr(path):
        spec: AwsLambdaSpec = load_manifest(path)
    _progress(f"planning {path} under the mock engine ...")
    return plan.plan_spec(spec)


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(manifest_json_schema(), indent=2) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        _progress(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


@contextmanager
def _warnings_to_stderr(source: str) -> Iterator[None]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecatedRuntimeWarning)
        yield
    seen: set[str] = set()
    for warning in caught:
        message = str(warning.message)
        if issubclass(warning.category, DeprecatedRuntimeWarning) and message not in seen:
            seen.add(message)
            _err(f"{source}: warning: {message}")


def _error_lines(error: BaseException) -> list[str]:
    if isinstance(error, SpecError):
        where = f"{error.source}: " if error.source else ""
        return [f"{where}{problem}" for problem in error.problems]
    text = str(error).strip() or type(error).__name__
    if isinstance(error, PlantonLambdaError) or type(error).__name__ == "PackagingError":
        return text.splitlines()
    return [f"error: {text.splitlines()[0]} (set {DEBUG_ENV}=1 for a traceback)"]


def _progress(message: str) -> None:
    _err(message)


def _err(message: str, stream: TextIO | None = None) -> None:
    print(message, file=stream or sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
