"""Pulumi dynamic providers: the rollout (a CodeDeploy deployment) and version retention.

Pulumi runs `create`/`update` during `pulumi up` only: a preview calls `check` and `diff`,
which read nothing from AWS, and the mock engine (unit tests, `planton-lambda plan`) calls
none of them. An exception in `create`/`update` fails the `up` and leaves the resource's old
inputs in the state, so the next `up` sees the same difference and runs again.
"""

from __future__ import annotations

import sys
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from planton_lambda.rollout.clients import client, region_of
from planton_lambda.rollout.codedeploy import Deployer, Outcome, Rollout
from planton_lambda.rollout.retention import prune_versions

# The inputs whose change means "deploy again" (the rollout) or "prune again" (retention).
ROLLOUT_INPUTS = (
    "function_name", "alias", "target_version", "application", "deployment_group", "hooks",
    "wait", "timeout_minutes", "function_arn",
)  # fmt: skip
RETENTION_INPUTS = ("function_name", "keep", "latest_version", "function_arn", "groups")


def _log(message: str) -> None:
    # The dynamic provider's stderr reaches `pulumi up`'s diagnostics.
    print(message, file=sys.stderr)


def rollout_of(props: dict[str, Any]) -> Rollout:
    return Rollout(
        function_name=str(props["function_name"]),
        alias=str(props["alias"]),
        target_version=str(props["target_version"]),
        application=str(props["application"]),
        deployment_group=str(props["deployment_group"]),
        hooks={str(k): str(v) for k, v in (props.get("hooks") or {}).items()},
        wait=bool(props.get("wait", True)),
        timeout_minutes=int(props.get("timeout_minutes", 60)),
    )


def _changed(keys: tuple[str, ...], olds: dict[str, Any], news: dict[str, Any]) -> bool:
    return any(olds.get(key) != news.get(key) for key in keys)


class RolloutProvider(ResourceProvider):
    """Shifts an alias to a new version through CodeDeploy (see planton_lambda.rollout)."""

    serialize_as_secret_always = False

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=_changed(ROLLOUT_INPUTS, olds, news), replaces=[])

    def create(self, props: dict[str, Any]) -> CreateResult:
        outcome = self._deploy(props)
        return CreateResult(f"{props['function_name']}:{props['alias']}", _outs(props, outcome))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(_outs(news, self._deploy(news)))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Deployments are history: nothing to delete."""

    def _deploy(self, props: dict[str, Any]) -> Outcome:
        region = region_of(props.get("function_arn"))
        deployer = Deployer(client("lambda", region), client("codedeploy", region), log=_log)
        return deployer.run(rollout_of(props))


def _outs(props: dict[str, Any], outcome: Outcome) -> dict[str, Any]:
    return {
        **props,
        "deployment_id": outcome.deployment_id or "",
        "status": outcome.status,
        "previous_version": outcome.current_version or "",
    }


class RetentionProvider(ResourceProvider):
    """Deletes published versions beyond the newest `keep` that nothing uses."""

    serialize_as_secret_always = False

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=_changed(RETENTION_INPUTS, olds, news), replaces=[])

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(str(props["function_name"]), {**props, "deleted": self._prune(props)})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**news, "deleted": self._prune(news)})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Stopping retention deletes nothing."""

    def _prune(self, props: dict[str, Any]) -> list[str]:
        region = region_of(props.get("function_arn"))
        groups = [(str(app), str(group)) for app, group in props.get("groups") or []]
        deleted = prune_versions(
            client("lambda", region),
            str(props["function_name"]),
            int(props["keep"]),
            codedeploy_client=client("codedeploy", region) if groups else None,
            deployment_groups=groups,
        )
        if deleted:
            _log(f"{props['function_name']}: deleted versions {', '.join(deleted)}")
        return deleted
