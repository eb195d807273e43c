"""The plugin `pulumi package add` runs (see PulumiPlugin.yaml): hosts the AwsLambda component."""

if __name__ == "__main__":
    from planton_lambda.resources.provider import main

    main()
