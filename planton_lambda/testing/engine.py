"""The only place that touches Pulumi's private runtime internals, to make mocked runs fast.

Two speed-ups, each with a fallback to Pulumi's own public behaviour:

- `settle(program)` runs a program and waits for its outstanding work by gathering each batch
  of pending RPCs and outputs at once. Pulumi's `wait_for_rpcs` waits with repeated
  `asyncio.wait(FIRST_COMPLETED)` over all outstanding outputs, which grows quadratically with
  the program's size. Needs `SETTINGS.rpc_manager` (`rpcs`, `unhandled_exception`),
  `SETTINGS.outputs` and `SETTINGS.lock`.
- `quick_engine()` swaps `pulumi.runtime.resource._get_stack_trace` (the source-position
  capture of every registration, which the mock engine never reads) for an empty trace.

`problems()` lists what no longer matches; tests/test_engine.py fails loudly on any, and
the fallbacks keep runs correct (only slower) when Pulumi changes.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pulumi
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime import stack as pulumi_stack
from pulumi.runtime.proto import source_pb2

# Checked against these releases (tests/test_engine.py runs the checks on the installed one).
KNOWN_WORKING = ">=3.250,<4"
TESTED_VERSIONS = ("3.250.0", "3.272.0")  # the floor (CI installs it) and the newest


def problems() -> list[str]:
    """What of Pulumi's internals this module relies on is missing or changed shape."""
    found: list[str] = []
    settings = pulumi_settings.SETTINGS
    rpcs = getattr(settings, "rpc_manager", None)
    if rpcs is None or not isinstance(getattr(rpcs, "rpcs", None), list):
        found.append("pulumi.runtime.settings.SETTINGS.rpc_manager.rpcs is not a list")
    elif not hasattr(rpcs, "unhandled_exception"):
        found.append("RPCManager has no unhandled_exception")
    if not isinstance(getattr(settings, "outputs", None), set):
        found.append("pulumi.runtime.settings.SETTINGS.outputs is not a set")
    if not hasattr(getattr(settings, "lock", None), "__enter__"):
        found.append("pulumi.runtime.settings.SETTINGS.lock is not a lock")
    capture = getattr(pulumi_resource, "_get_stack_trace", None)
    if capture is None or inspect.signature(capture).parameters:
        found.append("pulumi.runtime.resource._get_stack_trace() is gone or takes arguments")
    elif inspect.signature(capture).return_annotation not in (
        source_pb2.StackTrace,
        "source_pb2.StackTrace",
    ):
        found.append("pulumi.runtime.resource._get_stack_trace() no longer returns a StackTrace")
    return found


_USABLE = not problems()


@contextmanager
def quick_engine(source_positions: bool) -> Iterator[None]:
    """Engine work a mocked run does not need, switched off for the run's duration."""
    # A run allocates many short-lived reference cycles; full collections over the growing
    # heap made each resource cost more the larger the program. Collect once, afterwards.
    collecting = gc.isenabled()
    gc.disable()
    capture = getattr(pulumi_resource, "_get_stack_trace", None)
    swap = _USABLE and not source_positions and capture is not None
    if swap:
        pulumi_resource._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        if swap and capture is not None:
            pulumi_resource._get_stack_trace = capture
        if collecting:
            gc.enable()


async def settle(program: Callable[[], None]) -> None:
    """Run the program, then wait until every registration and `apply` has finished."""
    failure: BaseException | None = None
    try:
        program()
    except BaseException as error:  # re-raised once the queued work has settled
        failure = error
    if _USABLE:
        await _gather_batches()
    else:  # Pulumi's own wait: correct, quadratic in the program's size
        await pulumi_stack.wait_for_rpcs()
    if failure is not None:
        raise failure


async def _gather_batches() -> None:
    settings: Any = pulumi_settings.SETTINGS
    rpcs = settings.rpc_manager
    while True:
        while rpcs.rpcs:
            await rpcs.rpcs.pop()
        if rpcs.unhandled_exception is not None:
            raise rpcs.unhandled_exception
        with settings.lock:
            pending = list(settings.outputs)
            settings.outputs.clear()
        if pending:
            await asyncio.gather(*pending)
        if not rpcs.rpcs and not settings.outputs:
            return


def pulumi_version() -> str:
    return str(getattr(pulumi, "__version__", "")) or _distribution_version()


def _distribution_version() -> str:
    from importlib.metadata import version

    return version("pulumi")
