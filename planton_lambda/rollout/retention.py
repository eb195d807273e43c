"""`keep_versions`: delete published versions beyond the newest N that nothing uses.

A version is kept when it is among the newest N, or when an alias points at it or weights
traffic to it, when provisioned concurrency is configured on it, or when an unfinished
CodeDeploy deployment of the function names it. `$LATEST` is never a candidate.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from planton_lambda.rollout.codedeploy import UNFINISHED, target_of


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


def published_versions(lambda_client: Any, function_name: str) -> list[str]:
    """The function's published version numbers, newest first."""
    versions = _pages(
        lambda_client, "list_versions_by_function", "Versions", FunctionName=function_name
    )
    numbers = [v["Version"] for v in versions if v["Version"].isdigit()]
    return sorted(numbers, key=int, reverse=True)


def versions_in_use(
    lambda_client: Any,
    function_name: str,
    codedeploy_client: Any | None = None,
    deployment_groups: Iterable[tuple[str, str]] = (),
) -> set[str]:
    """Versions an alias, its weights, provisioned concurrency or a running deployment uses."""
    used: set[str] = set()
    for alias in _pages(lambda_client, "list_aliases", "Aliases", FunctionName=function_name):
        used.add(str(alias["FunctionVersion"]))
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        used.update(str(version) for version in weights)
    for config in _provisioned_concurrency(lambda_client, function_name):
        # A config on an alias is covered by the alias; one on a version names it.
        qualifier = str(config.get("FunctionArn", "")).rsplit(":", 1)[-1]
        if qualifier.isdigit():
            used.add(qualifier)
    if codedeploy_client is not None:
        for application, group in deployment_groups:
            listed = codedeploy_client.list_deployments(
                applicationName=application,
                deploymentGroupName=group,
                includeOnlyStatuses=list(UNFINISHED),
            )
            for deployment_id in listed.get("deployments", []):
                info = codedeploy_client.get_deployment(deploymentId=deployment_id)
                _, target = target_of(info["deploymentInfo"])
                if target is not None:
                    used.add(target)
    return used


def _provisioned_concurrency(lambda_client: Any, function_name: str) -> list[dict[str, Any]]:
    return _pages(
        lambda_client,
        "list_provisioned_concurrency_configs",
        "ProvisionedConcurrencyConfigs",
        FunctionName=function_name,
    )


def prune_versions(
    lambda_client: Any,
    function_name: str,
    keep: int,
    *,
    codedeploy_client: Any | None = None,
    deployment_groups: Iterable[tuple[str, str]] = (),
) -> list[str]:
    """Delete the versions beyond the newest `keep` that nothing uses; return them."""
    if keep < 1:
        raise ValueError("keep_versions must be at least 1")
    versions = published_versions(lambda_client, function_name)
    candidates = versions[keep:]
    if not candidates:
        return []
    used = versions_in_use(lambda_client, function_name, codedeploy_client, deployment_groups)
    deleted = []
    for version in candidates:
        if version in used:
            continue
        lambda_client.delete_function(FunctionName=function_name, Qualifier=version)
        deleted.append(version)
    return deleted
