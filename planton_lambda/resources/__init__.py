"""The AwsLambda component, one module per concern it creates, and its multi-language host."""
