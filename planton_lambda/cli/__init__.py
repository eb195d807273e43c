"""`planton-lambda validate | plan | schema`: check and preview specs without AWS credentials;
`rollout status|stop` reads or stops a CodeDeploy rollout (with them).

Only the standard library is imported at module level, so Ctrl-C at any moment after start
(even while pydantic or pulumi load) ends with `interrupted`, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from planton_lambda.cli.plan import Plan
    from planton_lambda.load.event_source_mapping import EventSourceMappingManifest
    from planton_lambda.spec.function import AwsLambdaSpec

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_CHANGES = 2  # with --detailed-exitcode, as `terraform plan -detailed-exitcode`
EXIT_INTERRUPTED = 130
DEBUG_ENV = "PLANTON_LAMBDA_DEBUG"
STDIN = "-"
# Pulumi stack names: letters, digits, hyphens, underscores and periods.
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")


class UsageError(Exception):
    """A command line that cannot run; printed as one line, exit 1."""


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except KeyboardInterrupt:
        raise
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
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate", help="check manifests; exit 1 listing every error", description=(
            "Validate manifests (Project Planton AwsLambda or bare specs). Prints every "
            "error as `file: field.path: message` and exits 1 when any is invalid. "
            "MANIFEST is a file path; `-` reads standard input."
        ),
    )  # fmt: skip
    validate.add_argument("manifests", nargs="+", metavar="MANIFEST")
    validate.set_defaults(command=_validate)
    _plan_parser(commands)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of the manifest (for editors)"
    )
    schema.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    schema.set_defaults(command=_schema)
    from planton_lambda.cli import rollout  # standard library only at import

    rollout.add_parser(commands)
    return parser


def _plan_parser(commands: Any) -> None:
    plan = commands.add_parser(
        "plan", help="show the resources a manifest or stack would create (offline)", description=(
            "Run a manifest's component, or a Pulumi project's Python program with a stack's "
            "config, under Pulumi's mock engine as a preview (no credentials, no network), "
            "and print each resource it would create with its key inputs. "
            "MANIFEST is a file path; `-` reads standard input."
        ),
    )  # fmt: skip
    source = plan.add_mutually_exclusive_group(required=True)
    source.add_argument("manifest", nargs="?", metavar="MANIFEST")
    source.add_argument(
        "--stack", "-s", metavar="NAME", help="plan the project's program with Pulumi.NAME.yaml"
    )
    plan.add_argument(
        "--project-dir", default=".", metavar="DIR",
        help="folder of Pulumi.yaml for --stack (default: here or a parent)",
    )  # fmt: skip
    plan.add_argument(
        "--against", metavar="BASELINE",
        help="a manifest to compare with: show what changes from BASELINE to MANIFEST",
    )  # fmt: skip
    plan.add_argument(
        "--against-stack", metavar="OLD",
        help="a stack of the same project to compare with: what changes from OLD to --stack",
    )  # fmt: skip
    plan.add_argument("--json", action="store_true", help="print JSON instead of a tree")
    plan.add_argument(
        "--detailed-exitcode", action="store_true",
        help="exit 0 when nothing changes, 2 when something does, 1 on error",
    )  # fmt: skip
    plan.set_defaults(command=_plan)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("planton-lambda")
    except PackageNotFoundError:
        return "(not installed)"


# -- validate --------------------------------------------------------------------------------


def _validate(args: argparse.Namespace) -> int:
    from planton_lambda.errors import PlantonLambdaError
    from planton_lambda.spec.function import AwsLambdaSpec, check_local_paths

    invalid = 0
    for argument in args.manifests:
        with _warnings_to_stderr(_source_name(argument)):
            try:
                _, spec = read_any_manifest(argument)
                # A LOCAL folder must exist now, as `plan` and `pulumi up` will need it.
                if isinstance(spec, AwsLambdaSpec):
                    check_local_paths(spec, _source_name(argument))
            except PlantonLambdaError as error:
                invalid += 1
                for line in _error_lines(error):
                    _err(line)
                continue
        print(f"{_source_name(argument)}: valid ({_described(spec)})")
    return EXIT_INVALID if invalid else EXIT_OK


def read_manifest(argument: str) -> tuple[str, AwsLambdaSpec]:
    """The component's resource name and the spec of a MANIFEST argument: always a path,
    or `-` for standard input (never YAML text, whatever the file is called); one bounded
    read either way."""
    from planton_lambda.load.manifest import load_manifest_document, resource_name

    document, spec = load_manifest_document(STDIN if argument == STDIN else Path(argument))
    return resource_name(document, spec), spec


def read_any_manifest(
    argument: str,
) -> tuple[str, AwsLambdaSpec | EventSourceMappingManifest]:
    """As read_manifest, for an AwsLambda manifest (or bare spec) or Planton's separate
    AwsLambdaEventSourceMapping kind; one bounded read either way."""
    from planton_lambda.load import event_source_mapping as esm
    from planton_lambda.load.manifest import (
        _read,
        parse_document,
        resource_name,
        spec_mapping,
        validate_spec,
    )

    text, source, base_dir = _read(STDIN if argument == STDIN else Path(argument))
    document = parse_document(text, source)
    if esm.is_event_source_mapping(document):
        mapping = esm.event_source_mapping_from_document(document, source)
        return mapping.name, mapping
    spec = validate_spec(spec_mapping(document, source), source=source, base_dir=base_dir)
    return resource_name(document, spec), spec


def _described(spec: AwsLambdaSpec | EventSourceMappingManifest) -> str:
    from planton_lambda.load.event_source_mapping import EventSourceMappingManifest

    if isinstance(spec, EventSourceMappingManifest):
        target = spec.function_arn.literal or "a referenced function"
        return f"AwsLambdaEventSourceMapping: {spec.source.type} -> {target}"
    return str(spec.function_name)


def _source_name(argument: str) -> str:
    return "<stdin>" if argument == STDIN else argument


# -- plan --------------------------------------------------------------------------------------


def _plan(args: argparse.Namespace) -> int:
    from planton_lambda.cli import plan

    _check_plan_arguments(args)
    colour = use_colour(sys.stdout)
    if args.stack is not None:
        after = _plan_stack(args.stack, args.project_dir)
        before = _plan_stack(args.against_stack, args.project_dir) if args.against_stack else None
    else:
        after = _plan_manifest(args.manifest)
        before = _plan_manifest(args.against) if args.against else None
    if before is not None:
        changes = plan.compare(before, after)
        print(plan.changes_json(changes) if args.json else plan.render_changes(changes, colour))
        changed = bool(changes)
    else:
        print(plan.to_json(after) if args.json else plan.render_tree(after, colour))
        changed = bool(after.resources)
    return EXIT_CHANGES if args.detailed_exitcode and changed else EXIT_OK


def _check_plan_arguments(args: argparse.Namespace) -> None:
    if args.stack is not None:
        _check_stack_name(args.stack, "--stack")
        if args.against:
            raise UsageError("--against compares two manifests; with --stack use --against-stack")
    if args.against_stack is not None:
        if args.stack is None:
            raise UsageError("--against-stack compares two stacks; it needs --stack NAME")
        _check_stack_name(args.against_stack, "--against-stack")


def _check_stack_name(name: str, option: str) -> None:
    if not STACK_NAME.fullmatch(name):
        raise UsageError(
            f"{option}: {name!r} is not a stack name (the NAME of Pulumi.NAME.yaml: letters, "
            "digits, '-', '_' and '.')"
        )


def _plan_stack(stack: str, project_dir: str) -> Plan:
    from planton_lambda.cli import plan

    _progress(f"planning stack {stack} under the mock engine ...")
    with _warnings_to_stderr(f"Pulumi.{stack}.yaml"):
        return plan.plan_stack(stack, project_dir)


def _plan_manifest(argument: str) -> Plan:
    from planton_lambda.cli import plan

    with _warnings_to_stderr(_source_name(argument)):
        name, spec = read_any_manifest(argument)
    _progress(f"planning {_source_name(argument)} under the mock engine ...")
    from planton_lambda.spec.function import AwsLambdaSpec

    if isinstance(spec, AwsLambdaSpec):
        return plan.plan_spec(spec, name)
    return plan.plan_event_source_mapping(spec)


def use_colour(stream: TextIO, environ: Any = None) -> bool:
    """Colour only on a terminal, never when NO_COLOR is set (https://no-color.org) or the
    terminal is `dumb`."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# -- schema ----------------------------------------------------------------------------------


def _schema(args: argparse.Namespace) -> int:
    from planton_lambda.load.manifest import manifest_json_schema

    text = json.dumps(manifest_json_schema(), indent=2) + "\n"
    if not args.output:
        sys.stdout.write(text)
        return EXIT_OK
    target = Path(args.output)
    if not target.parent.is_dir():
        raise UsageError(f"{target}: cannot write: folder {target.parent} does not exist")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{target}: cannot write: {error.strerror or error}") from None
    _progress(f"wrote {target}")
    return EXIT_OK


# -- output ----------------------------------------------------------------------------------


@contextmanager
def _warnings_to_stderr(source: str) -> Iterator[None]:
    from planton_lambda.spec.function import DeprecatedRuntimeWarning

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
    from planton_lambda.errors import PlantonLambdaError, SpecError

    if isinstance(error, SpecError):
        where = f"{error.source}: " if error.source else ""
        return [f"{where}{problem}" for problem in error.problems]
    text = str(error).strip() or type(error).__name__
    if isinstance(error, PlantonLambdaError | UsageError) or type(error).__name__ in {
        "PackagingError",
        "ResourceLookupError",
    }:
        return text.splitlines()
    return [f"error: {text.splitlines()[0]} (set {DEBUG_ENV}=1 for a traceback)"]


def _progress(message: str) -> None:
    _err(message)


def _err(message: str, stream: TextIO | None = None) -> None:
    print(message, file=stream or sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
