"""Starting a CodeDeploy deployment that shifts an alias to a version, and waiting for it.

The deployment's AppSpec names the function, the alias, the version the alias points at now
and the target version (https://docs.aws.amazon.com/codedeploy/latest/userguide/
reference-appspec-file-structure-resources.html, "AppSpec 'resources' section for AWS Lambda
deployments"; hooks in reference-appspec-file-structure-hooks.html: each a function name). The
content is JSON (AppSpec files may be YAML or JSON) sent as `AppSpecContent` (botocore's
codedeploy RevisionLocation). Statuses are botocore's DeploymentStatus; a deployment CodeDeploy
rolled back ends Failed or Stopped with `rollbackInfo.rollbackDeploymentId`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

DONE = frozenset({"Succeeded", "Failed", "Stopped"})
# Created, Queued, InProgress, Baking and Ready: not finished yet.
UNFINISHED = ("Created", "Queued", "InProgress", "Baking", "Ready")
POLL_SECONDS = 15.0


class RolloutError(Exception):
    """The deployment did not succeed: failed, stopped, rolled back, timed out or refused."""

    def __init__(self, message: str, deployment_id: str | None = None) -> None:
        super().__init__(message)
        self.deployment_id = deployment_id


@dataclass(frozen=True)
class Rollout:
    """What to deploy: the alias `alias` of `function_name` to `target_version`."""

    function_name: str
    alias: str
    target_version: str
    application: str
    deployment_group: str
    hooks: Mapping[str, str] = field(default_factory=dict)  # lifecycle event -> function name
    wait: bool = True
    timeout_minutes: int = 60

    @property
    def where(self) -> str:
        return f"{self.function_name}:{self.alias}"


@dataclass(frozen=True)
class Outcome:
    """How a rollout ended: `deployment_id` is None when the alias was already there."""

    status: str
    deployment_id: str | None = None
    current_version: str | None = None


def appspec(rollout: Rollout, current_version: str) -> str:
    """The AppSpec (JSON) shifting the alias from `current_version` to the target."""
    document: dict[str, Any] = {
        "version": 0.0,
        "Resources": [
            {
                rollout.function_name: {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Name": rollout.function_name,
                        "Alias": rollout.alias,
                        "CurrentVersion": current_version,
                        "TargetVersion": rollout.target_version,
                    },
                }
            }
        ],
    }
    if rollout.hooks:
        document["Hooks"] = [{event: name} for event, name in rollout.hooks.items()]
    return json.dumps(document, sort_keys=True)


def target_of(deployment: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(alias, target version) named by a deployment's AppSpec, when it is ours to read."""
    revision = deployment.get("revision") or {}
    content = (revision.get("appSpecContent") or revision.get("string") or {}).get("content")
    try:
        resources = json.loads(str(content))["Resources"]
        properties = next(iter(resources[0].values()))["Properties"]
        return str(properties["Alias"]), str(properties["TargetVersion"])
    except (TypeError, ValueError, KeyError, IndexError, StopIteration, AttributeError):
        return None, None


class Deployer:
    """Runs rollouts with a Lambda and a CodeDeploy client (boto3, or stubbed in tests)."""

    def __init__(
        self,
        lambda_client: Any,
        codedeploy_client: Any,
        *,
        poll_seconds: float = POLL_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.lam = lambda_client
        self.cd = codedeploy_client
        self.poll_seconds = poll_seconds
        self.sleep = sleep
        self.clock = clock
        self.log = log

    def run(self, rollout: Rollout) -> Outcome:
        """Shift the alias to the target: nothing when it is there, else a deployment (or
        the one already running towards the same target), waited for when `rollout.wait`."""
        alias = self.lam.get_alias(FunctionName=rollout.function_name, Name=rollout.alias)
        current = str(alias["FunctionVersion"])
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        running = self.running_deployment(rollout)
        if running is not None:
            deployment_id, target = running
            if target != rollout.target_version:
                raise RolloutError(
                    f"CodeDeploy deployment {deployment_id} is shifting {rollout.where} to "
                    f"version {target}; it must finish before version {rollout.target_version} "
                    "can be deployed: wait, or stop it (planton-lambda rollout stop) and run "
                    "pulumi up again",
                    deployment_id,
                )
            self.log(f"{rollout.where}: deployment {deployment_id} to {target} already running")
        elif current == rollout.target_version and not weights:
            return Outcome("Unchanged", None, current)
        else:
            deployment_id = self.start(rollout, current)
        if not rollout.wait:
            return Outcome("Started", deployment_id, current)
        return self.wait(rollout, deployment_id, current)

    def running_deployment(self, rollout: Rollout) -> tuple[str, str | None] | None:
        """(id, target version) of the group's unfinished deployment, if any."""
        listed = self.cd.list_deployments(
            applicationName=rollout.application,
            deploymentGroupName=rollout.deployment_group,
            includeOnlyStatuses=list(UNFINISHED),
        )
        for deployment_id in listed.get("deployments", []):
            info = self.cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
            if info.get("status") in DONE:
                continue
            _, target = target_of(info)
            return deployment_id, target
        return None

    def start(self, rollout: Rollout, current_version: str) -> str:
        content = appspec(rollout, current_version)
        response = self.cd.create_deployment(
            applicationName=rollout.application,
            deploymentGroupName=rollout.deployment_group,
            revision={
                "revisionType": "AppSpecContent",
                "appSpecContent": {
                    "content": content,
                    "sha256": hashlib.sha256(content.encode()).hexdigest(),
                },
            },
            description=f"planton-lambda: {rollout.where} {current_version} -> "
            f"{rollout.target_version}",
        )
        deployment_id = str(response["deploymentId"])
        self.log(
            f"{rollout.where}: deployment {deployment_id} shifts {current_version} -> "
            f"{rollout.target_version}"
        )
        return deployment_id

    def wait(self, rollout: Rollout, deployment_id: str, current_version: str) -> Outcome:
        """Poll until the deployment ends; raise unless it succeeded."""
        deadline = self.clock() + rollout.timeout_minutes * 60
        while True:
            info = self.cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
            status = str(info.get("status"))
            if status == "Succeeded":
                return Outcome(status, deployment_id, rollout.target_version)
            if status in DONE:
                raise RolloutError(failure_message(rollout, deployment_id, info), deployment_id)
            if self.clock() >= deadline:
                raise RolloutError(
                    f"CodeDeploy deployment {deployment_id} of {rollout.where} to version "
                    f"{rollout.target_version} is still {status} after "
                    f"{rollout.timeout_minutes} minutes (timeout_minutes); it goes on: the next "
                    "pulumi up waits for it again, planton-lambda rollout status shows it and "
                    "planton-lambda rollout stop rolls it back",
                    deployment_id,
                )
            self.sleep(self.poll_seconds)


def failure_message(rollout: Rollout, deployment_id: str, info: Mapping[str, Any]) -> str:
    status = info.get("status")
    error = info.get("errorInformation") or {}
    reason = ": ".join(str(part) for part in (error.get("code"), error.get("message")) if part)
    rollback = info.get("rollbackInfo") or {}
    what = "failed" if status == "Failed" else "was stopped"
    text = f"CodeDeploy deployment {deployment_id} of {rollout.where} to version "
    text += f"{rollout.target_version} {what}"
    if reason:
        text += f" ({reason})"
    if rollback.get("rollbackDeploymentId"):
        text += f" and was rolled back by deployment {rollback['rollbackDeploymentId']}"
        if rollback.get("rollbackMessage"):
            text += f" ({rollback['rollbackMessage']})"
    return text + "; the next pulumi up deploys the version again"


def latest_deployment(codedeploy_client: Any, application: str, group: str) -> dict[str, Any]:
    """The group's newest deployment (by creation time), or {} when it has none."""
    listed = codedeploy_client.list_deployments(
        applicationName=application, deploymentGroupName=group
    )
    ids = listed.get("deployments", [])[:25]  # BatchGetDeployments takes at most 25
    if not ids:
        return {}
    answer = codedeploy_client.batch_get_deployments(deploymentIds=ids)
    infos: list[dict[str, Any]] = list(answer.get("deploymentsInfo", []))
    if not infos:
        return {}
    return max(infos, key=lambda info: str(info.get("createTime") or ""))
