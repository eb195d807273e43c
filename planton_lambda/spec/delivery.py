"""Progressive delivery on AWS CodeDeploy, CloudWatch monitoring and version retention.

`aliases[].deployment` shifts an alias to each newly published version through a CodeDeploy
deployment (canary, linear or all at once) that CloudWatch alarms can roll back;
`monitoring` puts alarms on the function and its aliases; `keep_versions` deletes old
published versions nothing uses. AWS's shapes are botocore's codedeploy/2014-10-06 and
monitoring/2010-08-01 service-2.json unless a comment names another source; whole-value
patterns use `matches` (fullmatch).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from planton_lambda.spec.base import Loc, SpecModel, raise_errors
from planton_lambda.spec.refs import StringValueOrRef, matches

if TYPE_CHECKING:
    from planton_lambda.spec.alias import AliasSpec
    from planton_lambda.spec.function import AwsLambdaSpec

# CodeDeploy's predefined Lambda deployment configurations ("Deployment configurations on an
# AWS Lambda compute platform", https://docs.aws.amazon.com/codedeploy/latest/userguide/
# deployment-configurations.html; the same list as CDK's LambdaDeploymentConfig constants):
# short name -> (kind, percentage, interval minutes).
CONFIG_PREFIX = "CodeDeployDefault.Lambda"
PREDEFINED: dict[str, tuple[str, int, int]] = {
    "AllAtOnce": ("all", 100, 0),
    "Canary10Percent5Minutes": ("canary", 10, 5),
    "Canary10Percent10Minutes": ("canary", 10, 10),
    "Canary10Percent15Minutes": ("canary", 10, 15),
    "Canary10Percent30Minutes": ("canary", 10, 30),
    "Linear10PercentEvery1Minute": ("linear", 10, 1),
    "Linear10PercentEvery2Minutes": ("linear", 10, 2),
    "Linear10PercentEvery3Minutes": ("linear", 10, 3),
    "Linear10PercentEvery10Minutes": ("linear", 10, 10),
}
# A custom strategy written like a predefined name: Canary<P>Percent<N>Minute(s),
# Linear<P>PercentEvery<N>Minute(s).
_CUSTOM_NAME = re.compile(r"(Canary|Linear)([0-9]{1,3})Percent(Every)?([0-9]{1,5})Minutes?")
# CodeDeploy quotas (https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html): an
# AWS Lambda deployment runs at most 50 hours, "48 hours for the maximum time between the first
# and last traffic shift plus one hour for each of two possible lifecycle hooks".
MAX_SHIFT_MINUTES = 48 * 60
MAX_DEPLOYMENT_MINUTES = 50 * 60
# AlarmConfiguration.alarms: "A maximum of 10 alarms can be added" (codedeploy service-2.json).
MAX_DEPLOYMENT_ALARMS = 10
# The longest function timeout (Lambda: 900 s) bounds a duration threshold.
MAX_DURATION_MS = 900_000
# CloudWatch: a period of 60 s or a multiple of it, and Period x EvaluationPeriods at most one
# day (PutMetricAlarm's documentation of EvaluationPeriods).
MAX_EVALUATION_MINUTES = 24 * 60
_ALARM_NAME_MAX = 255  # AlarmName (monitoring) and Alarm.name (codedeploy): 1-255
# A hook: a function name, or its unqualified ARN (AppSpec's Hooks name a function; botocore's
# lambda FunctionName pattern, without a qualifier).
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_FUNCTION_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d:\d{12}"
    r":function:[A-Za-z0-9_-]{1,64}"
)
_TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}")
HOOK_HELP = (
    "a Lambda function name or its unqualified ARN "
    "(arn:aws:lambda:<region>:<account>:function:<name>)"
)
TOPIC_HELP = "a standard SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)"


def hook_problem(text: str) -> str | None:
    if matches(_FUNCTION_NAME, text) or matches(_FUNCTION_ARN, text):
        return None
    return f"must be {HOOK_HELP}"


def hook_function_name(text: str) -> str:
    """The function name a hook's AppSpec entry uses (the last part of an ARN)."""
    return text.rsplit(":", 1)[-1]


def topic_problem(text: str) -> str | None:
    return None if matches(_TOPIC_ARN, text) else f"must be {TOPIC_HELP}"


def alarm_name_problem(text: str) -> str | None:
    if 1 <= len(text) <= _ALARM_NAME_MAX:
        return None
    return f"must be a CloudWatch alarm name of 1-{_ALARM_NAME_MAX} characters"


@dataclass(frozen=True)
class Strategy:
    """A strategy, resolved: predefined (config_name set) or custom."""

    kind: Literal["all", "canary", "linear"]
    percentage: int
    interval_minutes: int
    predefined: str | None = None

    @property
    def config_name(self) -> str | None:
        """CodeDeploy's name of a predefined configuration; None for a custom one."""
        return f"{CONFIG_PREFIX}{self.predefined}" if self.predefined else None

    @property
    def shift_minutes(self) -> int:
        """Minutes between the first and the last traffic shift."""
        if self.kind == "canary":
            return self.interval_minutes
        if self.kind == "linear":
            return (math.ceil(100 / self.percentage) - 1) * self.interval_minutes
        return 0

    @property
    def traffic_routing_type(self) -> str:
        """TrafficRoutingConfig.type (codedeploy service-2.json: TrafficRoutingType)."""
        return {"all": "AllAtOnce", "canary": "TimeBasedCanary", "linear": "TimeBasedLinear"}[
            self.kind
        ]

    def describe(self) -> str:
        if self.kind == "all":
            return "all at once"
        every = "every " if self.kind == "linear" else "then the rest after "
        return f"{self.kind} {self.percentage}% {every}{self.interval_minutes} min"


class CustomStrategy(SpecModel):
    """A custom CodeDeploy traffic shift (a DeploymentConfig the component creates)."""

    type: Literal["canary", "linear"] = Field(
        description="canary: percentage first, the rest interval_minutes later; linear: "
        "percentage every interval_minutes"
    )
    # TimeBasedCanary/TimeBasedLinear: Percentage and WaitTimeInMins are integers; a shift of
    # 0 or 100 percent is not a canary or linear shift (AllAtOnce is its own strategy).
    percentage: Annotated[int, Field(ge=1, le=99, description="1-99 percent of the traffic")]
    interval_minutes: Annotated[
        int,
        Field(ge=1, le=MAX_SHIFT_MINUTES, description=f"1-{MAX_SHIFT_MINUTES} minutes"),
    ]

    def resolved(self) -> Strategy:
        return Strategy(self.type, self.percentage, self.interval_minutes)


STRATEGY_HELP = (
    "a CodeDeploy predefined Lambda configuration ("
    + ", ".join(PREDEFINED)
    + f", also with its {CONFIG_PREFIX} prefix), a custom one written Canary<P>Percent<N>Minutes "
    "or Linear<P>PercentEvery<N>Minutes, or {type: canary|linear, percentage, interval_minutes}"
)


def parse_strategy(value: Any) -> Any:
    """A predefined or custom-by-name strategy string -> its canonical form; else unchanged."""
    if not isinstance(value, str):
        return value
    short = value.removeprefix(CONFIG_PREFIX)
    if short in PREDEFINED:
        return short
    found = _CUSTOM_NAME.fullmatch(value)
    if found is None or (found.group(1) == "Linear") != bool(found.group(3)):
        raise ValueError(f"unknown strategy {value!r}; use {STRATEGY_HELP}")
    kind = "canary" if found.group(1) == "Canary" else "linear"
    return CustomStrategy.model_validate(
        {"type": kind, "percentage": int(found.group(2)), "interval_minutes": int(found.group(4))}
    )


_MAPPING_TAG = "mapping[type, percentage, interval_minutes]"


def _strategy_shape(value: Any) -> str:
    return "str" if isinstance(value, str) else _MAPPING_TAG


class RollbackAlarms(SpecModel):
    """CloudWatch alarms the component creates on the alias; any in ALARM rolls back."""

    errors: bool = Field(True, description="alarm on any invocation error of the alias")
    throttles: bool = Field(False, description="alarm on any throttled invocation of the alias")
    duration_p99_ms: Annotated[
        int | None,
        Field(ge=1, le=MAX_DURATION_MS, description="alarm when the p99 duration reaches this"),
    ] = None

    def count(self) -> int:
        return int(self.errors) + int(self.throttles) + int(self.duration_p99_ms is not None)


class DeploymentSpec(SpecModel):
    """The alias follows each new version through a CodeDeploy deployment."""

    # One branch per shape, so an error names the field and not each union member; the tags
    # hold "[" or are "str", which planton_lambda.errors leaves out of field paths.
    strategy: Annotated[
        Annotated[CustomStrategy, Tag(_MAPPING_TAG)] | Annotated[str, Tag("str")],
        Discriminator(_strategy_shape),
        Field(description=STRATEGY_HELP),
    ]
    alarms: list[StringValueOrRef] = Field(
        default_factory=list,
        description="names of existing CloudWatch alarms that roll the deployment back",
    )
    rollback_alarms: RollbackAlarms = Field(
        default_factory=RollbackAlarms,
        description="alarms the component creates on the alias (default: errors)",
    )
    before_allow_traffic_hook: StringValueOrRef | None = Field(
        None, description=f"validation function run before traffic shifts: {HOOK_HELP}"
    )
    after_allow_traffic_hook: StringValueOrRef | None = Field(
        None, description=f"validation function run after all traffic shifted: {HOOK_HELP}"
    )
    wait: bool = Field(
        True, description="pulumi up waits for the deployment and fails when it fails"
    )
    timeout_minutes: Annotated[
        int,
        Field(
            ge=1,
            le=MAX_DEPLOYMENT_MINUTES,
            description=f"how long pulumi up waits, 1-{MAX_DEPLOYMENT_MINUTES}",
        ),
    ] = 60

    @field_validator("strategy", mode="before")
    @classmethod
    def _strategy(cls, value: Any) -> Any:
        return parse_strategy(value)

    @model_validator(mode="after")
    def _rules(self) -> DeploymentSpec:
        raise_errors("DeploymentSpec", self._violations())
        return self

    def resolved_strategy(self) -> Strategy:
        if isinstance(self.strategy, CustomStrategy):
            return self.strategy.resolved()
        kind, percentage, interval = PREDEFINED[self.strategy]
        return Strategy(kind, percentage, interval, predefined=self.strategy)  # type: ignore[arg-type]

    def hooks(self) -> dict[str, StringValueOrRef]:
        """AppSpec lifecycle event -> its function."""
        found = {
            "BeforeAllowTraffic": self.before_allow_traffic_hook,
            "AfterAllowTraffic": self.after_allow_traffic_hook,
        }
        return {event: ref for event, ref in found.items() if ref is not None}

    def _violations(self) -> list[tuple[Loc, str]]:
        errors: list[tuple[Loc, str]] = []
        for field in ("before_allow_traffic_hook", "after_allow_traffic_hook"):
            ref = getattr(self, field)
            problem = hook_problem(ref.literal) if ref is not None and ref.literal else None
            if problem:
                errors.append(((field,), problem))
        for i, alarm in enumerate(self.alarms):
            problem = alarm_name_problem(alarm.literal) if alarm.literal is not None else None
            if problem:
                errors.append((("alarms", i), problem))
        count = len(self.alarms) + self.rollback_alarms.count()
        if count > MAX_DEPLOYMENT_ALARMS:
            errors.append(
                (("alarms",), f"{len(self.alarms)} alarms plus {self.rollback_alarms.count()} "
                 f"rollback_alarms make {count}; a CodeDeploy deployment group takes at most "
                 f"{MAX_DEPLOYMENT_ALARMS}")
            )  # fmt: skip
        strategy = self.resolved_strategy()
        if strategy.shift_minutes > MAX_SHIFT_MINUTES:
            errors.append(
                (("strategy",), f"shifts traffic over {strategy.shift_minutes} minutes; a "
                 f"CodeDeploy Lambda deployment allows at most {MAX_SHIFT_MINUTES} (48 hours) "
                 "between the first and the last shift")
            )  # fmt: skip
        elif self.wait and self.timeout_minutes < strategy.shift_minutes:
            errors.append(
                (("timeout_minutes",), f"is {self.timeout_minutes}, but the strategy "
                 f"({strategy.describe()}) takes {strategy.shift_minutes} minutes: raise "
                 "timeout_minutes or set wait: false")
            )  # fmt: skip
        return errors


def alias_deployment_violations(alias: AliasSpec) -> list[tuple[Loc, str]]:
    """A deployment shifts the alias to the version each deploy publishes: the alias must
    follow `current` and carry no weights of its own (CodeDeploy sets them)."""
    if alias.deployment is None:
        return []
    errors: list[tuple[Loc, str]] = []
    if alias.function_version != "current":
        errors.append(
            (("deployment",), f"needs function_version: current (got {alias.function_version!r}); "
             "CodeDeploy shifts the alias to the version each deploy publishes, never to "
             "$LATEST or a pinned number")
        )  # fmt: skip
    if alias.additional_version_weights:
        errors.append(
            (("deployment",), "cannot be combined with additional_version_weights: CodeDeploy "
             "sets the alias's weights while it shifts traffic; remove the weights")
        )  # fmt: skip
    return errors


class MonitoringAlarms(SpecModel):
    """Thresholds of the alarms on the function and on each alias; unset ones are not created."""

    errors: Annotated[
        int | None, Field(ge=1, description="alarm when errors in the window reach this")
    ] = None
    throttles: Annotated[
        int | None, Field(ge=1, description="alarm when throttles in the window reach this")
    ] = None
    duration_p99_ms: Annotated[
        int | None,
        Field(ge=1, le=MAX_DURATION_MS, description="alarm when the p99 duration reaches this"),
    ] = None
    evaluation_minutes: Annotated[
        int,
        Field(
            ge=1,
            le=MAX_EVALUATION_MINUTES,
            description=f"the window, 1-{MAX_EVALUATION_MINUTES} minutes",
        ),
    ] = 1

    def thresholds(self) -> dict[str, int]:
        found = {
            "errors": self.errors,
            "throttles": self.throttles,
            "duration-p99": self.duration_p99_ms,
        }
        return {kind: value for kind, value in found.items() if value is not None}


class MonitoringSpec(SpecModel):
    """CloudWatch alarms on the function and each alias, notifying SNS topics."""

    alarms: MonitoringAlarms = Field(
        default_factory=MonitoringAlarms, description="thresholds; unset ones are not created"
    )
    notify_topic_arns: list[StringValueOrRef] = Field(
        default_factory=list, description="SNS topics notified when an alarm fires"
    )

    @model_validator(mode="after")
    def _rules(self) -> MonitoringSpec:
        errors: list[tuple[Loc, str]] = []
        for i, topic in enumerate(self.notify_topic_arns):
            problem = topic_problem(topic.literal) if topic.literal is not None else None
            if problem:
                errors.append((("notify_topic_arns", i), problem))
        if self.notify_topic_arns and not self.alarms.thresholds():
            errors.append(
                (("alarms",), "notify_topic_arns needs at least one alarm: set errors, "
                 "throttles or duration_p99_ms")
            )  # fmt: skip
        raise_errors("MonitoringSpec", errors)
        return self


def delivery_violations(spec: AwsLambdaSpec) -> list[tuple[Loc, str]]:
    """Rules spanning the spec: deployments need published versions; hooks are other
    functions; keep_versions needs publishing."""
    errors: list[tuple[Loc, str]] = []
    for i, alias in enumerate(spec.aliases):
        deployment = alias.deployment
        if deployment is None:
            continue
        if not spec.publishes:
            errors.append(
                (("aliases", i, "deployment"), "needs published versions: set publish: true")
            )
        for field in ("before_allow_traffic_hook", "after_allow_traffic_hook"):
            ref = getattr(deployment, field)
            text = ref.literal if ref is not None else None
            if text is not None and hook_function_name(text) == spec.function_name:
                errors.append(
                    (("aliases", i, "deployment", field), "is the function being deployed; a "
                     "hook is a separate validation function")
                )  # fmt: skip
    if spec.keep_versions is not None and not spec.publishes:
        errors.append((("keep_versions",), "applies to published versions: set publish: true"))
    return errors


# Names of the CodeDeploy resources, shared by the component and `planton-lambda rollout`.
# ApplicationName, DeploymentGroupName and DeploymentConfigName: 1-100 of [A-Za-z0-9+=,.@_-]
# (codedeploy service-2.json); function and alias names are within that alphabet.
_NAME_MAX = 100


def _fit(name: str, seed: str) -> str:
    if len(name) <= _NAME_MAX:
        return name
    digest = hashlib.sha256(seed.encode()).hexdigest()[:8]
    return f"{name[: _NAME_MAX - 9]}-{digest}"


def application_name(function_name: str) -> str:
    """The CodeDeploy application of a function: its name (at most 64 characters)."""
    return function_name


def deployment_group_name(alias: str) -> str:
    """The deployment group of an alias: its name, shortened with a hash past 100."""
    return _fit(alias, alias)


def custom_config_name(function_name: str, alias: str, strategy: Strategy) -> str:
    """A custom DeploymentConfig's name: it changes with every setting (all of them replace
    the config), so a replacement never collides with the config it replaces."""
    every = "Every" if strategy.kind == "linear" else ""
    shape = f"{strategy.kind.title()}{strategy.percentage}Percent{every}"
    shape += f"{strategy.interval_minutes}Minutes"
    return _fit(f"{function_name}-{alias}-{shape}", f"{function_name}:{alias}:{shape}")
