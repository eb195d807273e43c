"""`planton-lambda rollout status|stop --function NAME --alias NAME`: the CodeDeploy rollout
of an alias, read or stopped with boto3 (planton_lambda.rollout.clients says which
credentials and region it uses). Only the standard library is imported at module level.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, TextIO

_FUNCTION = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ALIAS = re.compile(r"(?![0-9]+\Z)[A-Za-z0-9_-]{1,128}")


def add_parser(commands: Any) -> None:
    rollout = commands.add_parser(
        "rollout", help="show or stop the CodeDeploy rollout of an alias (calls AWS)",
        description=(
            "Show (status) or stop (stop, then CodeDeploy rolls the alias back) the newest "
            "CodeDeploy deployment of an alias that has a deployment in its spec. Uses the "
            "standard AWS SDK configuration: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ..."
        ),
    )  # fmt: skip
    rollout.add_argument("action", choices=["status", "stop"])
    rollout.add_argument("--function", required=True, metavar="NAME", help="function_name")
    rollout.add_argument("--alias", required=True, metavar="NAME", help="the alias's name")
    rollout.add_argument("--region", help="the function's region (default: the SDK's)")
    rollout.add_argument("--json", action="store_true", help="print JSON")
    rollout.set_defaults(command=run)


def clients(region: str | None) -> tuple[Any, Any]:
    from planton_lambda.rollout.clients import client

    return client("lambda", region), client("codedeploy", region)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from planton_lambda.cli import UsageError

    out = out or sys.stdout
    if _FUNCTION.fullmatch(args.function) is None:
        raise UsageError(f"--function: {args.function!r} is not a function name")
    if _ALIAS.fullmatch(args.alias) is None:
        raise UsageError(f"--alias: {args.alias!r} is not an alias name")
    lam, cd = clients(args.region)
    report = status(lam, cd, args.function, args.alias)
    if args.action == "stop":
        report["stop"] = stop(cd, report)
    if args.json:
        print(json.dumps(report, indent=2, default=str), file=out)
    else:
        for line in describe(report):
            print(line, file=out)
    return 0


def status(lam: Any, cd: Any, function: str, alias: str) -> dict[str, Any]:
    from planton_lambda.rollout.codedeploy import latest_deployment, target_of
    from planton_lambda.spec.delivery import application_name, deployment_group_name

    found = lam.get_alias(FunctionName=function, Name=alias)
    weights = (found.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    info = latest_deployment(cd, application_name(function), deployment_group_name(alias))
    report: dict[str, Any] = {
        "function": function,
        "alias": alias,
        "version": found["FunctionVersion"],
        "weights": dict(weights),
        "deployment": None,
    }
    if info:
        _, target = target_of(info)
        error = info.get("errorInformation") or {}
        report["deployment"] = {
            "id": info.get("deploymentId"),
            "status": info.get("status"),
            "target_version": target,
            "config": info.get("deploymentConfigName"),
            "created": info.get("createTime"),
            "error": ": ".join(str(v) for v in (error.get("code"), error.get("message")) if v),
            "rollback": (info.get("rollbackInfo") or {}).get("rollbackDeploymentId"),
        }
    return report


def stop(cd: Any, report: dict[str, Any]) -> str:
    from planton_lambda.rollout.codedeploy import DONE

    deployment = report["deployment"]
    if not deployment or deployment["status"] in DONE:
        return "nothing to stop: no deployment is running"
    answer = cd.stop_deployment(deploymentId=deployment["id"], autoRollbackEnabled=True)
    return (
        f"stopping deployment {deployment['id']} ({answer.get('status')}): CodeDeploy rolls "
        f"the alias back to version {report['version']}"
    )


def describe(report: dict[str, Any]) -> list[str]:
    where = f"{report['function']}:{report['alias']}"
    traffic = f"version {report['version']}"
    for version, weight in report["weights"].items():
        traffic += f", version {version} at {weight:.0%}"
    lines = [f"{where}: {traffic}"]
    deployment = report["deployment"]
    if deployment is None:
        lines.append("no CodeDeploy deployment yet")
    else:
        text = f"deployment {deployment['id']}: {deployment['status']}"
        if deployment["target_version"]:
            text += f", to version {deployment['target_version']}"
        if deployment["config"]:
            text += f" ({deployment['config']})"
        lines.append(text)
        if deployment["error"]:
            lines.append(f"  reason: {deployment['error']}")
        if deployment["rollback"]:
            lines.append(f"  rolled back by deployment {deployment['rollback']}")
    if "stop" in report:
        lines.append(report["stop"])
    return lines
