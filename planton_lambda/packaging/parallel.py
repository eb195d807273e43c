"""Ordered, memory-bounded work on a thread pool: batching and an in-order map.

Used to hash (`packaging.StatCache`) and to read and compress (`zipwriter.write_zip`) many
files at once; file reads, hashlib and zlib release the GIL, so threads use every core.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

_MIB = 1024 * 1024
BATCH_BYTES = _MIB  # small files are grouped so a task is worth a thread hand-off
IN_FLIGHT_BYTES = 64 * _MIB  # read but not yet written: bounds memory

_T = TypeVar("_T")
_R = TypeVar("_R")


def workers() -> int:
    """The number of threads: the CPUs this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def batched(items: Sequence[_T], size: Callable[[_T], int]) -> list[list[_T]]:
    """Consecutive items grouped up to BATCH_BYTES, so each task outweighs its hand-off."""
    batches: list[list[_T]] = []
    current: list[_T] = []
    weight = 0
    for item in items:
        current.append(item)
        weight += size(item)
        if weight >= BATCH_BYTES:
            batches.append(current)
            current, weight = [], 0
    if current:
        batches.append(current)
    return batches


def ordered_map(
    func: Callable[[_T], _R], items: Iterable[_T], weight: Callable[[_T], int]
) -> Iterator[_R]:
    """`map(func, items)` on a thread pool, in order, with IN_FLIGHT_BYTES of work at most."""
    pool = ThreadPoolExecutor(max_workers=workers())
    window: deque[tuple[Future[_R], int]] = deque()
    in_flight = 0
    try:
        for item in items:
            size = weight(item)
            while window and in_flight + size > IN_FLIGHT_BYTES:
                future, done_size = window.popleft()
                in_flight -= done_size
                yield future.result()
            window.append((pool.submit(func, item), size))
            in_flight += size
        while window:
            yield window.popleft()[0].result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
