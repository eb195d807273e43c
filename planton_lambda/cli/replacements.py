"""Which input changes make the AWS provider replace a resource instead of updating it.

pulumi-aws ships no schema offline (the Python package has none; the schema with each
property's replacement flag is inside the provider plugin binary), so this is one table per
resource type. pulumi-aws bridges the Terraform AWS provider, and a property that provider
marks `ForceNew: true` is a replacement in Pulumi: each entry names the Terraform source
file (hashicorp/terraform-provider-aws, `internal/service/<service>/<file>.go`) it was read
from. Input names are the engine's (camelCase); a prefix covers nested inputs, so `code`
covers `code.path`. `region` (pulumi-aws 7's per-resource region) replaces everything.
"""

from __future__ import annotations

from collections.abc import Iterable

REGION = "region"

FORCE_NEW: dict[str, frozenset[str]] = {
    # internal/service/lambda/function.go: function_name, package_type, tenancy_config
    # (ForceNew; the component never sets tenancy_config, durable_config is replaced only when
    # added or removed and is never set either). file_system_config, snap_start,
    # code_signing_config_arn, source_kms_key_arn, vpc_config (ipv6_allowed_for_dual_stack
    # included) and logging_config (levels, log_group) are updated in place.
    "aws:lambda/function:Function": frozenset({"name", "packageType", "tenancyConfig"}),
    # internal/service/logs/group.go: name, name_prefix, log_group_class
    "aws:cloudwatch/logGroup:LogGroup": frozenset({"name", "namePrefix", "logGroupClass"}),
    # internal/service/iam/role.go: name, name_prefix, path
    "aws:iam/role:Role": frozenset({"name", "namePrefix", "path"}),
    # internal/service/iam/role_policy.go: name, name_prefix, role
    "aws:iam/rolePolicy:RolePolicy": frozenset({"name", "namePrefix", "role"}),
    # internal/service/iam/role_policy_attachment.go: role, policy_arn
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": frozenset({"role", "policyArn"}),
    # internal/service/lambda/layer_version.go: every argument but skip_destroy (a layer
    # version is immutable; a change publishes a new one)
    "aws:lambda/layerVersion:LayerVersion": frozenset(
        {
            "layerName",
            "code",
            "s3Bucket",
            "s3Key",
            "s3ObjectVersion",
            "compatibleRuntimes",
            "compatibleArchitectures",
            "description",
            "licenseInfo",
            "sourceCodeHash",
        }
    ),
    # internal/service/s3/object.go: bucket, key
    "aws:s3/bucketObjectv2:BucketObjectv2": frozenset({"bucket", "key"}),
    # internal/service/lambda/alias.go: function_name, name
    "aws:lambda/alias:Alias": frozenset({"functionName", "name"}),
    # internal/service/lambda/provisioned_concurrency_config.go: function_name, qualifier
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": frozenset(
        {"functionName", "qualifier"}
    ),
    # internal/service/lambda/function_url.go: function_name, qualifier (invoke_mode is
    # updated in place: UpdateFunctionUrlConfig takes InvokeMode, botocore lambda model)
    "aws:lambda/functionUrl:FunctionUrl": frozenset({"functionName", "qualifier"}),
    # internal/service/lambda/permission.go: every argument (a statement is never edited)
    "aws:lambda/permission:Permission": frozenset(
        {
            "action",
            "eventSourceToken",
            "function",
            "functionUrlAuthType",
            "invokedViaFunctionUrl",
            "principal",
            "principalOrgId",
            "qualifier",
            "sourceAccount",
            "sourceArn",
            "statementId",
            "statementIdPrefix",
        }
    ),
    # internal/service/lambda/event_source_mapping.go (checked at 0603f3b6): event_source_arn,
    # starting_position, starting_position_timestamp, topics, queues, self_managed_event_source,
    # amazon_managed_kafka_event_source_config, self_managed_kafka_event_source_config
    # (function_name, filters, scaling, metrics and kms_key_arn update in place)
    "aws:lambda/eventSourceMapping:EventSourceMapping": frozenset(
        {
            "eventSourceArn",
            "startingPosition",
            "startingPositionTimestamp",
            "topics",
            "queues",
            "selfManagedEventSource",
            "amazonManagedKafkaEventSourceConfig",
            "selfManagedKafkaEventSourceConfig",
        }
    ),
    # internal/service/scheduler/schedule.go: name, name_prefix, group_name
    "aws:scheduler/schedule:Schedule": frozenset({"name", "namePrefix", "groupName"}),
    # internal/service/events/rule.go (checked at 0cdab4ae): name, name_prefix, event_bus_name
    "aws:cloudwatch/eventRule:EventRule": frozenset({"name", "namePrefix", "eventBusName"}),
    # internal/service/events/target.go (checked at 0762c41e): rule, target_id, event_bus_name
    "aws:cloudwatch/eventTarget:EventTarget": frozenset({"rule", "targetId", "eventBusName"}),
    # internal/service/sns/topic_subscription.go (checked at 04a2e6e5): topic_arn (Pulumi's
    # `topic`), protocol, endpoint
    "aws:sns/topicSubscription:TopicSubscription": frozenset({"topic", "protocol", "endpoint"}),
    # internal/service/s3/bucket_notification.go (checked at 033c721b): bucket
    "aws:s3/bucketNotification:BucketNotification": frozenset({"bucket"}),
    # internal/service/lambda/function_recursion_config.go: function_name (RequiresReplace)
    "aws:lambda/functionRecursionConfig:FunctionRecursionConfig": frozenset({"functionName"}),
    # internal/service/lambda/runtime_management_config.go: function_name, qualifier
    # (RequiresReplace; update_runtime_on and runtime_version_arn in place)
    "aws:lambda/runtimeManagementConfig:RuntimeManagementConfig": frozenset(
        {"functionName", "qualifier"}
    ),
    # internal/service/deploy/app.go: compute_platform (a rename updates in place)
    "aws:codedeploy/application:Application": frozenset({"computePlatform"}),
    # internal/service/deploy/deployment_config.go: every argument (no update function)
    "aws:codedeploy/deploymentConfig:DeploymentConfig": frozenset(
        {
            "deploymentConfigName",
            "computePlatform",
            "minimumHealthyHosts",
            "trafficRoutingConfig",
            "zonalConfig",
        }
    ),
    # internal/service/lambda/function_event_invoke_config.go: function_name, qualifier
    # (destination_config, maximum_retry_attempts, maximum_event_age_in_seconds in place)
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": frozenset(
        {"functionName", "qualifier"}
    ),
}


def forces_replacement(
    resource_type: str, changed_paths: Iterable[str], replace_on_changes: Iterable[str] = ()
) -> list[str]:
    """The changed input paths that make the provider (or the program's own
    `replace_on_changes` option) replace a resource of `resource_type`."""
    own = {_root(p) for p in replace_on_changes}
    force_new = FORCE_NEW.get(resource_type, frozenset()) | own | {REGION}
    if "*" in own:
        return list(changed_paths)
    return [path for path in changed_paths if _root(path) in force_new]


def _root(path: str) -> str:
    """The top-level input a path (`code.path`, `layers[0]`) belongs to."""
    return path.split(".", 1)[0].split("[", 1)[0]
