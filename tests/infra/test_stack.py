"""The CDK app synthesizes to a template with the promised resources, and cfn-lint passes it."""
import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from aws_cdk import assertions  # noqa: E402

from humitout_infra.stack import HumItOutStack  # noqa: E402
from humitout_infra.topology import FUNCTIONS, ROUTES, STATE_MACHINE_FILE  # noqa: E402


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> cdk.App:
    # Skip asset bundling (pip/Docker) in tests: it does not change the template's shape.
    app = cdk.App(context={"aws:cdk:bundling-stacks": []}, outdir=str(tmp_path_factory.mktemp("cdk.out")))
    HumItOutStack(app, "HumItOutTest", env=cdk.Environment(account="123456789012", region="us-east-1"))
    return app


@pytest.fixture(scope="module")
def template(app) -> assertions.Template:
    return assertions.Template.from_stack(app.node.find_child("HumItOutTest"))


def test_every_route_is_wired_to_the_http_api(template):
    routes = template.find_resources("AWS::ApiGatewayV2::Route")
    keys = {r["Properties"]["RouteKey"] for r in routes.values()}
    assert keys == {f"{m} {p}" for m, p, _ in ROUTES}


def test_render_and_heavy_stages_are_container_images(template):
    functions = template.find_resources("AWS::Lambda::Function")
    images = [f for f in functions.values() if f["Properties"].get("PackageType") == "Image"]
    assert len(images) == sum(spec.container for spec in FUNCTIONS)
    commands = sorted(f["Properties"]["ImageConfig"]["Command"][0] for f in images)
    assert commands == ["functions.compose.handler.handler", "functions.render.handler.handler",
                        "functions.transcribe.handler.handler"]


def test_bucket_blocks_public_access_encrypts_and_requires_tls(template):
    template.has_resource_properties("AWS::S3::Bucket", {
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "BucketEncryption": assertions.Match.object_like({}),
        "LifecycleConfiguration": assertions.Match.object_like({}),
    })
    policies = template.find_resources("AWS::S3::BucketPolicy")
    statements = [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in statements)


def test_state_machine_comes_from_the_one_asl_file_with_every_arn_substituted(app, template):
    machines = template.find_resources("AWS::StepFunctions::StateMachine")
    (machine,) = machines.values()
    location = machine["Properties"]["DefinitionS3Location"]
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    asl = json.loads(STATE_MACHINE_FILE.read_text())
    assert set(asl["States"]) == {"HasAnalysis", "UseSavedAnalysis", "Transcribe", "Compose", "Render",
                                  "Notify", "NotifyFailure", "Failed"}
    # DefinitionBody.from_file ships the file itself as an asset: byte for byte the local runner's.
    assembly = Path(app.synth().directory)
    assert (assembly / f"asset.{location['Key']}").read_bytes() == STATE_MACHINE_FILE.read_bytes()
    assert set(substitutions) == {s.asl_arn_key for s in FUNCTIONS if s.asl_arn_key}


def test_secrets_and_migration_trigger_exist(template):
    template.resource_count_is("AWS::SecretsManager::Secret", 3)
    template.resource_count_is("Custom::Trigger", 1)


def test_cfn_lint_reports_no_errors(template, tmp_path):
    from cfnlint.api import lint_all

    path = tmp_path / "template.json"
    path.write_text(json.dumps(template.to_json()))
    matches = lint_all(path.read_text())
    # No errors or warnings; W3005 is CDK's own redundant DependsOn (informational rules pass).
    problems = [str(m) for m in matches if m.rule.id[0] in "EW" and m.rule.id != "W3005"]
    assert problems == []
