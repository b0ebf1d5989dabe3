"""The AWS stack: HTTP API → webhook Lambdas, Step Functions pipeline (from the one ASL file),
stage Lambdas (container image with FluidSynth for the heavy ones), S3, SNS, secrets, and a
migration trigger for Neon Postgres."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import (
    BundlingOptions,
    CfnOutput,
    DockerImage,
    Duration,
    ILocalBundling,
    RemovalPolicy,
    Stack,
    triggers,
)
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from humitout_infra.topology import FUNCTIONS, REPO_ROOT, ROUTES, STATE_MACHINE_FILE, FunctionSpec

# What the zip Lambdas need on top of the Lambda runtime (boto3 is in the runtime).
LAYER_REQUIREMENTS = ["aws-lambda-powertools[tracer,parser]>=3.0", "twilio>=9.0", "pydantic>=2.6",
                      "psycopg2-binary>=2.9", "requests>=2.31"]
IMAGE_EXCLUDES = [".venv", ".git", ".state", "cdk.out", "out", "tests", "**/__pycache__", "*.egg-info", "build"]


@jsii.implements(ILocalBundling)
class PipLayerBundling:
    """Builds the core layer with the local pip (manylinux wheels for Lambda's x86_64 Python 3.11),
    so synth needs no Docker engine."""

    def try_bundle(self, output_dir: str, *, image=None, **_kwargs) -> bool:
        target = Path(output_dir) / "python"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
             "--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.11",
             "--only-binary=:all:", *LAYER_REQUIREMENTS],
            check=True,
        )
        shutil.copytree(REPO_ROOT / "layers" / "core" / "python" / "humitout", target / "humitout",
                        ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        return True


def _origin(url: str) -> str:
    """``https://hum.example.com/prod`` -> ``https://hum.example.com``."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class HumItOutStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        public_base_url = self.node.try_get_context("publicBaseUrl")

        bucket = s3.Bucket(
            self, "Audio",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN,
            # The web player's stem mixer fetch()es the presigned audio from the app's pages.
            cors=[s3.CorsRule(allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                              allowed_origins=[_origin(public_base_url) if public_base_url else "*"],
                              allowed_headers=["*"], max_age=3600)],
            lifecycle_rules=[
                s3.LifecycleRule(id="abort-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)),
                s3.LifecycleRule(id="renders-expire", prefix="sessions/", expiration=Duration.days(365),
                                 transitions=[s3.Transition(storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                                                            transition_after=Duration.days(30))]),
            ],
        )
        events = sns.Topic(self, "SessionEvents", display_name="Hum It Out session events",
                           enforce_ssl=True)
        twilio_secret = secretsmanager.Secret(
            self, "TwilioSecret", description='Twilio credentials: {"account_sid": "...", "auth_token": "..."}')
        openai_secret = secretsmanager.Secret(self, "OpenAISecret", description="OpenAI API key (optional)")
        database_secret = secretsmanager.Secret(self, "DatabaseUrl", description="Neon Postgres DATABASE_URL")

        api = apigw.HttpApi(self, "Api", description="Twilio webhooks and share links")
        base_url = public_base_url or api.api_endpoint

        core_layer = lambda_.LayerVersion(
            self, "CoreLayer",
            code=lambda_.Code.from_asset(
                str(REPO_ROOT / "layers" / "core"),
                bundling=BundlingOptions(image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.11"),
                                         local=PipLayerBundling(),
                                         command=["bash", "-c", "pip install -t /asset-output/python "
                                                  + " ".join(f"'{r}'" for r in LAYER_REQUIREMENTS)
                                                  + " && cp -r python/humitout /asset-output/python/"])),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_11],
            description="humitout domain package + its light dependencies",
        )
        common_env = {
            "BUCKET": bucket.bucket_name,
            "PUBLIC_BASE_URL": base_url,
            "RECORDING_HOSTS": "api.twilio.com",
            "EVENTS_TOPIC_ARN": events.topic_arn,
            "TWILIO_SECRET_ARN": twilio_secret.secret_arn,
            "OPENAI_SECRET_ARN": openai_secret.secret_arn,
            "DATABASE_SECRET_ARN": database_secret.secret_arn,
            "POWERTOOLS_METRICS_NAMESPACE": "HumItOut",
            "HUMITOUT_SOUNDFONT": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
        }

        functions: dict[str, lambda_.Function] = {}
        for spec in FUNCTIONS:
            functions[spec.name] = self._function(spec, core_layer, common_env)
        migrate = lambda_.Function(
            self, "Migrate", runtime=lambda_.Runtime.PYTHON_3_11, handler="handler.handler",
            code=lambda_.Code.from_asset(str(REPO_ROOT / "functions" / "migrate")), layers=[core_layer],
            timeout=Duration.minutes(2), environment={"DATABASE_SECRET_ARN": database_secret.secret_arn},
            log_group=logs.LogGroup(self, "MigrateLogs", retention=logs.RetentionDays.ONE_MONTH),
            description="apply SQL migrations to Neon")
        database_secret.grant_read(migrate)
        triggers.Trigger(self, "MigrateOnDeploy", handler=migrate, execute_on_handler_change=True,
                         timeout=Duration.minutes(2))

        for fn in functions.values():
            for secret in (twilio_secret, openai_secret, database_secret):
                secret.grant_read(fn)
            events.grant_publish(fn)
        for name in ("transcribe", "compose", "render"):
            bucket.grant_read_write(functions[name])
        bucket.grant_read(functions["links"])
        bucket.grant_read(functions["web"])

        state_machine = sfn.StateMachine(
            self, "Pipeline",
            definition_body=sfn.DefinitionBody.from_file(str(STATE_MACHINE_FILE)),
            definition_substitutions={spec.asl_arn_key: functions[spec.name].function_arn
                                      for spec in FUNCTIONS if spec.asl_arn_key},
            timeout=Duration.minutes(30),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=logs.LogGroup(self, "PipelineLogs",
                                                          retention=logs.RetentionDays.ONE_MONTH),
                                level=sfn.LogLevel.ERROR),
        )
        for spec in FUNCTIONS:
            if spec.asl_arn_key:
                functions[spec.name].grant_invoke(state_machine)
        for name in ("voice", "sms", "web"):
            functions[name].add_environment("STATE_MACHINE_ARN", state_machine.state_machine_arn)
            state_machine.grant_start_execution(functions[name])

        for method, path, fn_name in ROUTES:
            api.add_routes(path=path, methods=[apigw.HttpMethod(method)],
                           integration=integrations.HttpLambdaIntegration(
                               f"{fn_name}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}",
                               functions[fn_name]))

        CfnOutput(self, "WebhookBaseUrl", value=base_url,
                  description="Set Twilio's Voice webhook to <this>/twilio/voice and SMS to <this>/twilio/sms")
        CfnOutput(self, "BucketName", value=bucket.bucket_name)
        CfnOutput(self, "StateMachineArn", value=state_machine.state_machine_arn)

    def _function(self, spec: FunctionSpec, layer: lambda_.LayerVersion, env: dict) -> lambda_.Function:
        construct_id = "".join(part.capitalize() for part in spec.name.split("-")) + "Function"
        common = dict(
            memory_size=spec.memory_mb, timeout=Duration.seconds(spec.timeout_s), environment=dict(env),
            tracing=lambda_.Tracing.ACTIVE, architecture=lambda_.Architecture.X86_64,
            log_group=logs.LogGroup(self, f"{construct_id}Logs", retention=logs.RetentionDays.ONE_MONTH),
            description=f"Hum It Out {spec.name}",
        )
        if spec.container:
            code = lambda_.DockerImageCode.from_image_asset(
                str(REPO_ROOT), file="functions/render/Dockerfile", exclude=IMAGE_EXCLUDES,
                cmd=[f"functions.{spec.folder}.handler.{spec.entry}"])
            return lambda_.DockerImageFunction(self, construct_id, code=code,
                                               ephemeral_storage_size=None, **common)
        return lambda_.Function(
            self, construct_id, runtime=lambda_.Runtime.PYTHON_3_11,
            handler=f"handler.{spec.entry}",
            code=lambda_.Code.from_asset(str(REPO_ROOT / "functions" / spec.folder)),
            layers=[layer], **common)
