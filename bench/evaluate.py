"""How much the component costs over hand-written pulumi-aws code, under the mock engine.

Evaluates N full-featured functions (created role with a managed policy, a layer, a canary
alias with weights, an alias with provisioned concurrency, a public URL) with AwsLambda,
and, side by side in the same process, a hand-written program registering the same
resources with raw pulumi-aws calls. Prints seconds per function for both, the ratio
component/raw, and how per-function time scales from N=100 to N=1000. Also times the same
functions constructed through the component provider (as TypeScript, Go, C#, Java or YAML
programs create them): camelCase inputs with every number a float, mapped and converted by
the provider before the component runs.

    python bench/evaluate.py            # N=200, scaling 100 -> 1000
    python bench/evaluate.py --n 50 --scale-from 20 --scale-to 100 --repeat 1
    python bench/evaluate.py --source-positions   # with the engine's call-stack capture
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and bench/packaging.py would
# shadow the `packaging` library Pulumi imports.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import pulumi  # noqa: E402
import pulumi_aws as aws  # noqa: E402

from planton_lambda import AwsLambda, AwsLambdaSpec  # noqa: E402
from planton_lambda.resources.provider import TYPE_TOKEN, make_provider  # noqa: E402
from planton_lambda.resources.role import TRUST_POLICY, PolicyInputs, execution_policy  # noqa: E402
from planton_lambda.spec.args import field_names  # noqa: E402
from planton_lambda.testing import run_mocked  # noqa: E402

MANAGED_POLICY = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"


def full_spec(i: int) -> dict[str, Any]:
    return {
        "function_name": f"bench-{i}",
        "code_source_type": "CODE_SOURCE_TYPE_S3",
        "s3": {"bucket": "bench-code", "key": f"fn-{i}.zip"},
        "runtime": "python3.13",
        "handler": "app.handler",
        "memory_mb": 512,
        "environment": {"STAGE": "bench"},
        "role": {"managed_policy_arns": [MANAGED_POLICY]},
        "layers": [
            {
                "name": f"bench-deps-{i}",
                "code_source_type": "CODE_SOURCE_TYPE_S3",
                "s3": {"bucket": "bench-code", "key": "deps.zip"},
                "compatible_runtimes": ["python3.13"],
            }
        ],
        "aliases": [
            {
                "name": "live",
                "function_version": "3",
                "additional_version_weights": {"current": 0.1},
            },
            {"name": "warm", "provisioned_concurrency": 2},
        ],
        "function_url": {"auth_type": "NONE", "public": True, "alias": "live"},
    }


def component_program(n: int) -> Callable[[], None]:
    specs = [full_spec(i) for i in range(n)]

    def program() -> None:
        for i, spec in enumerate(specs):
            AwsLambda(f"fn{i}", spec)

    return program


def wire_shaped(value: Any, fields: frozenset[str]) -> Any:
    """Inputs as another language sends them: schema (camelCase) names, numbers as floats."""
    if isinstance(value, dict):
        return {(_camel(k) if k in fields else k): wire_shaped(v, fields) for k, v in value.items()}
    if isinstance(value, list):
        return [wire_shaped(v, fields) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def provider_program(n: int) -> Callable[[], None]:
    provider = make_provider()
    fields = field_names()
    inputs = [wire_shaped(full_spec(i), fields) for i in range(n)]

    def program() -> None:
        for i, wired in enumerate(inputs):
            provider.construct(f"fn{i}", TYPE_TOKEN, dict(wired), None)

    return program


def raw_program(n: int) -> Callable[[], None]:
    """The same resources, written by hand as a user without the component would."""

    def one(i: int) -> None:
        name = f"fn{i}"
        function_name = f"bench-{i}"
        logs = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=f"/aws/lambda/{function_name}", retention_in_days=14
        )
        role = aws.iam.Role(f"{name}-role", assume_role_policy=json.dumps(TRUST_POLICY))
        policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=role.id,
            policy=logs.arn.apply(
                lambda arn: json.dumps(execution_policy(PolicyInputs(log_group_arn=arn)))
            ),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-role-managed", role=role.name, policy_arn=MANAGED_POLICY
        )
        layer = aws.lambda_.LayerVersion(
            f"{name}-layer",
            layer_name=f"bench-deps-{i}",
            s3_bucket="bench-code",
            s3_key="deps.zip",
            compatible_runtimes=["python3.13"],
        )
        function = aws.lambda_.Function(
            name,
            name=function_name,
            role=role.arn,
            runtime="python3.13",
            handler="app.handler",
            s3_bucket="bench-code",
            s3_key=f"fn-{i}.zip",
            memory_size=512,
            timeout=3,
            ephemeral_storage={"size": 512},
            architectures=["x86_64"],
            environment={"variables": {"STAGE": "bench"}},
            tracing_config={"mode": "PassThrough"},
            publish=True,
            layers=[layer.arn],
            logging_config={"log_format": "Text", "log_group": logs.name},
            opts=pulumi.ResourceOptions(depends_on=[logs, policy, attachment]),
        )
        live = aws.lambda_.Alias(
            f"{name}-live",
            name="live",
            function_name=function.name,
            function_version="3",
            routing_config={
                "additional_version_weights": function.version.apply(lambda v: {v: 0.1})
            },
        )
        warm = aws.lambda_.Alias(
            f"{name}-warm",
            name="warm",
            function_name=function.name,
            function_version=function.version,
        )
        aws.lambda_.ProvisionedConcurrencyConfig(
            f"{name}-warm-concurrency",
            function_name=function.name,
            qualifier=warm.name,
            provisioned_concurrent_executions=2,
        )
        aws.lambda_.FunctionUrl(
            f"{name}-url",
            function_name=function.name,
            qualifier=live.name,
            authorization_type="NONE",
        )
        aws.lambda_.Permission(
            f"{name}-url-public-access",
            action="lambda:InvokeFunctionUrl",
            function=function.name,
            principal="*",
            function_url_auth_type="NONE",
            qualifier=live.name,
        )
        aws.lambda_.Permission(
            f"{name}-url-public-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="*",
            invoked_via_function_url=True,
            qualifier=live.name,
        )

    def program() -> None:
        for i in range(n):
            one(i)

    return program


SOURCE_POSITIONS = False  # set by --source-positions


def seconds(program: Callable[[], None]) -> tuple[float, int]:
    start = time.perf_counter()
    run = run_mocked(program, source_positions=SOURCE_POSITIONS)
    return time.perf_counter() - start, len(run.resources)


def best(make: Callable[[int], Callable[[], None]], n: int, repeat: int) -> tuple[float, int]:
    runs = [seconds(make(n)) for _ in range(repeat)]
    return min(t for t, _ in runs), runs[0][1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="functions per run (default 200)")
    parser.add_argument("--scale-from", type=int, default=100)
    parser.add_argument("--scale-to", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs (default 3)")
    parser.add_argument(
        "--source-positions",
        action="store_true",
        help="capture each registration's source position, as a real `pulumi up` does",
    )
    args = parser.parse_args()
    global SOURCE_POSITIONS
    SOURCE_POSITIONS = args.source_positions

    AwsLambdaSpec.model_validate(full_spec(0))  # warm imports and schema building
    seconds(component_program(2))
    seconds(raw_program(2))

    comp_raw: list[tuple[float, float, int, int]] = []
    for _ in range(args.repeat):  # interleaved, so drift on a noisy machine hits both alike
        c, c_count = seconds(component_program(args.n))
        r, r_count = seconds(raw_program(args.n))
        comp_raw.append((c, r, c_count, r_count))
    component_s = min(c for c, _, _, _ in comp_raw)
    raw_s = min(r for _, r, _, _ in comp_raw)
    _, _, c_count, r_count = comp_raw[0]
    print(f"functions: {args.n}  (resources: component {c_count}, raw {r_count})")
    print(f"component: {component_s / args.n * 1000:.2f} ms per function")
    print(f"raw:       {raw_s / args.n * 1000:.2f} ms per function")
    print(f"overhead ratio component/raw: {component_s / raw_s:.3f}  (target <= 1.15)")

    seconds(provider_program(2))
    through_provider, p_count = best(provider_program, args.n, args.repeat)
    assert p_count == c_count, (p_count, c_count)
    print(
        f"through the provider (construct): {through_provider / args.n * 1000:.2f} ms per "
        f"function; ratio provider/component {through_provider / component_s:.3f}"
    )

    small, _ = best(component_program, args.scale_from, args.repeat)
    large, _ = best(component_program, args.scale_to, max(1, args.repeat - 1))
    per_small = small / args.scale_from
    per_large = large / args.scale_to
    print(
        f"scaling: {per_small * 1000:.2f} ms/function at N={args.scale_from}, "
        f"{per_large * 1000:.2f} ms/function at N={args.scale_to}; "
        f"ratio {per_large / per_small:.3f}  (flat is 1.0)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
