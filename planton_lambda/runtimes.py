"""The Lambda runtime identifiers the spec accepts, with AWS's deprecation schedule.

One table, kept in step with AWS's "Lambda runtimes" page. A runtime is refused when it is
not listed here (AWS blocks creating and updating functions on retired runtimes); a listed
runtime whose deprecation date has passed is accepted with a warning naming the date and
the successor to move to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Family = Literal["python", "nodejs", "java", "dotnet", "ruby", "provided"]


@dataclass(frozen=True)
class Runtime:
    identifier: str
    family: Family
    deprecation: dt.date
    successor: str | None = None

    def is_deprecated(self, today: dt.date | None = None) -> bool:
        return (today or dt.date.today()) >= self.deprecation

    def deprecation_message(self) -> str:
        move_to = f"; move to {self.successor}" if self.successor else ""
        return (
            f"runtime {self.identifier} is deprecated by AWS Lambda since "
            f"{self.deprecation.isoformat()}{move_to}"
        )

    @property
    def python_version(self) -> str | None:
        """`3.13` for `python3.13`: the interpreter version dependencies are built for."""
        return self.identifier.removeprefix("python") if self.family == "python" else None


def _r(identifier: str, family: Family, deprecation: str, successor: str | None = None) -> Runtime:
    return Runtime(identifier, family, dt.date.fromisoformat(deprecation), successor)


RUNTIMES: dict[str, Runtime] = {
    r.identifier: r
    for r in (
        _r("python3.14", "python", "2029-06-30"),
        _r("python3.13", "python", "2029-06-30"),
        _r("python3.12", "python", "2028-10-31", "python3.13"),
        _r("python3.11", "python", "2027-06-30", "python3.13"),
        _r("python3.10", "python", "2026-06-30", "python3.13"),
        _r("python3.9", "python", "2025-12-15", "python3.13"),
        _r("nodejs24.x", "nodejs", "2028-04-30"),
        _r("nodejs22.x", "nodejs", "2027-04-30", "nodejs24.x"),
        _r("nodejs20.x", "nodejs", "2026-04-30", "nodejs24.x"),
        _r("nodejs18.x", "nodejs", "2025-09-01", "nodejs22.x"),
        _r("java25", "java", "2029-06-30"),
        _r("java21", "java", "2029-06-30"),
        _r("java17", "java", "2027-06-30", "java21"),
        _r("java11", "java", "2027-06-30", "java21"),
        _r("java8.al2", "java", "2027-06-30", "java21"),
        _r("dotnet10", "dotnet", "2028-11-14"),
        _r("dotnet8", "dotnet", "2026-11-10", "dotnet10"),
        _r("ruby3.4", "ruby", "2028-03-31"),
        _r("ruby3.3", "ruby", "2027-03-31", "ruby3.4"),
        _r("ruby3.2", "ruby", "2026-03-31", "ruby3.4"),
        _r("provided.al2023", "provided", "2029-06-30"),
        _r("provided.al2", "provided", "2026-07-31", "provided.al2023"),
    )
}


def supported_identifiers() -> list[str]:
    return list(RUNTIMES)


def lookup(identifier: str) -> Runtime | None:
    return RUNTIMES.get(identifier)
