"""Two functions sharing one layer: the component used from your own Pulumi program.

`orders` builds the layer from layers/shop_common; `payments` uses it through the layer
version ARN `orders` exports, so both always run the same shared code.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from planton_lambda import AwsLambda

HERE = Path(__file__).parent
COMMON = {
    "code_source_type": "CODE_SOURCE_TYPE_LOCAL",
    "runtime": "python3.13",
    "architecture": "ARM64",
    "memory_mb": 256,
    "aliases": [{"name": "live"}],
}

orders = AwsLambda(
    "orders",
    {
        **COMMON,
        "function_name": "shop-orders",
        "handler": "orders.handler",
        "local": {"path": str(HERE / "functions" / "orders")},
        "layers": [
            {
                "name": "shop-common",
                "code_source_type": "CODE_SOURCE_TYPE_LOCAL",
                "local": {"path": str(HERE / "layers" / "shop_common")},
                "compatible_runtimes": ["python3.13"],
                "compatible_architectures": ["ARM64"],
                "description": "Helpers shared by the shop's functions",
            }
        ],
    },
)

payments = AwsLambda(
    "payments",
    {
        **COMMON,
        "function_name": "shop-payments",
        "handler": "payments.handler",
        "local": {"path": str(HERE / "functions" / "payments")},
        "layer_arns": [orders.layers["shop-common"].arn],
        "reserved_concurrency": 20,
    },
)

pulumi.export("orders", orders.outputs())
pulumi.export("payments", payments.outputs())
pulumi.export("shared_layer_arn", orders.layers["shop-common"].arn)
