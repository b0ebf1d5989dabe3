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


def test_operations_alarms_access_logs_throttling_and_retention(template):
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    topic = next(iter(template.find_resources("AWS::SNS::Topic")))
    assert alarms and all(a["Properties"]["AlarmActions"] == [{"Ref": topic}] for a in alarms.values())
    metrics = {a["Properties"]["MetricName"] for a in alarms.values()}
    assert {"ExecutionsFailed", "Errors", "Throttles"} <= metrics
    (stage,) = template.find_resources("AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert stage["Properties"]["RouteSettings"]["POST /users"]["ThrottlingRateLimit"] <= 1
    assert "DestinationArn" in stage["Properties"]["AccessLogSettings"]
    assert "rawQueryString" not in stage["Properties"]["AccessLogSettings"]["Format"]
    for group in template.find_resources("AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] == 30


def test_stage_images_are_capped_and_render_gets_2gb_of_tmp(template):
    functions = template.find_resources("AWS::Lambda::Function")
    images = {f["Properties"]["ImageConfig"]["Command"][0]: f["Properties"] for f in functions.values()
              if f["Properties"].get("PackageType") == "Image"}
    for props in images.values():
        assert "Fn::If" in props["ReservedConcurrentExecutions"]
        assert props["EphemeralStorage"]["Size"] == 2048


def test_every_function_that_texts_gets_the_sending_number_parameter(template):
    for props in (f["Properties"] for f in template.find_resources("AWS::Lambda::Function").values()):
        env = props.get("Environment", {}).get("Variables", {})
        requires = env.get("HUMITOUT_REQUIRES", "")
        if "sender" in requires.split(","):
            assert env["TWILIO_FROM_NUMBER"] == {"Ref": "TwilioFromNumber"}
            assert env["TWILIO_MESSAGING_SERVICE_SID"] == {"Ref": "TwilioMessagingServiceSid"}


def test_secrets_start_as_explicit_placeholders_the_code_reads_as_not_configured(template):
    from humitout.config import is_configured

    for secret in template.find_resources("AWS::SecretsManager::Secret").values():
        value = secret["Properties"]["SecretString"]
        assert "GenerateSecretString" not in secret["Properties"]
        assert not is_configured(value) and not any(is_configured(v) for v in
                                                    (json.loads(value).values() if value.startswith("{") else []))


def test_the_sweeper_runs_on_a_schedule(template):
    rules = template.find_resources("AWS::Events::Rule")
    assert any(r["Properties"]["ScheduleExpression"] == "rate(5 minutes)" for r in rules.values())


def test_the_fail_state_shows_the_failing_stage_cause():
    failed = json.loads(STATE_MACHINE_FILE.read_text())["States"]["Failed"]
    assert failed["CausePath"] == "$.error.Cause" and failed["Error"] == "SessionFailed"


def test_the_image_pins_every_runtime_dependency():
    import re
    import tomllib

    root = STATE_MACHINE_FILE.parents[2]
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    lock = (root / "functions" / "render" / "requirements.lock").read_text()
    pinned = {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower() for line in lock.splitlines()
              if "==" in line and not line.startswith("#")}
    wanted = {re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~ ]", d)[0]).lower() for d in deps}
    assert wanted <= pinned, wanted - pinned
    assert "requirements.lock" in (root / "functions" / "render" / "Dockerfile").read_text()


def test_the_image_installs_every_package_of_the_code():
    # the render image installs the project with `pip install .`, which takes only the packages pyproject lists:
    # a sub-package left out (humitout.audio.notes) would import in the editable checkout and fail in Lambda
    import tomllib

    root = Path(__file__).resolve().parents[2]
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    code = root / "layers" / "core" / "python"
    found = {".".join(p.parent.relative_to(code).parts) for p in code.glob("humitout/**/__init__.py")}
    assert found <= listed, found - listed
