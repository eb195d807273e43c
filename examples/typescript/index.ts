import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as plantonLambda from "@pulumi/planton-lambda";

const config = new pulumi.Config();

const table = new aws.dynamodb.Table("orders-table", {
    attributes: [{ name: "id", type: "S" }],
    hashKey: "id",
    billingMode: "PAY_PER_REQUEST",
});

const orders = new plantonLambda.AwsLambda("orders", {
    functionName: "orders-api",
    codeSourceType: "CODE_SOURCE_TYPE_S3",
    s3: { bucket: "my-code-bucket", key: "orders/v1.zip" },
    runtime: "python3.13",
    handler: "app.handler",
    memoryMb: 512,
    timeoutSeconds: 10,
    architecture: "ARM64",
    environment: { TABLE_NAME: table.name },
    secretEnvironment: { API_TOKEN: config.requireSecret("apiToken") },
    role: {
        policyStatements: [
            {
                Effect: "Allow",
                Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
                Resource: [table.arn],
            },
        ],
    },
    aliases: [
        { name: "live", functionVersion: "current" },
        { name: "canary", functionVersion: "3", additionalVersionWeights: { current: 0.1 } },
    ],
    functionUrl: { authType: "AWS_IAM", alias: "live" },
    tags: { team: "payments" },
});

export const functionArn = orders.functionArn;
export const liveAliasArn = orders.aliasArns.apply((arns) => arns["live"]);
export const url = orders.functionUrl;
