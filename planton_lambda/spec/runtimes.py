"""The Lambda runtime identifiers the spec accepts, with AWS's deprecation schedule.

One table, kept in step with AWS's "Lambda runtimes" page, with AWS's three dates per runtime.
A runtime that is not listed is refused. Past its deprecation date a runtime is accepted with
a warning naming the dates and the successor; past block-create it is refused unless the spec
acknowledges that the function already exists; past block-update it is refused always.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Family = Literal["python", "nodejs", "java", "dotnet", "ruby", "provided"]


@dataclass(frozen=True)
class Runtime:
    """A runtime with AWS's three dates: deprecation, then creates blocked, then updates."""

    identifier: str
    family: Family
    deprecation: dt.date
    block_create: dt.date
    block_update: dt.date
    successor: str | None = None

    def is_deprecated(self, today: dt.date | None = None) -> bool:
        return (today or dt.date.today()) >= self.deprecation

    def create_blocked(self, today: dt.date) -> bool:
        return today >= self.block_create

    def update_blocked(self, today: dt.date) -> bool:
        return today >= self.block_update

    def deprecation_message(self) -> str:
        return (
            f"runtime {self.identifier} is deprecated by AWS Lambda since "
            f"{self.deprecation.isoformat()}; AWS blocks creating functions on it from "
            f"{self.block_create.isoformat()} and updating them from "
            f"{self.block_update.isoformat()}{self._move_to()}"
        )

    def blocked_message(self, *, updates: bool) -> str:
        dates = (
            f"deprecated {self.deprecation.isoformat()}, creates blocked from "
            f"{self.block_create.isoformat()}, updates blocked from {self.block_update.isoformat()}"
        )
        if updates:
            what = "can no longer be deployed: AWS blocks every function update on it"
            return f"runtime {self.identifier} {what} ({dates}){self._move_to()}"
        return (
            f"runtime {self.identifier} cannot be used for a new function ({dates})"
            f"{self._move_to()}; if the function already exists and is only updated, set "
            "runtime_block_acknowledged: true"
        )

    def _move_to(self) -> str:
        return f"; move to {self.successor}" if self.successor else ""

    @property
    def python_version(self) -> str | None:
        """`3.13` for `python3.13`: the interpreter version dependencies are built for."""
        return self.identifier.removeprefix("python") if self.family == "python" else None


def _r(
    identifier: str,
    family: Family,
    dates: tuple[str, str, str],
    successor: str | None = None,
) -> Runtime:
    deprecation, block_create, block_update = (dt.date.fromisoformat(d) for d in dates)
    return Runtime(identifier, family, deprecation, block_create, block_update, successor)


# (deprecation, block function create, block function update), as AWS's "Supported runtimes"
# and "Deprecated runtimes" tables list them:
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
# Deprecated runtimes stay listed until their block-update date: an existing function on one
# can still be updated (with runtime_block_acknowledged once creates are blocked).
RUNTIMES: dict[str, Runtime] = {
    r.identifier: r
    for r in (
        _r("python3.14", "python", ("2029-06-30", "2029-07-31", "2029-08-31")),
        _r("python3.13", "python", ("2029-06-30", "2029-07-31", "2029-08-31")),
        _r("python3.12", "python", ("2028-10-31", "2028-11-30", "2029-01-10"), "python3.14"),
        _r("python3.11", "python", ("2027-06-30", "2027-07-31", "2027-08-31"), "python3.14"),
        _r("python3.10", "python", ("2026-10-31", "2027-02-01", "2027-03-03"), "python3.14"),
        _r("python3.9", "python", ("2025-12-15", "2027-02-01", "2027-03-03"), "python3.14"),
        _r("python3.8", "python", ("2024-10-14", "2027-02-01", "2027-03-03"), "python3.14"),
        _r("python3.7", "python", ("2023-12-04", "2024-01-09", "2027-03-03"), "python3.14"),
        _r("nodejs24.x", "nodejs", ("2028-04-30", "2028-06-01", "2028-07-01")),
        _r("nodejs22.x", "nodejs", ("2027-04-30", "2027-06-01", "2027-07-01"), "nodejs24.x"),
        _r("nodejs20.x", "nodejs", ("2026-04-30", "2027-02-01", "2027-03-03"), "nodejs24.x"),
        _r("nodejs18.x", "nodejs", ("2025-09-01", "2027-02-01", "2027-03-03"), "nodejs24.x"),
        _r("nodejs16.x", "nodejs", ("2024-06-12", "2027-02-01", "2027-03-03"), "nodejs24.x"),
        _r("nodejs14.x", "nodejs", ("2023-12-04", "2024-01-09", "2027-03-03"), "nodejs24.x"),
        _r("java25", "java", ("2029-06-30", "2029-07-31", "2029-08-31")),
        _r("java21", "java", ("2029-06-30", "2029-07-31", "2029-08-31"), "java25"),
        _r("java17", "java", ("2027-06-30", "2027-07-31", "2027-08-31"), "java25"),
        _r("java11", "java", ("2027-06-30", "2027-07-31", "2027-08-31"), "java25"),
        _r("java8.al2", "java", ("2027-06-30", "2027-07-31", "2027-08-31"), "java25"),
        _r("java8", "java", ("2024-01-08", "2024-02-08", "2027-03-03"), "java25"),
        _r("dotnet10", "dotnet", ("2028-11-14", "2028-12-14", "2029-01-15")),
        _r("dotnet8", "dotnet", ("2026-11-10", "2027-02-01", "2027-03-03"), "dotnet10"),
        _r("dotnet6", "dotnet", ("2024-12-20", "2027-02-01", "2027-03-03"), "dotnet10"),
        _r("ruby4.0", "ruby", ("2029-03-31", "2029-04-30", "2029-05-31")),
        _r("ruby3.4", "ruby", ("2028-03-31", "2028-04-30", "2028-05-31"), "ruby4.0"),
        _r("ruby3.3", "ruby", ("2027-03-31", "2027-04-30", "2027-05-31"), "ruby4.0"),
        _r("ruby3.2", "ruby", ("2026-03-31", "2027-02-01", "2027-03-03"), "ruby4.0"),
        _r("ruby2.7", "ruby", ("2023-12-07", "2024-01-09", "2027-03-03"), "ruby4.0"),
        _r("provided.al2023", "provided", ("2029-06-30", "2029-07-31", "2029-08-31")),
        _r(
            "provided.al2",
            "provided",
            ("2026-07-31", "2027-02-01", "2027-03-03"),
            "provided.al2023",
        ),
        _r("provided", "provided", ("2024-01-08", "2024-02-08", "2027-03-03"), "provided.al2023"),
        _r("go1.x", "provided", ("2024-01-08", "2024-02-08", "2027-03-03"), "provided.al2023"),
    )
}


def supported_identifiers() -> list[str]:
    return list(RUNTIMES)


def lookup(identifier: str) -> Runtime | None:
    return RUNTIMES.get(identifier)
