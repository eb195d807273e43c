"""Property tests: whatever a spec holds, validation answers with a spec or a SpecError.

- random mappings built from the spec's field names (both spellings, nested models too)
  with values of random types never raise anything but SpecError;
- mutations of a valid spec (a field replaced, removed or added, at any depth) likewise,
  and a secret value never shows in the error;
- every generated valid spec validates, and round-trips through model_dump (snake_case
  and camelCase) to an equal model.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from planton_lambda import AwsLambdaSpec, DeprecatedRuntimeWarning, SpecError, validate_spec
from planton_lambda.spec import runtimes as runtime_table
from planton_lambda.spec.function import LOG_RETENTION_DAYS

# Runtimes a new function may still use today (AWS blocks creates on the others).
_CREATABLE_RUNTIMES = [
    r.identifier for r in runtime_table.RUNTIMES.values() if not r.create_blocked(dt.date.today())
]

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECRET_MARK = "zq-secret-7c1e"
PROBLEM_LINE = re.compile(r"^[^\n]+: [^\n]+$")


def _all_models(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[Any]:
    """`model` and every model its fields hold, found through the field annotations."""
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for inner in _models_in(field.annotation):
            _all_models(inner, seen)
    return seen


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_models_in(arg))
    return found


FIELD_NAMES = sorted(
    {
        spelling
        for model in _all_models(AwsLambdaSpec)
        for name, field in model.model_fields.items()
        for spelling in (name, field.alias or name)
    }
)
INTERESTING = [
    "current",
    "$LATEST",
    "3",
    "0",
    "-1",
    "",
    " ",
    "CODE_SOURCE_TYPE_S3",
    "CODE_SOURCE_TYPE_IMAGE",
    "CODE_SOURCE_TYPE_LOCAL",
    "X86_64",
    "ARM64",
    "NONE",
    "AWS_IAM",
    "Active",
    "JSON",
    "python3.13",
    "nodejs18.x",
    "app.handler",
    "arn:aws:iam::123456789012:role/r",
    "subnet-1",
    "sg-1",
    "~",
    "~nobody/x",
    "a\x00b",
    "{x}",
    "%s",
    "../..",
    "AWS_REGION",
    "AWS_LAMBDA_EXEC_WRAPPER",
]

keys = st.one_of(
    st.sampled_from(FIELD_NAMES),
    st.text(max_size=12),
    st.integers(-3, 3),
    st.sampled_from(INTERESTING),
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(INTERESTING),
    st.sampled_from(runtime_table.supported_identifiers()),
    st.sampled_from(LOG_RETENTION_DAYS),
)
values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=20,
)
random_specs = st.dictionaries(keys, values, max_size=12)


def _outcome(data: Any) -> AwsLambdaSpec | SpecError:
    """Validate; any exception but SpecError fails the test by propagating."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecatedRuntimeWarning)
        try:
            return validate_spec(data)
        except SpecError as error:
            assert error.problems, "a SpecError lists at least one problem"
            for line in error.problems:
                assert PROBLEM_LINE.match(line), f"not a `path: message` line: {line!r}"
            return error


@SETTINGS
@given(random_specs)
def test_random_mappings_only_raise_spec_error(data: dict[Any, Any]) -> None:
    _outcome(data)


@SETTINGS
@given(values)
def test_random_values_only_raise_spec_error(data: Any) -> None:
    assert isinstance(_outcome(data), SpecError | AwsLambdaSpec)


# --- valid specs ----------------------------------------------------------------------

names = st.from_regex(r"\A[A-Za-z0-9_-]{1,64}\Z")
alias_names = st.from_regex(r"\A[a-z][a-z0-9_-]{0,30}\Z")
version_numbers = st.integers(1, 500).map(str)
account = "123456789012"


@st.composite
def refs(draw: st.DrawFn, literal: st.SearchStrategy[str]) -> Any:
    """A StringValueOrRef in one of its spellings."""
    kind = draw(st.sampled_from(["bare", "value", "value_from"]))
    if kind == "value_from":
        stack = draw(st.sampled_from(["prod", "net/prod", "acme/net/prod"]))
        return {"value_from": {"stack": stack, "output": draw(st.sampled_from(["a", "ids"]))}}
    text = draw(literal)
    return text if kind == "bare" else {"value": text}


role_arns = st.from_regex(rf"\Aarn:aws:iam::{account}:role/[A-Za-z0-9_-]{{1,20}}\Z")
subnet_ids = st.from_regex(r"\Asubnet-[a-f0-9]{3,17}\Z")
sg_ids = st.from_regex(r"\Asg-[a-f0-9]{3,17}\Z")
layer_arns = st.from_regex(rf"\Aarn:aws:lambda:us-east-1:{account}:layer:[a-z]{{1,10}}:[1-9]\Z")
env_values = st.text(st.characters(codec="utf-8"), max_size=40)


@st.composite
def aliases(draw: st.DrawFn) -> list[dict[str, Any]]:
    result = []
    for name in draw(st.lists(alias_names, max_size=3, unique=True)):
        version = draw(st.one_of(st.just("current"), st.just("$LATEST"), version_numbers))
        alias: dict[str, Any] = {"name": name, "function_version": version}
        if draw(st.booleans()):
            alias["description"] = draw(st.text(max_size=40))
        if version != "$LATEST" and draw(st.booleans()):
            taken = version
            other = draw(
                st.one_of(st.just("current"), version_numbers).filter(
                    lambda v, taken=taken: v != taken
                )
            )
            alias["additional_version_weights"] = {
                other: draw(st.floats(min_value=0.01, max_value=0.99))
            }
        elif version != "$LATEST" and draw(st.booleans()):
            alias["provisioned_concurrency"] = draw(st.integers(1, 100))
        result.append(alias)
    return result


@st.composite
def layers(draw: st.DrawFn, room: int) -> list[dict[str, Any]]:
    result = []
    for name in draw(
        st.lists(st.from_regex(r"\A[a-z][a-z0-9_-]{0,20}\Z"), max_size=room, unique=True)
    ):
        if draw(st.booleans()):
            layer: dict[str, Any] = {
                "name": name,
                "code_source_type": "CODE_SOURCE_TYPE_S3",
                "s3": {"bucket": "layer-bucket", "key": f"{name}.zip"},
            }
        else:
            layer = {
                "name": name,
                "code_source_type": "CODE_SOURCE_TYPE_LOCAL",
                "local": {"path": f"/srv/layers/{name}", "excludes": ["*.md"]},
            }
        layer["compatible_runtimes"] = draw(
            st.lists(st.sampled_from(runtime_table.supported_identifiers()), max_size=3)
        )
        layer["compatible_architectures"] = draw(
            st.lists(st.sampled_from(["X86_64", "ARM64"]), max_size=2, unique=True)
        )
        result.append(layer)
    return result


@st.composite
def valid_specs(draw: st.DrawFn) -> dict[str, Any]:
    source = draw(
        st.sampled_from(["CODE_SOURCE_TYPE_S3", "CODE_SOURCE_TYPE_IMAGE", "CODE_SOURCE_TYPE_LOCAL"])
    )
    spec: dict[str, Any] = {"function_name": draw(names), "code_source_type": source}
    if source == "CODE_SOURCE_TYPE_IMAGE":
        spec["image_uri"] = f"{account}.dkr.ecr.us-east-1.amazonaws.com/app:{draw(version_numbers)}"
        if draw(st.booleans()):
            spec["image_config"] = {"command": ["app.handler"], "working_directory": "/var/task"}
    else:
        if source == "CODE_SOURCE_TYPE_S3":
            spec["s3"] = {"bucket": "code-bucket", "key": "fn.zip"}
        else:
            spec["local"] = {"path": draw(st.sampled_from(["src", "/srv/fn", "./a/../b"]))}
        spec["runtime"] = draw(st.sampled_from(_CREATABLE_RUNTIMES))
        spec["handler"] = draw(st.from_regex(r"\A[a-z_]{1,10}\.[a-z_]{1,10}\Z"))
    optional = {
        "description": st.text(max_size=256),
        "memory_mb": st.integers(128, 10240),
        "timeout_seconds": st.integers(1, 900),
        "ephemeral_storage_mb": st.integers(512, 10240),
        "architecture": st.sampled_from(["X86_64", "ARM64"]),
        "reserved_concurrency": st.one_of(st.none(), st.integers(-1, 1000)),
        "kms_key_arn": refs(st.just(f"arn:aws:kms:us-east-1:{account}:key/abc-123")),
        "tracing": st.sampled_from(["PassThrough", "Active"]),
        "dead_letter_target_arn": refs(st.just(f"arn:aws:sqs:us-east-1:{account}:dlq")),
        "log_retention_days": st.sampled_from(LOG_RETENTION_DAYS),
        "log_format": st.sampled_from(["Text", "JSON"]),
        "tags": st.dictionaries(
            # AWS's tag alphabet: letters, digits, spaces and _.:/=+-@ (IAM tagValueType).
            st.from_regex(r"\A[a-z]{1,20}\Z"),
            st.text(
                st.characters(categories=["L", "N", "Zs"], include_characters="_.:/=+-@"),
                max_size=50,
            ),
            max_size=5,
        ),
    }
    for field, strategy in optional.items():
        if draw(st.booleans()):
            spec[field] = draw(strategy)
    if draw(st.booleans()):
        spec["role_arn"] = draw(refs(role_arns))
    elif draw(st.booleans()):
        spec["role"] = {
            "managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
            "policy_statements": [
                {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}
            ],
        }
    # Environment: E* and S* keys are never reserved and never shared; well under 4 KB.
    spec["environment"] = draw(
        st.dictionaries(st.from_regex(r"\AE[A-Z0-9_]{1,15}\Z"), env_values, max_size=5)
    )
    spec["secret_environment"] = draw(
        st.dictionaries(
            st.from_regex(r"\AS[A-Z0-9_]{1,15}\Z"),
            env_values.map(lambda v: v + SECRET_MARK),
            max_size=5,
        )
    )
    if draw(st.booleans()):
        spec["subnets"] = draw(st.lists(refs(subnet_ids), min_size=1, max_size=3))
        spec["security_groups"] = draw(st.lists(refs(sg_ids), min_size=1, max_size=3))
    if source != "CODE_SOURCE_TYPE_IMAGE":
        spec["layer_arns"] = draw(st.lists(refs(layer_arns), max_size=3))
        spec["layers"] = draw(layers(5 - len(spec["layer_arns"])))
    spec["aliases"] = draw(aliases())
    # AWS draws provisioned concurrency from the reservation: keep a reservation that fits.
    provisioned = sum(a.get("provisioned_concurrency", 0) for a in spec["aliases"])
    if spec.get("reserved_concurrency") not in (None, -1):
        spec["reserved_concurrency"] = max(spec["reserved_concurrency"], provisioned)
    uses_current = any(
        "current" in {a["function_version"], *a.get("additional_version_weights", {})}
        for a in spec["aliases"]
    )
    choices = [None, True] if uses_current else [None, True, False]
    publish = draw(st.sampled_from(choices))
    if publish is not None:
        spec["publish"] = publish
    if draw(st.booleans()):
        auth = draw(st.sampled_from(["AWS_IAM", "NONE"]))
        url: dict[str, Any] = {"auth_type": auth, "public": auth == "NONE"}
        alias_names_ = [a["name"] for a in spec["aliases"]]
        if alias_names_ and draw(st.booleans()):
            url["alias"] = draw(st.sampled_from(alias_names_))
        if draw(st.booleans()):
            url["cors"] = {"allow_origins": ["https://example.com"], "allow_methods": ["GET"]}
        spec["function_url"] = url
    return spec


@SETTINGS
@given(valid_specs())
def test_generated_valid_specs_validate_and_round_trip(data: dict[str, Any]) -> None:
    parsed = _outcome(data)
    assert isinstance(parsed, AwsLambdaSpec), str(parsed)
    assert _outcome(parsed.model_dump()) == parsed
    assert _outcome(parsed.model_dump(by_alias=True)) == parsed
    dumped = parsed.model_dump(mode="json")
    # Secret values are masked in every dump; put the real ones back for the round trip.
    assert set(dumped["secret_environment"].values()) <= {"**********"}
    dumped["secret_environment"] = {
        key: value.get_secret_value() for key, value in parsed.secret_environment.items()
    }
    assert _outcome(dumped) == parsed
    assert parsed.publishes == (data.get("publish", bool(data["aliases"])))


# --- mutations of a valid spec --------------------------------------------------------


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside `data` (mapping keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.extend(_paths(value, (*prefix, i)))
    return found


@st.composite
def mutated_specs(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(draw(valid_specs()))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[last] = draw(values)
        elif action == "remove":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(keys)] = draw(values)
        else:
            parent.append(draw(values))
    return data


@SETTINGS
@given(mutated_specs())
def test_mutated_specs_only_raise_spec_error_and_hide_secrets(data: dict[str, Any]) -> None:
    outcome = _outcome(data)
    if isinstance(outcome, SpecError):
        assert SECRET_MARK not in str(outcome)


@pytest.mark.parametrize("field", sorted(AwsLambdaSpec.model_fields))
def test_every_field_survives_a_wrong_type(field: str) -> None:
    """A deterministic sweep: each field given each kind of wrong value."""
    base = {
        "function_name": "f",
        "code_source_type": "CODE_SOURCE_TYPE_S3",
        "s3": {"bucket": "bkt", "key": "k"},
        "runtime": "python3.13",
        "handler": "a.b",
    }
    for wrong in (None, True, -5, 1.5, float("nan"), "", "x", [], [1, "a"], {}, {"a": [None]}):
        outcome = _outcome({**base, field: wrong})
        if isinstance(outcome, SpecError):  # the error is the field's own, not a knock-on
            assert all(line.startswith(field) for line in outcome.problems), outcome.problems
