"""Rules of local packaging's second round: S3 artifact buckets and esbuild bundles."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from planton_lambda.spec.base import Loc, SpecModel

# S3's general purpose bucket naming rules
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): 3-63 of
# lowercase letters, digits, `.` and `-`; a letter or digit first and last; no `..`; not an
# IP address; none of the prefixes and suffixes S3 reserves for other kinds of names.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
BUCKET_HELP = (
    "an S3 bucket name: 3-63 of lowercase letters, digits, '.' and '-', starting and ending "
    "with a letter or digit"
)

# The object key prefix: S3 keys are at most 1024 bytes; `<prefix>/<function>/<sha>.zip`
# (and `.../layers/<layer>/...`) fits in that with a prefix of this size.
_PREFIX = r"^[A-Za-z0-9!_.*'()/-]{1,512}$"  # S3's "safe characters" for keys (object-keys.html)
DEFAULT_ARTIFACT_PREFIX = "planton-lambda"


def bucket_name_problem(name: str) -> str | None:
    """Why `name` is not a general purpose S3 bucket name, or None when it is one."""
    if _BUCKET.fullmatch(name) is None:
        return f"must be {BUCKET_HELP}, got {name!r}"
    if ".." in name:
        return f"must not contain two adjacent periods, got {name!r}"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        pass
    else:
        return f"must not be formatted as an IP address, got {name!r}"
    for prefix in BUCKET_PREFIXES:
        if name.startswith(prefix):
            return f"must not start with {prefix!r} (reserved by S3), got {name!r}"
    for suffix in BUCKET_SUFFIXES:
        if name.endswith(suffix):
            return f"must not end with {suffix!r} (reserved by S3), got {name!r}"
    return None


# Node.js ESM and CommonJS: esbuild's `--format`; the bundle's file name follows from it so
# that Lambda's Node runtime loads it as that kind of module (.mjs is always ESM).
BundleFormat = Literal["esm", "cjs"]
BUNDLE_FILES: dict[str, str] = {"esm": "index.mjs", "cjs": "index.js"}
# An npm package name (with an optional scope), or a pattern of them with `*`, as esbuild's
# `--external:` takes it.
_EXTERNAL = re.compile(r"(@[a-z0-9*~][a-z0-9*._~-]*/)?[a-z0-9*~][a-z0-9*._~/-]*", re.IGNORECASE)


class BundleSpec(SpecModel):
    """A Node.js entry point bundled with esbuild into one file at the zip's root."""

    entry: Annotated[
        str,
        Field(
            min_length=1,
            description="the entry file (.ts, .mts, .js, .mjs ...), relative to local.path",
        ),
    ]
    format: BundleFormat = Field(
        "esm", description="esm (index.mjs) or cjs (index.js); the handler is index.<export>"
    )
    minify: bool = Field(False, description="minify the bundle")
    sourcemap: bool = Field(False, description="write index.mjs.map / index.js.map beside it")
    external: list[str] = Field(
        default_factory=list,
        description="packages left out of the bundle, e.g. @aws-sdk/* (provided at run time)",
    )

    @field_validator("entry")
    @classmethod
    def _relative(cls, entry: str) -> str:
        path = Path(entry)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError(f"must be a path inside local.path, got {entry!r}")
        return path.as_posix()

    @field_validator("external")
    @classmethod
    def _externals(cls, names: list[str]) -> list[str]:
        bad = [name for name in names if _EXTERNAL.fullmatch(name) is None]
        if bad:
            raise ValueError(f"{bad} are not npm package names (or patterns with *)")
        return names

    @property
    def output(self) -> str:
        return BUNDLE_FILES[self.format]


def prefix_problem(prefix: str) -> str | None:
    if re.fullmatch(_PREFIX[1:-1], prefix) is None or prefix.startswith("/") or "//" in prefix:
        return (
            "must be 1-512 of letters, digits and !_.*'()/- (S3's safe key characters), "
            "without a leading or doubled '/'"
        )
    return None


def bundle_violations(
    bundle: BundleSpec | None, runtime: str | None, handler: str | None, loc: Loc
) -> list[tuple[Loc, str]]:
    """A bundle needs a Node.js runtime and a handler in the bundle's file (`index.<export>`)."""
    if bundle is None:
        return []
    errors: list[tuple[Loc, str]] = []
    if runtime is not None and not runtime.startswith("nodejs"):
        errors.append(((*loc, "bundle"), f"bundles Node.js code; runtime is {runtime}"))
    if handler is not None and not re.fullmatch(r"index\.[A-Za-z_$][A-Za-z0-9_$]*", handler):
        errors.append(
            (("handler",), f"must be index.<export> with local.bundle (the bundle is "
             f"{bundle.output} at the zip's root), got {handler!r}")
        )  # fmt: skip
    return errors


def entry_problems(places: Iterable[tuple[Loc, str, BundleSpec | None]]) -> list[tuple[Loc, str]]:
    """Bundle entry files that are missing, for each (loc, local.path, bundle)."""
    problems: list[tuple[Loc, str]] = []
    for loc, root, bundle in places:
        if bundle is None or not Path(root).is_dir():
            continue
        entry = Path(root) / bundle.entry
        if not entry.is_file():
            what = "is not a file" if entry.exists() else "does not exist"
            problems.append(((*loc, "bundle", "entry"), f"{entry} {what}"))
    return problems
