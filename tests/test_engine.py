"""The one module touching Pulumi's private internals: fail loudly when they change."""

from __future__ import annotations

import gc
from importlib.metadata import version

import pytest
from pulumi.runtime import resource as pulumi_resource

from planton_lambda.testing import engine as _engine


def test_pulumi_internals_still_match() -> None:
    problems = _engine.problems()
    assert problems == [], (
        f"pulumi {version('pulumi')} changed internals planton_lambda/testing/engine.py relies on "
        f"(known to work: {', '.join(_engine.TESTED_VERSIONS)}): {problems}. Mocked runs fall "
        "back to Pulumi's own (slower) wait; update _engine.py and TESTED_VERSIONS."
    )
    assert _engine._USABLE


def test_quick_engine_restores_what_it_swaps() -> None:
    capture = pulumi_resource._get_stack_trace
    assert gc.isenabled()
    with _engine.quick_engine(source_positions=False):
        assert pulumi_resource._get_stack_trace is not capture
        assert not gc.isenabled()
    assert pulumi_resource._get_stack_trace is capture
    assert gc.isenabled()
    with _engine.quick_engine(source_positions=True):
        assert pulumi_resource._get_stack_trace is capture


def test_quick_engine_restores_after_an_error() -> None:
    capture = pulumi_resource._get_stack_trace
    with pytest.raises(RuntimeError), _engine.quick_engine(source_positions=False):
        raise RuntimeError("boom")
    assert pulumi_resource._get_stack_trace is capture
    assert gc.isenabled()


def test_settle_reraises_the_programs_error_after_settling() -> None:
    import pulumi_aws as aws

    from planton_lambda.testing import run_mocked

    def program() -> None:
        aws.sqs.Queue("q")
        raise ValueError("from the program")

    with pytest.raises(ValueError, match="from the program"):
        run_mocked(program)


def test_fallback_when_internals_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the internals gone, runs still work (Pulumi's own wait) and nothing is swapped."""
    from planton_lambda.testing import run_mocked

    monkeypatch.setattr(_engine, "_USABLE", False)
    capture = pulumi_resource._get_stack_trace
    import pulumi_aws as aws

    run = run_mocked(lambda: aws.sqs.Queue("q", name="jobs"))
    assert run.one("aws:sqs/queue:Queue").inputs["name"] == "jobs"
    assert pulumi_resource._get_stack_trace is capture
