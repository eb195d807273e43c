"""The README's commands and spec reference stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from planton_lambda.spec.function import AwsLambdaSpec
from planton_lambda.spec.reference import readme_section, spec_reference

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_spec_reference_matches_the_models() -> None:
    assert readme_section(README) == spec_reference(), (
        "README spec reference is stale: paste `python -m planton_lambda.spec.reference` output"
    )


def test_every_spec_field_is_documented() -> None:
    section = readme_section(README)
    for field in AwsLambdaSpec.model_fields:
        assert f"| `{field}` |" in section, field


def test_setup_commands_come_first() -> None:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    install, tests = blocks[0], blocks[1]
    assert "pip install -e '.[dev]'" in install
    assert "planton-lambda plan --stack dev" in install
    assert tests.strip() == "pytest"
    assert README.index(install) < README.index("## ")


def test_ci_runs_the_readme_commands() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[dev]'" in ci
    assert "\npytest\n" in ci
