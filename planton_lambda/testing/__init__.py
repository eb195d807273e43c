"""Run Pulumi programs under the mock engine: for unit tests and the offline plan.

    from planton_lambda.testing import run_mocked

    run = run_mocked(lambda: AwsLambda("api", spec))
    fn = run.one("aws:lambda/function:Function")
    assert fn.inputs["memorySize"] == 256

The real component code runs; only the engine and the AWS provider are replaced. Inputs
use the engine's camelCase names and are plain values: secrets are unwrapped (ask
`resource.is_secret(path)`), archives and assets are `pulumi.FileArchive`/`pulumi.FileAsset`
…, values unknown until deploy are `UNKNOWN`. Mocked resources answer with plausible ARNs in
the configured `aws:region` so outputs and `apply`s resolve (the run is not a preview
unless `preview=True`). Each run is isolated: its own event loop (closed afterwards), its
own root stack, its own config; the caller's config and context are untouched.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import runpy
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings

from planton_lambda.errors import ManifestError
from planton_lambda.load.stack import program_dir, read_project, stack_file_config
from planton_lambda.testing import engine as _engine

T = TypeVar("T")

ACCOUNT = "123456789012"
REGION = "us-east-1"
NEW_VERSION = "(new version)"

# Pulumi's wire-format markers (sdk/proto: the `4dabf18…` signature key and its values).
SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"
ARCHIVE_SIGNATURE = "0def7320c3a5731c473e5ecbe6d01bc7"
ASSET_SIGNATURE = "c44067f5952c0a294b673a41bacd8c17"
RESOURCE_SIGNATURE = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIGNATURE = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class _Unknown:
    """A value the engine only knows after deploy (a preview's unreturned outputs)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


class ResourceLookupError(KeyError, AssertionError):
    """A lookup by name or type matched nothing, or more than one resource.

    A KeyError (a lookup failed) and an AssertionError (pytest shows it as a failed check).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass
class RecordedResource:
    """One registration the program made, as the engine would have received it."""

    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    parent: str
    provider: str
    dependencies: list[str]
    custom: bool
    deleted_with: str = ""
    secrets: frozenset[str] = frozenset()
    delete_before_replace: bool = False
    replace_on_changes: tuple[str, ...] = ()
    retain_on_delete: bool = False
    ignore_changes: tuple[str, ...] = ()

    def is_secret(self, path: str) -> bool:
        """Whether the input at `path` (`environment.variables.TOKEN`, `layers[0]`) was a
        Pulumi secret, or sat inside one."""
        return any(
            path == secret or path.startswith((f"{secret}.", f"{secret}[")) or not secret
            for secret in self.secrets
        )


class LambdaMocks(pulumi.runtime.Mocks):
    """Answers registrations with the outputs AWS would compute.

    `published_version` is what a function with `publish: true` reports as its version;
    `stack_outputs` maps a stack name to the outputs a StackReference to it returns.
    `region` defaults to the run's `aws:region` config, then us-east-1.
    """

    def __init__(
        self,
        *,
        published_version: str = "1",
        stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
        account: str = ACCOUNT,
        region: str | None = None,
    ) -> None:
        self.published_version = published_version
        self.stack_outputs = dict(stack_outputs or {})
        self.account = account
        self.region = region
        # The run's `aws:region`, handed over by run_mocked: older Pulumi SDKs answer mock
        # calls on a thread that does not see the run's config.
        self.configured_region: str | None = None

    def current_region(self) -> str:
        return self.region or self.configured_region or REGION

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        state.update(self._computed(args.typ, args.name, args.inputs))
        return f"{args.name}-id", state

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        region = self.current_region()
        answers: dict[str, dict[str, Any]] = {
            "aws:index/getCallerIdentity:getCallerIdentity": {
                "accountId": self.account,
                "arn": f"arn:aws:iam::{self.account}:root",
            },
            "aws:index/getRegion:getRegion": {"name": region, "region": region},
            "aws:index/getPartition:getPartition": {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
            },
        }
        return answers.get(args.token, {}), []

    def _computed(self, typ: str, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        region = self.current_region()
        prefix = f"arn:aws:{{}}:{region}:{self.account}"
        if typ == "aws:lambda/function:Function":
            fn_name = inputs.get("name", name)
            arn = f"{prefix.format('lambda')}:function:{fn_name}"
            version = self.published_version if inputs.get("publish") else "$LATEST"
            return {
                "arn": arn,
                "name": fn_name,
                "version": version,
                "qualifiedArn": f"{arn}:{version}",
                "invokeArn": _invoke_arn(region, arn),
                "qualifiedInvokeArn": _invoke_arn(region, f"{arn}:{version}"),
            }
        if typ == "aws:lambda/alias:Alias":
            arn = f"{prefix.format('lambda')}:function:{inputs.get('functionName')}"
            arn = f"{arn}:{inputs.get('name', name)}"
            return {"arn": arn, "invokeArn": _invoke_arn(region, arn)}
        if typ == "aws:lambda/layerVersion:LayerVersion":
            layer_arn = f"{prefix.format('lambda')}:layer:{inputs.get('layerName', name)}"
            return {"arn": f"{layer_arn}:1", "layerArn": layer_arn, "version": "1"}
        if typ == "aws:iam/role:Role":
            role_name = inputs.get("name") or name  # a generated name: the resource's
            return {"arn": f"arn:aws:iam::{self.account}:role/{role_name}", "name": role_name}
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            return {"arn": f"{prefix.format('logs')}:log-group:{inputs.get('name', name)}"}
        if typ == "aws:cloudwatch/eventRule:EventRule":
            return {"arn": f"{prefix.format('events')}:rule/{inputs.get('name', name)}"}
        if typ == "aws:scheduler/schedule:Schedule":
            group = inputs.get("groupName", "default")
            return {
                "arn": f"{prefix.format('scheduler')}:schedule/{group}/{inputs.get('name', name)}"
            }
        if typ == "aws:lambda/eventSourceMapping:EventSourceMapping":
            return {
                "uuid": f"{name}-uuid",
                "arn": f"{prefix.format('lambda')}:event-source-mapping:{name}-uuid",
            }
        if typ == "aws:lambda/functionUrl:FunctionUrl":
            return {"functionUrl": f"https://{name}.lambda-url.{region}.on.aws/"}
        if typ == "pulumi:pulumi:StackReference":
            stack = inputs.get("name", name)
            return {"outputs": dict(self.stack_outputs.get(stack, {}))}
        return {}


def _invoke_arn(region: str, function_arn: str) -> str:
    return (
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, also keeping each registration with its options."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self.registered_outputs: list[str] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            self._record(request, response.urn, request.object, request.custom, request)
        return response

    def ReadResource(self, request: Any) -> Any:
        # Stack references are read, not registered.
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self._record(request, response.urn, request.properties, True, None)
        return response

    def _record(
        self, request: Any, urn: str, properties: Any, custom: bool, registration: Any
    ) -> None:
        secrets: set[str] = set()
        inputs = plain_value(json_format.MessageToDict(properties), "", secrets)
        self.recorded.append(
            RecordedResource(
                type=request.type,
                name=request.name,
                urn=urn,
                inputs=inputs,
                parent=request.parent,
                provider=request.provider,
                dependencies=list(request.dependencies),
                custom=custom,
                deleted_with=getattr(registration, "deletedWith", ""),
                secrets=frozenset(secrets),
                delete_before_replace=bool(getattr(registration, "deleteBeforeReplace", False)),
                replace_on_changes=tuple(getattr(registration, "replaceOnChanges", ())),
                retain_on_delete=bool(getattr(registration, "retainOnDelete", False)),
                ignore_changes=tuple(getattr(registration, "ignoreChanges", ())),
            )
        )

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.registered_outputs.append(request.urn)
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


def plain_value(value: Any, path: str, secrets: set[str]) -> Any:
    """A wire value as the program wrote it, noting where secrets were in `secrets`.

    Pulumi's own decoding lifts a nested secret to the top-level property, which would
    hide every environment variable when only one is secret; this keeps the exact path.
    """
    if isinstance(value, dict):
        signature = value.get(SIGNATURE_KEY)
        if signature == SECRET_SIGNATURE:
            secrets.add(path)
            return plain_value(value.get("value"), path, secrets)
        if signature == OUTPUT_SIGNATURE:
            if value.get("secret"):
                secrets.add(path)
            return plain_value(value["value"], path, secrets) if "value" in value else UNKNOWN
        if signature == ARCHIVE_SIGNATURE:
            return _archive(value)
        if signature == ASSET_SIGNATURE:
            return _asset(value)
        if signature == RESOURCE_SIGNATURE:
            return value.get("id") or value.get("urn")
        return {k: plain_value(v, _join(path, k), secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_value(v, f"{path}[{i}]", secrets) for i, v in enumerate(value)]
    if value == UNKNOWN_SENTINEL:
        return UNKNOWN
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _archive(value: Mapping[str, Any]) -> pulumi.Archive:
    if "path" in value:
        return pulumi.FileArchive(value["path"])
    if "uri" in value:
        return pulumi.RemoteArchive(value["uri"])
    assets = value.get("assets") or {}
    return pulumi.AssetArchive(
        {k: _asset(v) if v.get(SIGNATURE_KEY) == ASSET_SIGNATURE else _archive(v)
         for k, v in assets.items()}
    )  # fmt: skip


def _asset(value: Mapping[str, Any]) -> pulumi.Asset:
    if "path" in value:
        return pulumi.FileAsset(value["path"])
    if "uri" in value:
        return pulumi.RemoteAsset(value["uri"])
    return pulumi.StringAsset(str(value.get("text", "")))


@dataclass
class MockRun(Generic[T]):
    """What a mocked program registered, returned and exported."""

    result: T
    resources: list[RecordedResource]
    exports: dict[str, Any]
    resolve: Callable[[Any], Any] = field(repr=False)
    registered_outputs: list[str] = field(default_factory=list)
    secret_exports: frozenset[str] = frozenset()

    def of_type(self, typ: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == typ]

    def one(self, typ: str) -> RecordedResource:
        found = self.of_type(typ)
        if len(found) != 1:
            names = ", ".join(r.name for r in found) or "none"
            raise ResourceLookupError(
                f"expected one {typ}, found {len(found)} ({names}); "
                f"registered types: {', '.join(sorted({r.type for r in self.resources}))}"
            )
        return found[0]

    def named(self, name: str, typ: str | None = None) -> RecordedResource:
        """The resource called `name` (of type `typ` when given).

        When a component and one of its children share the name, the child (a custom
        resource) is the one returned; pass `typ` to pick the component.
        """
        found = [r for r in self.resources if r.name == name and typ in (None, r.type)]
        if len(found) > 1 and typ is None:
            found = [r for r in found if r.custom] or found
        if len(found) == 1:
            return found[0]
        wanted = f"{name!r}" + (f" of type {typ}" if typ else "")
        if not found:
            existing = ", ".join(f"{r.name} ({r.type})" for r in self.resources) or "nothing"
            raise ResourceLookupError(f"no resource named {wanted}; registered: {existing}")
        types = ", ".join(r.type for r in found)
        raise ResourceLookupError(f"{len(found)} resources named {wanted} ({types}); pass typ=")


class _ConstructionOrder:
    """Resource keys in the order the program constructed them.

    Registrations reach the monitor in an order that depends on how the event loop
    interleaves them; construction order is what the program's author wrote. Keys match
    the mock URN: (parent's type$type, name).
    """

    def __init__(self) -> None:
        self.index: dict[tuple[str, str], int] = {}

    def transformation(self, args: pulumi.ResourceTransformationArgs) -> None:
        parent = args.opts.parent if args.opts is not None else None
        parent = parent or pulumi.runtime.get_root_resource()
        parent_type = getattr(parent, "_type", "") if parent is not None else ""
        qualified = f"{parent_type}${args.type_}" if parent_type else args.type_
        self.index.setdefault((qualified, args.name), len(self.index))

    def sort(self, resources: list[RecordedResource]) -> list[RecordedResource]:
        last = len(self.index)
        return sorted(resources, key=lambda r: self.index.get(_urn_key(r.urn), last))


def _urn_key(urn: str) -> tuple[str, str]:
    parts = urn.split("::", 3)
    return (parts[2], parts[3]) if len(parts) == 4 else ("", urn)


def run_mocked(
    program: Callable[[], T],
    *,
    mocks: pulumi.runtime.Mocks | None = None,
    project: str = "planton-lambda",
    stack: str = "dev",
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    preview: bool = False,
    source_positions: bool = False,
    root_directory: str | os.PathLike[str] | None = None,
) -> MockRun[T]:
    """Run `program` under the mock engine on a fresh event loop and wait for it to finish.

    `config` holds stack config as the engine passes it (`"project:key": "value"`).
    `preview=True` runs as `pulumi preview` does: outputs the mocks do not return stay
    unknown (`UNKNOWN` in recorded inputs) and `apply`s on them never run. Outputs of the
    result can be read with `run.resolve(output)` (after the run, on a fresh loop). The
    source position of each registration is only captured with `source_positions=True`:
    the mock engine has no use for it, and walking the call stack is a large share of a
    mocked registration. Resources are listed in the order the program constructed them.
    """
    context = contextvars.copy_context()  # the run's settings, root stack and config live here
    options = _RunOptions(
        mocks, project, stack, dict(config or {}), secret_keys, preview, source_positions,
        str(root_directory) if root_directory is not None else None,
    )  # fmt: skip
    return context.run(_run_isolated, program, options, context)


@dataclass(frozen=True)
class _RunOptions:
    mocks: pulumi.runtime.Mocks | None
    project: str
    stack: str
    config: dict[str, str]
    secret_keys: list[str] | None
    preview: bool
    source_positions: bool
    root_directory: str | None


def _run_isolated(
    program: Callable[[], T], options: _RunOptions, context: contextvars.Context
) -> MockRun[T]:
    mocks = options.mocks or LambdaMocks()
    if isinstance(mocks, LambdaMocks):
        mocks.configured_region = options.config.get("aws:region")
    monitor = RecordingMonitor(mocks)
    order = _ConstructionOrder()
    holder: dict[str, T] = {}

    def run() -> None:
        holder["result"] = program()

    caller_loop = _caller_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        with _quiet_provider_deprecations(), _engine.quick_engine(options.source_positions):
            pulumi_settings.reset_options(
                project=options.project, stack=options.stack, preview=options.preview
            )
            pulumi.runtime.set_all_config(options.config, options.secret_keys or [])
            pulumi.runtime.set_mocks(
                monitor.mocks,
                project=options.project,
                stack=options.stack,
                preview=options.preview,
                monitor=monitor,
            )
            if options.root_directory is not None:
                pulumi_settings.SETTINGS.root_directory = options.root_directory
            pulumi.runtime.register_stack_transformation(order.transformation)
            loop.run_until_complete(_engine.settle(run))
            exports, secret_exports = loop.run_until_complete(_exports())
    finally:
        loop.close()
        asyncio.set_event_loop(caller_loop)

    def resolve(value: Any) -> Any:
        return context.run(_resolve_on_fresh_loop, value)

    return MockRun(
        holder["result"],
        order.sort(monitor.recorded),
        exports,
        resolve,
        monitor.registered_outputs,
        frozenset(secret_exports),
    )


async def _exports() -> tuple[dict[str, Any], set[str]]:
    exported = getattr(pulumi.runtime.get_root_resource(), "outputs", {}) or {}
    values: dict[str, Any] = {}
    secret: set[str] = set()
    for key, value in exported.items():
        output = pulumi.Output.from_input(value)
        values[key] = _plain_output(await output.future(with_unknowns=True))
        if await output.is_secret():
            secret.add(key)
    return values, secret


def _resolve_on_fresh_loop(value: Any) -> Any:
    caller_loop = _caller_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        output = pulumi.Output.from_input(value)
        return _plain_output(loop.run_until_complete(output.future(with_unknowns=True)))
    finally:
        loop.close()
        asyncio.set_event_loop(caller_loop)


def _caller_loop() -> asyncio.AbstractEventLoop | None:
    """The caller's current event loop, put back after a run (Outputs a test builds before
    the run live on it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return None
    return None if loop.is_closed() else loop


def _plain_output(value: Any) -> Any:
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _plain_output(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_output(v) for v in value]
    return value


@contextmanager
def _quiet_provider_deprecations() -> Iterator[None]:
    """pulumi_aws's DeprecationWarnings (deprecated properties it reads itself) hidden for
    the run only, so they reach neither plan output nor the caller's test run."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pulumi_aws(\.|$)")
        yield


# -- whole Pulumi projects ---------------------------------------------------------------------


@dataclass(frozen=True)
class Program:
    """Where and how `pulumi up` runs a Python project's program."""

    project: str
    root: Path  # the folder of Pulumi.yaml
    working_dir: Path
    path: Path  # the file or folder handed to the interpreter


def find_program(project_dir: str | os.PathLike[str]) -> Program:
    """The program Pulumi.yaml names, with the working directory the engine gives it.

    As pulumi/pulumi's `getPwdMain` (pkg/engine/project.go): without `main`, the project
    folder; with `main` a folder, that folder; with `main` a file, the file's folder.
    """
    root = Path(project_dir).resolve()
    project = read_project(root)
    source = root / "Pulumi.yaml"
    runtime = project.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    if runtime_name != "python":
        raise ManifestError(
            f"{source}: runtime is {runtime_name!r}; only Python programs run under the mock engine"
        )
    main = project.get("main") or "."
    target = (root / str(main)).resolve()
    if not target.exists():
        raise ManifestError(f"{source}: main {main!r} does not exist")
    if target.is_dir() and not (target / "__main__.py").is_file():
        raise ManifestError(f"{source}: main {main!r} is a folder without __main__.py")
    return Program(str(project.get("name") or root.name), root, program_dir(root), target)


def project_config(project: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Pulumi.yaml's project-level `config:` defaults, keys namespaced as the engine does.

    A key without a namespace belongs to the project; a value is a literal or a mapping
    with `value` or `default` (https://www.pulumi.com/docs/iac/concepts/projects/project-file/).
    """
    declared = project.get("config") or {}
    if not isinstance(declared, Mapping):
        raise ManifestError("Pulumi.yaml: config is not a mapping")
    config: dict[str, Any] = {}
    for key, value in declared.items():
        full_key = str(key) if ":" in str(key) else f"{name}:{key}"
        if isinstance(value, Mapping) and ({"value", "default", "type"} & value.keys()):
            if "value" in value or "default" in value:
                config[full_key] = value.get("value", value.get("default"))
            continue
        config[full_key] = value
    return config


def stack_config(program: Program, stack: str) -> dict[str, str]:
    """The config a stack's program sees: project defaults, then Pulumi.<stack>.yaml's values,
    as the engine passes them (objects as JSON strings)."""
    merged = project_config(read_project(program.root), program.project)
    merged.update(stack_file_config(program.root, stack))
    return {key: _config_string(value) for key, value in merged.items()}


def _config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def run_stack_program(
    project_dir: str | os.PathLike[str],
    stack: str,
    *,
    mocks: pulumi.runtime.Mocks | None = None,
    preview: bool = False,
) -> MockRun[Any]:
    """Run a Pulumi project's Python program with its stack's config, as `pulumi up -s <stack>`.

    The program named by Pulumi.yaml's `main` runs in the working directory the engine
    gives it (see `find_program`), with that folder first on `sys.path`; config is the
    project's `config:` defaults overlaid by Pulumi.<stack>.yaml. The caller's working
    directory, `sys.path` and the modules the program imported from its folder are
    restored afterwards. Exports are in `run.exports`.
    """
    if not stack or not stack.strip():
        raise ManifestError("a stack name is required (the NAME of Pulumi.NAME.yaml)")
    program = find_program(project_dir)
    config = stack_config(program, stack)
    with _program_environment(program):
        return run_mocked(
            lambda: runpy.run_path(str(program.path), run_name="__main__"),
            mocks=mocks,
            project=program.project,
            stack=stack,
            config=config,
            preview=preview,
            root_directory=program.root,
        )


@contextmanager
def _program_environment(program: Program) -> Iterator[None]:
    cwd = os.getcwd()
    path = list(sys.path)
    modules = set(sys.modules)
    folder = str(program.working_dir)
    os.chdir(folder)
    sys.path.insert(0, folder)
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.path[:] = path
        for name in _program_modules(folder, set(sys.modules) - modules, modules, path):
            del sys.modules[name]


def _program_modules(
    folder: str, new: set[str], before: set[str], caller_path: list[str]
) -> list[str]:
    """Modules the program imported from its own folder (its `helpers.py`, …): forgotten
    afterwards, so another program's module of the same name is not served from the cache.
    Packages the caller had already imported, or can import itself, are kept."""
    if folder in (os.path.abspath(p or os.curdir) for p in caller_path):
        return []
    tops = {name.split(".", 1)[0] for name in before}
    found = []
    for name in new:
        top = name.split(".", 1)[0]
        module_file = getattr(sys.modules.get(name), "__file__", None) or ""
        own = module_file == os.path.join(folder, f"{top}.py") or module_file.startswith(
            os.path.join(folder, top) + os.sep
        )
        if own and top not in tops:
            found.append(name)
    return found
