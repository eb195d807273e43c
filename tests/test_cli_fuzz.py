"""Property-based fuzzing of the `planton-lambda` command, as a user runs it (a subprocess).

Whatever the manifest holds - a valid spec, a spec with fields replaced by arbitrary values,
or its YAML text cut, spliced and salted with YAML syntax, control characters and broken
UTF-8 - the command exits 0 or 1, prints no traceback, never echoes the secret planted in
`secret_environment`, and finishes (a hang fails the run at TIMEOUT). Examples are few and
batched several files to a process, to keep the whole module within ~20 seconds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SECRET = "Zq8Xv3Kp9Wm2Rt"  # appears nowhere else: any 6 characters of it in output is a leak
PROGRAMS = Path(__file__).resolve().parent.parent / "programs"  # the stack program
TIMEOUT = 60  # seconds: a guard against hangs, not a performance check
SPEC: dict[str, Any] = {
    "function_name": "fuzzed-fn",
    "code_source_type": "CODE_SOURCE_TYPE_S3",
    "s3": {"bucket": "code-bucket", "key": "fn.zip"},
    "runtime": "python3.13",
    "handler": "app.handler",
    "environment": {"STAGE": "dev"},
    "secret_environment": {"API_TOKEN": SECRET},
    "aliases": [{"name": "live", "function_version": "current"}],
    "tags": {"team": "orders"},
}
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same examples every run: CI never fails on a new draw
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["", "current", "$LATEST", "ARM64", "x" * 300, "${SECRET}", "*"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    """The spec with a few fields replaced, removed or added (the secret stays in place)."""
    spec = {key: value for key, value in SPEC.items()}
    keys = [key for key in SPEC if key != "secret_environment"]
    for key in draw(st.lists(st.sampled_from(keys), max_size=3, unique=True)):
        if draw(st.booleans()):
            spec[key] = draw(values)
        else:
            del spec[key]
    if draw(st.booleans()):
        spec[draw(st.text(min_size=1, max_size=12))] = draw(values)
    if draw(st.booleans()):
        return {
            "apiVersion": "aws.project-planton.org/v1",
            "kind": "AwsLambda",
            "metadata": {"name": draw(st.sampled_from(["fuzzed", "", "a b"]))},
            "spec": spec,
        }
    return spec


SYNTAX = [
    *("'", '"', "&a ", "*a", "<<: ", "!!int ", "!!python/name:os.system ", "{", "[", "]"),
    *(": ", "- ", "\t", "\x00", "\\", "---\n", "%YAML 1.1\n", "#", "9" * 80, "\ufeff"),
    *("9" * 4400, "[" * 1200, "&b [*a, *a, *a, *a, *a, *a, *a, *a]"),
]
HOSTILE_VALUES = [
    "9" * 4400,  # past Python's int-string conversion limit
    "[" * 1200 + "]" * 1200,  # past Python's recursion limit
    f'"{SECRET}',  # an unterminated quote: the error must not quote the line
    f"!!int {SECRET}",  # a value that is not its tag: Python's message would quote it
    "&a [x, x, x, x, x, x, x, x, x]",
    "&a [[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]",
    "[*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "{<<: *a}",
    "*a",
]


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    """YAML text of a spec, then cut, spliced with syntax, and maybe made invalid UTF-8."""
    return draw(mangled_text(yaml.safe_dump(draw(specs()), sort_keys=False, allow_unicode=True)))


@st.composite
def mangled_stack_file(draw: st.DrawFn) -> bytes:
    """A Pulumi.<stack>.yaml holding a spec inline, mangled like a manifest."""
    config = {"config": {"aws:region": "us-east-1", "planton-lambda:spec": draw(specs())}}
    return draw(mangled_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True)))


@st.composite
def mangled_text(draw: st.DrawFn, text: str) -> bytes:
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["value", "insert", "cut", "truncate"]))
        values = [match.end() for match in re.finditer(": ", text)]
        if action == "value" and values:
            # Replace the rest of a `key: value` line: where a hostile scalar does harm.
            at = draw(st.sampled_from(values))
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            text = text[:at] + draw(st.sampled_from(HOSTILE_VALUES)) + text[end:]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from(SYNTAX)) + text[at:]
        elif action == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        else:
            text = text[:at]
    data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff\xfe" + data[at:]
    return data


def run_cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> tuple[str, str]:
    """Run the command; assert what must hold for any input; return (stdout, stderr)."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PLANTON_LAMBDA_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-m", "planton_lambda", *args],
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT,
        env=env,
        cwd=cwd,
        check=False,
    )
    out = result.stdout.decode("utf-8", "replace")
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode in (0, 1), (result.returncode, err[-2000:])
    assert "Traceback" not in out + err, err[-2000:]
    leaks = [SECRET[i : i + 6] for i in range(len(SECRET) - 5) if SECRET[i : i + 6] in out + err]
    assert not leaks, (leaks, out[-1000:], err[-1000:])
    return out, err


@SETTINGS
@given(documents=st.lists(mangled(), min_size=1, max_size=6))
def test_validate_any_files(tmp_path_factory: Any, documents: list[bytes]) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    paths = []
    for index, data in enumerate(documents):
        path = folder / f"m{index}.yaml"
        path.write_bytes(data)
        paths.append(str(path))
    out, err = run_cli("validate", *paths)
    # Every file gets its verdict: one bad file never stops the others being checked, and
    # every line of an error names the file it is about.
    for path in paths:
        assert path in out + err, (path, err[-2000:])
    for line in (out + err).splitlines():
        assert line.startswith(tuple(f"{path}: " for path in paths)), (line, err[-2000:])


@settings(SETTINGS, max_examples=4)
@given(document=mangled())
def test_validate_stdin(document: bytes) -> None:
    run_cli("validate", "-", stdin=document)


@settings(SETTINGS, max_examples=3)
@given(spec=specs())
def test_plan_any_spec(tmp_path_factory: Any, spec: dict[str, Any]) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "lambda.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    run_cli("plan", str(path))
    run_cli("plan", "--json", str(path))


@settings(SETTINGS, max_examples=3)
@given(stack_file=mangled_stack_file())
def test_plan_any_stack_file(tmp_path_factory: Any, stack_file: bytes) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "Pulumi.yaml").write_text(
        f"name: planton-lambda\nruntime: python\nmain: {PROGRAMS}\n", encoding="utf-8"
    )
    (folder / "Pulumi.dev.yaml").write_bytes(stack_file)
    run_cli("plan", "--stack", "dev", "--project-dir", str(folder))


def test_plan_stack_with_an_encrypted_secret(tmp_path: Path) -> None:
    """A `secure:` secret_environment value plans offline as a secret; its ciphertext and
    the placeholder never show."""
    (tmp_path / "Pulumi.yaml").write_text(
        f"name: planton-lambda\nruntime: python\nmain: {PROGRAMS}\n", encoding="utf-8"
    )
    spec = {**SPEC, "secret_environment": {"API_TOKEN": {"secure": f"v1:{SECRET}=="}}}
    config = {"config": {"aws:region": "us-east-1", "planton-lambda:spec": spec}}
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    out, err = run_cli("plan", "--stack", "dev", "--project-dir", str(tmp_path))
    assert "API_TOKEN" in out and "[secret]" in out, err[-2000:]
    assert "encrypted in the stack file" not in out
