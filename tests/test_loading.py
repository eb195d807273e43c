"""Hostile and faulty input to every reader: manifests, stdin, stack files, Pulumi.yaml, stack
inputs and JSON config. Each is refused fast, as a ManifestError naming the source (and the
line and column for YAML), never quoting the text it came from."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from planton_lambda import ManifestError, load_manifest
from planton_lambda.cli import main
from planton_lambda.load.stack import (
    ENCRYPTED_PLACEHOLDER,
    MANIFEST_KEY,
    SPEC_KEY,
    STACK_INPUT_ENV,
    read_project,
    spec_from_config,
    stack_file_config,
    stack_file_name,
)
from planton_lambda.load.yamlread import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_INT_CHARS,
    MAX_NODES,
    check_bounds,
    load_document,
    load_json,
    read_text,
)

SECRET = "S3CR3T-7f1c2a"
SPEC = {
    "function_name": "orders-api",
    "code_source_type": "CODE_SOURCE_TYPE_S3",
    "s3": {"bucket": "code-bucket", "key": "orders/v1.zip"},
    "runtime": "python3.13",
    "handler": "app.handler",
}
SPEC_YAML = yaml.safe_dump(SPEC, sort_keys=False)

# A kilobyte that stands for 9**9 (387 million) values once its aliases are expanded.
ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}' if prev else 'x'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
# The same with merge keys: each level merges the previous mapping nine times.
MERGE_BOMB = (
    "a: &a {"
    + ", ".join(f"k{i}: v" for i in range(9))
    + "}\n"
    + "".join(
        f"{name}: &{name} {{<<: [{', '.join([f'*{prev}'] * 9)}]}}\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
)


def refusal(source: Any) -> str:
    """The one-line ManifestError that loading `source` as a manifest raises."""
    with pytest.raises(ManifestError) as caught:
        load_manifest(source)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def yaml_refusal(text: str) -> str:
    with pytest.raises(ManifestError) as caught:
        load_document(text, "f.yaml")
    return str(caught.value)


def write(folder: Path, text: str, name: str = "lambda.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def nested(levels: int) -> str:
    """Flow YAML of `levels` values, each inside the one before: [[[...x...]]]."""
    return "[" * (levels - 1) + "x" + "]" * (levels - 1)


# --- what is read: regular files of at most 1 MiB, or stdin for `-` ---------------------


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "lambda.yaml"
    os.mkfifo(fifo)  # nothing ever writes to it: opening it for reading would block
    assert refusal(fifo) == (
        f"{fifo}: is a FIFO (named pipe), not a regular file; a manifest must be a regular "
        "file (or - for standard input)"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_even_through_a_symlink(tmp_path: Path) -> None:
    assert "is a character device, not a regular file" in refusal(Path("/dev/zero"))
    link = tmp_path / "lambda.yaml"
    link.symlink_to("/dev/zero")
    assert refusal(link).startswith(f"{link}: is a character device")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path).startswith(f"{tmp_path}: is a directory, not a regular file")


def test_missing_file_and_missing_folder(tmp_path: Path) -> None:
    assert refusal(tmp_path / "nope.yaml") == f"{tmp_path / 'nope.yaml'}: no such file"
    inside_a_file = write(tmp_path, SPEC_YAML) / "x.yaml"
    assert "no such file (a folder on its path is a file)" in refusal(inside_a_file)


def test_a_nul_character_in_the_path_is_refused(tmp_path: Path) -> None:
    assert refusal(f"{tmp_path}/a\0b.yaml").endswith("cannot read: not a usable path")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC_YAML)
    path.chmod(0)
    assert refusal(path) == f"{path}: permission denied"


def test_a_file_of_the_limit_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    padding = "#" * (MAX_BYTES - len(SPEC_YAML) - 1) + "\n"
    path = write(tmp_path, SPEC_YAML + padding)
    assert path.stat().st_size == MAX_BYTES
    assert load_manifest(path).function_name == "orders-api"
    path = write(tmp_path, SPEC_YAML + "#" + padding)
    assert refusal(path) == (
        f"{path}: too large ({MAX_BYTES + 1} bytes); at most {MAX_BYTES} bytes (1 MiB) is read"
    )


def test_text_over_the_limit_is_refused() -> None:
    assert refusal(SPEC_YAML + "#" * MAX_BYTES).startswith("<text>: too large")


def test_not_utf8_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(SPEC_YAML.encode() + "description: caf\xe9\n".encode("latin-1"))
    line = len(SPEC_YAML.splitlines()) + 1
    assert refusal(path) == f"{path}: not UTF-8 text (line {line}, column 17); save it as UTF-8"


def test_a_control_character_names_line_and_column() -> None:
    assert yaml_refusal("a: 1\nb: x\x00y\n") == (
        "f.yaml: invalid YAML (line 2, column 5): the character U+0000 is not allowed in YAML"
    )


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_dash_reads_stdin_within_the_same_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, SPEC_YAML.encode())
    assert load_manifest("-").function_name == "orders-api"
    _stdin(monkeypatch, b"#" * (MAX_BYTES + 1))
    assert refusal("-") == f"<stdin>: too large; at most {MAX_BYTES} bytes (1 MiB) is read"
    _stdin(monkeypatch, b"function_name: [\n")
    assert refusal("-").startswith("<stdin>: invalid YAML (line 2, column 1)")


def test_a_path_object_is_always_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _stdin(monkeypatch, SPEC_YAML.encode())
    assert refusal(Path("-")) == "-: no such file"  # not stdin
    write(tmp_path, SPEC_YAML, "orders: v2.yaml")
    # A name holding ": " is a file name, as a string or a Path, not YAML text.
    assert load_manifest("orders: v2.yaml").function_name == "orders-api"
    assert load_manifest(Path("orders: v2.yaml")).function_name == "orders-api"
    assert refusal("function_name: x") == "function_name: x: no such file"


# --- what is parsed: bounded values, depth and integers ---------------------------------


@pytest.mark.parametrize("bomb", [ALIAS_BOMB, MERGE_BOMB], ids=["aliases", "merge-keys"])
def test_alias_bombs_are_refused_at_their_line(tmp_path: Path, bomb: str) -> None:
    path = write(
        tmp_path,
        SPEC_YAML + "tags:\n" + "".join(f"  {line}\n" for line in bomb.split("\n") if line),
    )
    message = refusal(path)
    assert message.startswith(f"{path}: invalid YAML (line ")
    assert message.endswith(
        f"more than {MAX_NODES} values (counting each alias as the values it repeats)"
    )


def test_aliases_within_the_limit_are_expanded() -> None:
    text = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b]\n"
    assert load_document(text, "f.yaml")["c"] == [[["x"] * 3] * 3] * 2
    merged = load_document("d: &d {x: 1}\ne: {<<: *d, y: 2}\n", "f.yaml")
    assert merged["e"] == {"x": 1, "y": 2}


def test_the_value_limit_counts_every_value_of_the_stream() -> None:
    fits = "[" + ", ".join(["1"] * (MAX_NODES - 1)) + "]"  # the list is one value too
    assert len(load_document(fits, "f.yaml")) == MAX_NODES - 1
    assert "more than" in yaml_refusal(fits.replace("[", "[1, ", 1))
    # Documents share the budget: many small documents cannot add up past it.
    documents = "---\n[1, 1, 1, 1]\n" * (MAX_NODES // 5 + 1)
    with pytest.raises(ManifestError, match="more than"):
        load_manifest(documents)


def test_a_recursive_alias_is_refused() -> None:
    assert yaml_refusal("a: &a [1, *a]\n") == (
        "f.yaml: invalid YAML (line 1, column 11): an alias inside the node it names"
    )


def test_nesting_limit_in_block_and_flow_style() -> None:
    assert load_document(nested(MAX_DEPTH), "f.yaml") is not None
    assert yaml_refusal(nested(MAX_DEPTH + 1)) == (
        f"f.yaml: invalid YAML (line 1, column {MAX_DEPTH + 1}): "
        f"nested more than {MAX_DEPTH} levels deep"
    )
    block = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH)) + "  " * MAX_DEPTH + "x\n"
    assert "nested more than" in yaml_refusal(block)


def test_nesting_limit_counts_what_aliases_repeat() -> None:
    half = MAX_DEPTH // 2 + 1
    text = f"a: &a {nested(half)}\nb: {nested(half).replace('x', '*a')}\n"
    assert "nested more than" in yaml_refusal(text)


def test_thousand_deep_nesting_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC_YAML + "tags: " + nested(1000) + "\n")
    line = len(SPEC_YAML.splitlines()) + 1
    assert refusal(path).startswith(f"{path}: invalid YAML (line {line}, column ")


def test_long_integers_are_refused_before_python_converts_them() -> None:
    assert load_document("n: " + "9" * MAX_INT_CHARS, "f.yaml")["n"] == int("9" * MAX_INT_CHARS)
    for number in ["9" * 5000, ":".join(["1"] * 40)]:  # decimal; YAML 1.1 base 60
        assert yaml_refusal(f"n: {number}\n") == (
            f"f.yaml: invalid YAML (line 1, column 4): a number of {len(number)} characters; "
            f"at most {MAX_INT_CHARS} (quote it if it is text)"
        )
    assert load_document(f"n: '{'9' * 5000}'", "f.yaml")["n"] == "9" * 5000


@pytest.mark.parametrize("tag", ["!!int", "!!float", "!!timestamp", "!!binary", "!!bool"])
def test_a_value_that_is_not_its_tag_is_refused_without_quoting_it(tag: str) -> None:
    message = yaml_refusal(f"a: 1\nb: {tag} {SECRET}x\n")  # 13 base64 digits: not binary
    assert message.startswith("f.yaml: invalid YAML (line 2, column 4): ")
    assert SECRET not in message


def test_python_tags_are_refused() -> None:
    message = yaml_refusal("a: !!python/object/apply:os.system [ls]\n")
    assert "could not determine a constructor" in message


def test_yaml_errors_never_quote_the_line(tmp_path: Path) -> None:
    """An unterminated quote around a secret: the message gives line and column only."""
    text = SPEC_YAML + f'secret_environment:\n  API_TOKEN: "{SECRET}\n  OTHER: x\n'
    message = refusal(write(tmp_path, text))
    assert message.startswith(f"{tmp_path / 'lambda.yaml'}: invalid YAML (line ")
    assert SECRET not in message and "API_TOKEN" not in message


def test_bad_files_do_not_stop_validate_checking_the_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {
        "deep.yaml": SPEC_YAML + "tags: " + nested(1000) + "\n",
        "bigint.yaml": SPEC_YAML.replace("orders-api", "a") + "memory_mb: " + "9" * 5000 + "\n",
        "bomb.yaml": SPEC_YAML
        + "tags:\n"
        + "".join(f"  {x}\n" for x in ALIAS_BOMB.split("\n") if x),
    }
    paths = [str(write(tmp_path, text, name)) for name, text in bad.items()]
    paths.append(str(write(tmp_path, SPEC_YAML, "good.yaml")))
    assert main(["validate", *paths]) == 1
    out, err = capsys.readouterr()
    assert out.strip() == f"{paths[-1]}: valid (orders-api)"
    for path in paths[:-1]:
        assert f"{path}: invalid YAML (line " in err
    assert "Traceback" not in err and "error:" not in err


# --- JSON text (config values) --------------------------------------------------------


def test_json_within_the_same_bounds() -> None:
    assert load_json(json.dumps(SPEC), "k") == SPEC
    assert load_json('{"a": [1, 2]}', "k") == {"a": [1, 2]}
    for text in ["[" * 100_000 + "]" * 100_000, "9" * 5000, nested(MAX_DEPTH + 1)]:
        with pytest.raises(ManifestError, match=r"^k: "):
            load_json(text.replace("x", "1"), "k")
    with pytest.raises(ManifestError) as caught:
        load_json('{"API_TOKEN": "' + SECRET, "k")
    assert (
        str(caught.value) == "k: invalid JSON (line 1, column 15): Unterminated string starting at"
    )


def test_check_bounds_on_plain_data() -> None:
    deep: Any = "x"
    for _ in range(MAX_DEPTH):
        deep = [deep]
    with pytest.raises(ManifestError, match="nested more than"):
        check_bounds(deep, "k")
    check_bounds(deep[0], "k")
    with pytest.raises(ManifestError, match="more than"):
        check_bounds(list(range(MAX_NODES)), "k")


# --- stack files, Pulumi.yaml, stack inputs -------------------------------------------


def stack_project(folder: Path, stack_text: str, stack: str = "dev") -> Path:
    write(folder, "name: planton-lambda\nruntime: python\n", "Pulumi.yaml")
    write(folder, stack_text, f"Pulumi.{stack}.yaml")
    return folder


def spec_config(spec: dict[str, Any], extra: str = "") -> str:
    body = "".join(f"    {line}\n" for line in yaml.safe_dump(spec, sort_keys=False).splitlines())
    return f"config:\n  aws:region: us-east-1\n  {SPEC_KEY}:\n{body}{extra}"


def test_stack_file_errors_give_line_and_column_only(tmp_path: Path) -> None:
    """Issue: the offending line, which may hold a secret, was printed."""
    text = spec_config(SPEC) + f'    secret_environment:\n      API_TOKEN: "{SECRET}\n'
    stack_project(tmp_path, text)
    with pytest.raises(ManifestError) as caught:
        stack_file_config(tmp_path, "dev")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'Pulumi.dev.yaml'}: invalid YAML (line ")
    assert SECRET not in message and "\n" not in message


def test_stack_file_key_given_twice_is_refused(tmp_path: Path) -> None:
    stack_project(tmp_path, spec_config(SPEC) + "  aws:region: us-west-2\n")
    with pytest.raises(
        ManifestError, match=r"line \d+, column 3\): key 'aws:region' appears twice"
    ):
        stack_file_config(tmp_path, "dev")


def test_stack_file_alias_bomb_is_refused(tmp_path: Path) -> None:
    bomb = "".join(f"    {line}\n" for line in ALIAS_BOMB.split("\n") if line)
    stack_project(tmp_path, spec_config(SPEC) + "  other:key:\n" + bomb)
    with pytest.raises(ManifestError, match=r"Pulumi\.dev\.yaml: invalid YAML .*more than"):
        stack_file_config(tmp_path, "dev")


def test_empty_and_odd_stack_files(tmp_path: Path) -> None:
    assert stack_file_config(stack_project(tmp_path, ""), "dev") == {}
    assert stack_file_config(stack_project(tmp_path, "config:\n"), "dev") == {}
    stack_project(tmp_path, "- a\n")
    with pytest.raises(ManifestError, match="top level is not a mapping"):
        stack_file_config(tmp_path, "dev")
    stack_project(tmp_path, "config: [a]\n")
    with pytest.raises(ManifestError, match="config is not a mapping"):
        stack_file_config(tmp_path, "dev")


@pytest.mark.parametrize("stack", ["", "dev/", "a b", "x" * 101, "a/b/c/d"])
def test_stack_names_follow_pulumi(stack: str) -> None:
    with pytest.raises(ManifestError, match="is not a Pulumi stack name"):
        stack_file_name(stack)


def test_qualified_stack_names_use_the_last_part() -> None:
    assert stack_file_name("dev") == "dev"
    assert stack_file_name("org/project/dev.eu_1") == "dev.eu_1"


def test_pulumi_yaml_is_read_within_the_bounds(tmp_path: Path) -> None:
    write(tmp_path, "name: p\nruntime: python\n" + ALIAS_BOMB, "Pulumi.yaml")
    with pytest.raises(ManifestError, match=r"Pulumi\.yaml: invalid YAML \(line"):
        read_project(tmp_path)
    write(tmp_path, "- p\n", "Pulumi.yaml")
    with pytest.raises(ManifestError, match="top level is not a mapping"):
        read_project(tmp_path)


def test_stack_input_file_is_read_within_the_bounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STACK_INPUT_ENV, "/dev/zero")
    with pytest.raises(ManifestError, match=r"^/dev/zero: is a character device"):
        spec_from_config(lambda key: None, tmp_path)


def test_manifest_path_in_config_is_read_within_the_bounds(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fn.yaml")
    with pytest.raises(ManifestError, match="is a FIFO"):
        spec_from_config({MANIFEST_KEY: "fn.yaml"}.get, tmp_path)
    with pytest.raises(ManifestError, match="must be a manifest file path"):
        spec_from_config({MANIFEST_KEY: {"path": "fn.yaml"}}.get, tmp_path)


# --- config values: JSON text, and Pulumi's encrypted `secure:` values ------------------


@pytest.mark.parametrize(
    "value",
    [json.dumps(SPEC), "  " + json.dumps(SPEC, indent="\t"), SPEC_YAML],
    ids=["json", "json-with-tabs", "yaml"],
)
def test_spec_as_text_reads_like_the_mapping(tmp_path: Path, value: str) -> None:
    """Issue: a JSON-string spec worked in the program but was refused by `plan --stack`."""
    found = spec_from_config({SPEC_KEY: value}.get, tmp_path)
    assert found.spec == spec_from_config({SPEC_KEY: SPEC}.get, tmp_path).spec


def test_spec_text_that_is_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=rf"^{SPEC_KEY}: invalid JSON \(line 1, column 2\)"):
        spec_from_config({SPEC_KEY: "{oops"}.get, tmp_path)
    with pytest.raises(ManifestError, match=rf"^{SPEC_KEY}: expected a mapping"):
        spec_from_config({SPEC_KEY: "just words"}.get, tmp_path)
    with pytest.raises(ManifestError, match=rf"^{SPEC_KEY}: invalid JSON: nested too deeply"):
        spec_from_config({SPEC_KEY: "[" * 100_000}.get, tmp_path)


def encrypted(value: str = "v1:AAABBBcipher==") -> dict[str, str]:
    return {"secure": value}


def test_secure_secret_environment_is_a_placeholder(tmp_path: Path) -> None:
    spec = {**SPEC, "secret_environment": {"API_TOKEN": encrypted()}}
    stack_project(tmp_path, "config:\n  " + SPEC_KEY + ": " + json.dumps(spec) + "\n")
    config = stack_file_config(tmp_path, "dev")
    assert config[SPEC_KEY]["secret_environment"]["API_TOKEN"] == encrypted()  # as Pulumi wrote it
    found = spec_from_config(config.get, tmp_path)
    value = found.spec.secret_environment["API_TOKEN"]
    plain = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    assert plain == ENCRYPTED_PLACEHOLDER
    # The engine passes config objects as JSON: the program reads them the same way.
    as_json = spec_from_config({SPEC_KEY: json.dumps(config[SPEC_KEY])}.get, tmp_path)
    assert as_json.spec == found.spec


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({**SPEC, "environment": {"API_TOKEN": encrypted()}}, "environment.API_TOKEN"),
        ({**SPEC, "tags": {"owner": encrypted()}}, "tags.owner"),
        ({**SPEC, "subnets": [encrypted()], "security_groups": ["sg-1"]}, "subnets[0]"),
        (encrypted(), ""),
    ],
    ids=["environment", "tags", "list", "whole-spec"],
)
def test_secure_anywhere_else_names_the_key(tmp_path: Path, value: Any, where: str) -> None:
    with pytest.raises(ManifestError) as caught:
        spec_from_config({SPEC_KEY: value}.get, tmp_path)
    message = str(caught.value)
    key = f"{SPEC_KEY}.{where}" if where else SPEC_KEY
    assert message.startswith(f"{key}: is encrypted (secure:) and cannot be read offline")
    assert "v1:AAABBBcipher" not in message


def test_secure_in_a_manifest_envelope_and_a_stack_input(tmp_path: Path) -> None:
    spec = {**SPEC, "secret_environment": {"API_TOKEN": encrypted()}}
    manifest = {
        "apiVersion": "aws.project-planton.org/v1",
        "kind": "AwsLambda",
        "metadata": {"name": "orders"},
        "spec": spec,
    }
    assert spec_from_config({SPEC_KEY: manifest}.get, tmp_path).name == "orders"
    stack_input = {"target": manifest}
    found = spec_from_config({"planton-cloud:stack-input": json.dumps(stack_input)}.get, tmp_path)
    assert "API_TOKEN" in found.spec.secret_environment


def test_read_text_reads_what_load_manifest_reads(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC_YAML)
    assert read_text(path) == read_text(str(path)) == SPEC_YAML


def test_load_manifest_document_reads_once_for_envelope_and_spec(tmp_path: Path) -> None:
    from planton_lambda.load.manifest import load_manifest_document

    envelope = {
        "apiVersion": "aws.project-planton.org/v1",
        "kind": "AwsLambda",
        "metadata": {"name": "orders"},
        "spec": SPEC,
    }
    document, spec = load_manifest_document(write(tmp_path, yaml.safe_dump(envelope)))
    assert document["metadata"]["name"] == "orders"
    assert spec == load_manifest(SPEC_YAML)
    os.mkfifo(tmp_path / "fifo.yaml")
    with pytest.raises(ManifestError, match="is a FIFO"):
        load_manifest_document(tmp_path / "fifo.yaml")
