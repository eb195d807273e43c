"""Reading what users write, within bounds: manifests, stack config and Pulumi.yaml."""
