"""CDK entry point (``cdk synth`` / ``cdk deploy``; see cdk.json)."""
import aws_cdk as cdk

from humitout_infra.stack import HumItOutStack

app = cdk.App()
HumItOutStack(app, app.node.try_get_context("stackName") or "HumItOut")
app.synth()
