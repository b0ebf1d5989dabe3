"""The AWS stack: HTTP API → webhook Lambdas, Step Functions pipeline (from the one ASL file),
stage Lambdas (container image with FluidSynth for the heavy ones), S3, SNS, secrets, a
migration trigger for Neon Postgres, a scheduled sweeper, alarms and access logs."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import (
    Aws,
    BundlingOptions,
    CfnCondition,
    CfnOutput,
    CfnParameter,
    DockerImage,
    Duration,
    Fn,
    ILocalBundling,
    RemovalPolicy,
    SecretValue,
    Size,
    Stack,
    triggers,
)
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events_
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

# Every secret the stack creates starts as PLACEHOLDER, which the code reads as "not configured";
# the operator replaces it (README: Deploy to AWS).
from humitout.config import PLACEHOLDER
from humitout_infra.topology import FUNCTIONS, REPO_ROOT, ROUTES, STATE_MACHINE_FILE, FunctionSpec

# What the zip Lambdas need on top of the Lambda runtime (boto3 is in the runtime).
LAYER_REQUIREMENTS = ["aws-lambda-powertools[tracer,parser]>=3.0", "twilio>=9.0", "pydantic>=2.6",
                      "psycopg2-binary>=2.9", "requests>=2.31", "cryptography>=42"]
# Byte-compile into __pycache__ with hash-checked pycs that are never re-validated. pip writes
# timestamp pycs, which go stale because the asset zip stores fixed file dates (-f rewrites
# them), and Lambda's read-only /opt cannot take new ones: every cold start compiled from source
# (imports of the voice handler 1.5 s -> 0.7 s measured; README).
COMPILE = ["-m", "compileall", "-q", "-f", "--invalidation-mode", "unchecked-hash"]
# API Gateway stage throttling (requests/s steady, burst): Twilio's webhooks for ~10 calls/s.
API_RATE_PER_S, API_BURST = 25, 50
SIGNUP_RATE_PER_S, SIGNUP_BURST = 1, 5
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
        if sys.version_info[:2] == (3, 11):  # pycs are per interpreter version: only for Lambda's
            subprocess.run([sys.executable, *COMPILE, str(target)], check=True)
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
        from_number = CfnParameter(
            self, "TwilioFromNumber", type="String", allowed_pattern=r"^\+[1-9][0-9]{6,14}$",
            description="Your Twilio phone number (E.164): callers dial it and SMS come from it")
        messaging_service = CfnParameter(
            self, "TwilioMessagingServiceSid", type="String", default="", allowed_pattern=r"^(MG[0-9a-fA-F]{32})?$",
            description="Optional Twilio Messaging Service SID (MG...): SMS are sent through it instead")
        stage_concurrency = CfnParameter(
            self, "StageConcurrency", type="Number", default=5, min_value=0,
            description="Reserved concurrency of each container stage (transcribe, compose, render); "
                        "0 = none (accounts with the 10-execution starter quota)")
        self.reserve = CfnCondition(self, "ReserveStageConcurrency",
                                    expression=Fn.condition_not(Fn.condition_equals(stage_concurrency.value_as_number, 0)))
        self.stage_concurrency = stage_concurrency

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
        twilio_secret = self._secret("TwilioSecret", "twilioSecretArn",
                                     'Twilio credentials: {"account_sid": "AC...", "auth_token": "..."}',
                                     json.dumps({"account_sid": PLACEHOLDER, "auth_token": PLACEHOLDER}))
        openai_secret = self._secret("OpenAISecret", "openaiSecretArn", "OpenAI API key (optional)", PLACEHOLDER)
        database_secret = self._secret("DatabaseUrl", "databaseSecretArn",
                                       "Neon Postgres URL (the pooled -pooler endpoint, sslmode=require)", PLACEHOLDER)

        api = apigw.HttpApi(self, "Api", description="Twilio webhooks and share links")
        base_url = public_base_url or api.api_endpoint
        access_logs = logs.LogGroup(self, "ApiAccessLogs", retention=logs.RetentionDays.ONE_MONTH)
        stage = api.default_stage.node.default_child
        stage.add_property_override("DefaultRouteSettings", {
            "ThrottlingRateLimit": API_RATE_PER_S, "ThrottlingBurstLimit": API_BURST})
        # Sign-up texts a phone: far below the webhooks' rate (the function also limits per client).
        stage.add_property_override("RouteSettings", {
            "POST /users": {"ThrottlingRateLimit": SIGNUP_RATE_PER_S, "ThrottlingBurstLimit": SIGNUP_BURST}})
        stage.add_property_override("AccessLogSettings", {
            "DestinationArn": access_logs.log_group_arn,
            # No query strings or bodies: call tokens and phone numbers stay out of the log.
            "Format": json.dumps({"requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
                                  "time": "$context.requestTime", "route": "$context.routeKey",
                                  "status": "$context.status", "latencyMs": "$context.responseLatency",
                                  "integrationError": "$context.integrationErrorMessage"})})

        core_layer = lambda_.LayerVersion(
            self, "CoreLayer",
            code=lambda_.Code.from_asset(
                str(REPO_ROOT / "layers" / "core"),
                bundling=BundlingOptions(image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.11"),
                                         local=PipLayerBundling(),
                                         command=["bash", "-c", "pip install -t /asset-output/python "
                                                  + " ".join(f"'{r}'" for r in LAYER_REQUIREMENTS)
                                                  + " && cp -r python/humitout /asset-output/python/"
                                                  + " && python " + " ".join(COMPILE) + " /asset-output/python"])),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_11],
            description="humitout domain package + its light dependencies",
        )
        self.sender_env = {"TWILIO_FROM_NUMBER": from_number.value_as_string,
                           "TWILIO_MESSAGING_SERVICE_SID": messaging_service.value_as_string}
        common_env = {
            "BUCKET": bucket.bucket_name,
            "PUBLIC_BASE_URL": base_url,
            "RECORDING_HOSTS": "api.twilio.com,.twilio.com,.twiliocdn.com,.amazonaws.com",
            "TWILIO_CREDENTIAL_HOSTS": "api.twilio.com",
            "EVENTS_TOPIC_ARN": events.topic_arn,
            "TWILIO_SECRET_ARN": twilio_secret.secret_arn,
            "OPENAI_SECRET_ARN": openai_secret.secret_arn,
            "DATABASE_SECRET_ARN": database_secret.secret_arn,
            "POWERTOOLS_METRICS_NAMESPACE": "HumItOut",
            "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",  # share pages carry presigned URLs
            "HUMITOUT_SOUNDFONT": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
        }

        functions: dict[str, lambda_.Function] = {}
        for spec in FUNCTIONS:
            functions[spec.name] = self._function(spec, core_layer, common_env)
        migrate = lambda_.Function(
            self, "Migrate", runtime=lambda_.Runtime.PYTHON_3_11, handler="handler.handler",
            code=lambda_.Code.from_asset(str(REPO_ROOT / "functions" / "migrate")), layers=[core_layer],
            timeout=Duration.minutes(2),
            environment={"DATABASE_SECRET_ARN": database_secret.secret_arn},
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
        for spec in FUNCTIONS:
            if spec.schedule_minutes:
                fn = functions[spec.name]
                fn.add_environment("STATE_MACHINE_ARN", state_machine.state_machine_arn)
                state_machine.grant_read(fn)
                events_.Rule(self, f"{fn.node.id}Schedule", schedule=events_.Schedule.rate(
                    Duration.minutes(spec.schedule_minutes)), targets=[targets.LambdaFunction(fn)])

        # The topic's policy (enforce_ssl) replaces SNS's default one: let this account's alarms publish.
        events.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")], actions=["sns:Publish"],
            resources=[events.topic_arn], conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}))
        alarm = cw_actions.SnsAction(events)
        watched = [("PipelineFailed", state_machine.metric_failed(period=Duration.minutes(5))),
                   ("PipelineTimedOut", state_machine.metric_timed_out(period=Duration.minutes(5)))]
        for fn in [*functions.values(), migrate]:
            watched.append((f"{fn.node.id}Errors", fn.metric_errors(period=Duration.minutes(5))))
            watched.append((f"{fn.node.id}Throttles", fn.metric_throttles(period=Duration.minutes(5))))
        for name, metric in watched:
            cloudwatch.Alarm(self, f"{name}Alarm", metric=metric, threshold=1, evaluation_periods=1,
                             comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                             treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                             alarm_description=f"Hum It Out: {name}").add_alarm_action(alarm)

        for method, path, fn_name in ROUTES:
            routes = api.add_routes(path=path, methods=[apigw.HttpMethod(method)],
                                    integration=integrations.HttpLambdaIntegration(
                                        f"{fn_name}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}",
                                        functions[fn_name]))
            if f"{method} {path}" == "POST /users":  # the stage's RouteSettings need the route first
                stage.node.add_dependency(*routes)

        CfnOutput(self, "WebhookBaseUrl", value=base_url,
                  description="Set Twilio's Voice webhook to <this>/twilio/voice and SMS to <this>/twilio/sms")
        CfnOutput(self, "BucketName", value=bucket.bucket_name)
        CfnOutput(self, "StateMachineArn", value=state_machine.state_machine_arn)
        CfnOutput(self, "MigrateFunctionName", value=migrate.function_name,
                  description="Invoke after setting DatabaseUrl: aws lambda invoke --function-name <this> out.json")
        CfnOutput(self, "TwilioSecretArn", value=twilio_secret.secret_arn)
        CfnOutput(self, "OpenAISecretArn", value=openai_secret.secret_arn)
        CfnOutput(self, "DatabaseSecretArn", value=database_secret.secret_arn)
        CfnOutput(self, "EventsTopicArn", value=events.topic_arn,
                  description="Alarms and session events; subscribe an email address to it")

    def _secret(self, construct_id: str, context_key: str, description: str, placeholder: str):
        """An existing secret by ARN (context ``context_key``), else a new one holding ``placeholder``."""
        arn = self.node.try_get_context(context_key)
        if arn:
            return secretsmanager.Secret.from_secret_complete_arn(self, construct_id, arn)
        return secretsmanager.Secret(self, construct_id, description=description,
                                     secret_string_value=SecretValue.unsafe_plain_text(placeholder))

    def _function(self, spec: FunctionSpec, layer: lambda_.LayerVersion, env: dict) -> lambda_.Function:
        construct_id = "".join(part.capitalize() for part in spec.name.split("-")) + "Function"
        env = {**env, "HUMITOUT_REQUIRES": ",".join(spec.requires)}
        if "sender" in spec.requires:
            env.update(self.sender_env)
        common = dict(
            memory_size=spec.memory_mb, timeout=Duration.seconds(spec.timeout_s), environment=env,
            tracing=lambda_.Tracing.ACTIVE, architecture=lambda_.Architecture.X86_64,
            log_group=logs.LogGroup(self, f"{construct_id}Logs", retention=logs.RetentionDays.ONE_MONTH),
            description=f"Hum It Out {spec.name}",
        )
        if spec.container:
            code = lambda_.DockerImageCode.from_image_asset(
                str(REPO_ROOT), file="functions/render/Dockerfile", exclude=IMAGE_EXCLUDES,
                cmd=[f"functions.{spec.folder}.handler.{spec.entry}"])
            fn = lambda_.DockerImageFunction(self, construct_id, code=code,
                                             ephemeral_storage_size=Size.gibibytes(2), **common)
            # Caps what a flood of calls can cost; 0 (parameter) leaves it unreserved.
            fn.node.default_child.add_property_override("ReservedConcurrentExecutions", Fn.condition_if(
                self.reserve.logical_id, self.stage_concurrency.value_as_number, Aws.NO_VALUE))
            return fn
        return lambda_.Function(
            self, construct_id, runtime=lambda_.Runtime.PYTHON_3_11,
            handler=f"handler.{spec.entry}",
            code=lambda_.Code.from_asset(str(REPO_ROOT / "functions" / spec.folder)),
            layers=[layer], **common)
