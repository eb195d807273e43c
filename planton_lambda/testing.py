"""Run Pulumi programs under the mock engine: for unit tests and the offline plan.

    from planton_lambda.testing import run_mocked

    run = run_mocked(lambda: AwsLambda("api", spec))
    fn = run.one("aws:lambda/function:Function")
    assert fn.inputs["memorySize"] == 256

The real component code runs; only the engine and the AWS provider are replaced. Inputs
use the engine's camelCase names. Mocked resources answer with plausible ARNs so outputs
and `apply`s resolve (the run is not a preview).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import runpy
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.proto import source_pb2

from planton_lambda.stack import read_project, stack_file_config

T = TypeVar("T")

ACCOUNT = "123456789012"
REGION = "us-east-1"
NEW_VERSION = "(new version)"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"
SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"


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


class LambdaMocks(pulumi.runtime.Mocks):
    """Answers registrations with the outputs AWS would compute.

    `published_version` is what a function with `publish: true` reports as its version;
    `stack_outputs` maps a stack name to the outputs a StackReference to it returns.
    """

    def __init__(
        self,
        *,
        published_version: str = "1",
        stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
        account: str = ACCOUNT,
        region: str = REGION,
    ) -> None:
        self.published_version = published_version
        self.stack_outputs = dict(stack_outputs or {})
        self.account = account
        self.region = region

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        state.update(self._computed(args.typ, args.name, args.inputs))
        return f"{args.name}-id", state

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        answers: dict[str, dict[str, Any]] = {
            "aws:index/getCallerIdentity:getCallerIdentity": {
                "accountId": self.account,
                "arn": f"arn:aws:iam::{self.account}:root",
            },
            "aws:index/getRegion:getRegion": {"name": self.region, "region": self.region},
            "aws:index/getPartition:getPartition": {
                "partition": "aws",
                "dnsSuffix": "amazonaws.com",
            },
        }
        return answers.get(args.token, {}), []

    def _computed(self, typ: str, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        prefix = f"arn:aws:{{}}:{self.region}:{self.account}"
        if typ == "aws:lambda/function:Function":
            fn_name = inputs.get("name", name)
            arn = f"{prefix.format('lambda')}:function:{fn_name}"
            version = self.published_version if inputs.get("publish") else "$LATEST"
            return {
                "arn": arn,
                "name": fn_name,
                "version": version,
                "qualifiedArn": f"{arn}:{version}",
                "invokeArn": _invoke_arn(self.region, arn),
                "qualifiedInvokeArn": _invoke_arn(self.region, f"{arn}:{version}"),
            }
        if typ == "aws:lambda/alias:Alias":
            arn = f"{prefix.format('lambda')}:function:{inputs.get('functionName')}:{name}"
            arn = arn.rsplit(":", 1)[0] + f":{inputs.get('name', name)}"
            return {"arn": arn, "invokeArn": _invoke_arn(self.region, arn)}
        if typ == "aws:lambda/layerVersion:LayerVersion":
            layer_arn = f"{prefix.format('lambda')}:layer:{inputs.get('layerName', name)}"
            return {"arn": f"{layer_arn}:1", "layerArn": layer_arn, "version": "1"}
        if typ == "aws:iam/role:Role":
            return {"arn": f"arn:aws:iam::{self.account}:role/{name}", "name": name}
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            return {"arn": f"{prefix.format('logs')}:log-group:{inputs.get('name', name)}"}
        if typ == "aws:lambda/functionUrl:FunctionUrl":
            return {"functionUrl": f"https://{name}.lambda-url.{self.region}.on.aws/"}
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
            self._record(request, response.urn, request.object, request.custom, request.deletedWith)
        return response

    def ReadResource(self, request: Any) -> Any:
        # Stack references are read, not registered.
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self._record(request, response.urn, request.properties, custom=True)
        return response

    def _record(
        self, request: Any, urn: str, properties: Any, custom: bool, deleted_with: str = ""
    ) -> None:
        self.recorded.append(
            RecordedResource(
                type=request.type,
                name=request.name,
                urn=urn,
                inputs=_plain_inputs(properties),
                parent=request.parent,
                provider=request.provider,
                dependencies=list(request.dependencies),
                custom=custom,
                deleted_with=deleted_with,
            )
        )

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.registered_outputs.append(request.urn)
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


@contextmanager
def _quick_engine(source_positions: bool) -> Iterator[None]:
    """Engine work a mocked run does not need, switched off for the run's duration."""
    # A run allocates many short-lived reference cycles; full collections over the growing
    # heap made each resource cost more the larger the program. Collect once, afterwards.
    collecting = gc.isenabled()
    gc.disable()
    capture = getattr(pulumi_resource, "_get_stack_trace", None)
    if not source_positions and capture is not None:
        pulumi_resource._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        if capture is not None:
            pulumi_resource._get_stack_trace = capture
        if collecting:
            gc.enable()


async def _run_to_completion(program: Callable[[], None]) -> None:
    """Run the program, then wait until every registration and `apply` has finished.

    Pulumi's own `run_pulumi_func` waits for outstanding outputs with repeated
    `asyncio.wait(FIRST_COMPLETED)` over all of them, which grows quadratically with the
    program's size; gathering each batch at once is linear and waits for the same work.
    """
    failure: BaseException | None = None
    try:
        program()
    except BaseException as error:  # re-raised once the queued work has settled
        failure = error
    rpcs = pulumi_settings.SETTINGS.rpc_manager
    while True:
        while rpcs.rpcs:
            await rpcs.rpcs.pop()
        if rpcs.unhandled_exception is not None:
            raise rpcs.unhandled_exception
        with pulumi_settings.SETTINGS.lock:
            pending = list(pulumi_settings.SETTINGS.outputs)
            pulumi_settings.SETTINGS.outputs.clear()
        if pending:
            await asyncio.gather(*pending)
        if not rpcs.rpcs and not pulumi_settings.SETTINGS.outputs:
            break
    if failure is not None:
        raise failure


def _plain_inputs(struct: Any) -> dict[str, Any]:
    """Inputs as sent, keeping nested secret markers where they are.

    Pulumi's own decoding lifts a nested secret to the top-level property, which would
    hide every environment variable when only one is secret.
    """
    inputs: dict[str, Any] = json_format.MessageToDict(struct)
    return inputs


@dataclass
class MockRun(Generic[T]):
    """What a mocked program registered, returned and exported."""

    result: T
    resources: list[RecordedResource]
    exports: dict[str, Any]
    resolve: Callable[[Any], Any] = field(repr=False)
    registered_outputs: list[str] = field(default_factory=list)

    def of_type(self, typ: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == typ]

    def one(self, typ: str) -> RecordedResource:
        found = self.of_type(typ)
        if len(found) != 1:
            raise AssertionError(f"expected one {typ}, found {len(found)}")
        return found[0]

    def named(self, name: str) -> RecordedResource:
        return next(r for r in self.resources if r.name == name)


def run_mocked(
    program: Callable[[], T],
    *,
    mocks: pulumi.runtime.Mocks | None = None,
    project: str = "planton-lambda",
    stack: str = "dev",
    config: Mapping[str, str] | None = None,
    source_positions: bool = False,
) -> MockRun[T]:
    """Run `program` under the mock engine on a fresh event loop and wait for it to finish.

    `config` holds stack config as the engine passes it (`"project:key": "value"`).
    Outputs of the result can be read with `run.resolve(output)`. The source position of
    each registration is only captured with `source_positions=True`: the mock engine has
    no use for it, and walking the call stack is a large share of a mocked registration.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    monitor = RecordingMonitor(mocks or LambdaMocks())
    holder: dict[str, T] = {}

    def run() -> None:
        holder["result"] = program()

    def resolve(value: Any) -> Any:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(pulumi.Output.from_input(value).future())

    with _quick_engine(source_positions):
        try:
            pulumi_settings.SETTINGS.rpc_manager.clear()
            pulumi_settings.SETTINGS.outputs.clear()
            pulumi.runtime.set_all_config(dict(config or {}))
            pulumi.runtime.set_mocks(
                monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor
            )
            loop.run_until_complete(_run_to_completion(run))
            exported = getattr(pulumi.runtime.get_root_resource(), "outputs", {}) or {}
            exports = {key: resolve(value) for key, value in exported.items()}
        finally:
            pulumi.runtime.set_all_config({})
    return MockRun(holder["result"], monitor.recorded, exports, resolve, monitor.registered_outputs)


def is_secret(value: Any) -> bool:
    """Whether a recorded input value is a Pulumi secret."""
    return isinstance(value, dict) and value.get(SIGNATURE_KEY) == SECRET_SIGNATURE


def unwrap_secret(value: Any) -> Any:
    return value["value"] if is_secret(value) else value


def run_stack_program(
    project_dir: str | os.PathLike[str],
    stack: str,
    *,
    mocks: pulumi.runtime.Mocks | None = None,
) -> MockRun[Any]:
    """Run a Pulumi project's Python program with Pulumi.<stack>.yaml's config loaded.

    As `pulumi up -s <stack>` would: config objects reach the program as JSON strings and
    the project name is Pulumi.yaml's. Exports are in `run.exports`.
    """
    root = Path(project_dir).resolve()
    project = read_project(root)
    main = root / str(project.get("main", "."))
    program = main / "__main__.py" if main.is_dir() else main
    config = {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in stack_file_config(root, stack).items()
    }
    return run_mocked(
        lambda: runpy.run_path(str(program), run_name="__main__"),
        mocks=mocks,
        project=str(project.get("name", root.name)),
        stack=stack,
        config=config,
    )
