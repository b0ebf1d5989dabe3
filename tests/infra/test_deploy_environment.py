"""Deploy as an operator would: every function's environment comes from the synthesized template,
the secrets are seeded in (moto's) Secrets Manager exactly as the README says, and migrate,
voice, transcribe and notify run with that and nothing else. A template that disagrees with the
code (a missing variable, a secret read the wrong way, no sending number) fails here."""
import importlib.util
import io
import json
import os
import uuid
from base64 import b64encode

import boto3
import pytest
import requests
from twilio.request_validator import RequestValidator

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402

from humitout_infra.local.lambdas import LambdaContext  # noqa: E402
from humitout_infra.stack import HumItOutStack  # noqa: E402
from humitout_infra.topology import FUNCTIONS, FUNCTIONS_DIR, REPO_ROOT, function  # noqa: E402

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "f0" * 16
FROM_NUMBER = "+15017122661"
API_ENDPOINT = "https://abc123.execute-api.us-east-1.amazonaws.com"
# What the Lambda runtime (not the template) puts in every function's environment, plus the
# local moto endpoint standing in for AWS and the tracer switched off (no X-Ray daemon here).
RUNTIME_KEYS = ("PATH", "HOME", "LANG", "TMPDIR", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "AWS_DEFAULT_REGION", "AWS_REGION", "POWERTOOLS_TRACE_DISABLED", "POWERTOOLS_METRICS_DISABLED",
                "POWERTOOLS_LOG_LEVEL", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "HUMITOUT_SOUNDFONT")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict:
    app = cdk.App(context={"aws:cdk:bundling-stacks": []}, outdir=str(tmp_path_factory.mktemp("cdk.out")))
    stack = HumItOutStack(app, "HumItOutDeploy", env=cdk.Environment(account="123456789012", region="us-east-1"))
    return app.synth().get_stack_by_name(stack.stack_name).template


class Deployment:
    """The template's resources created in moto, its parameters given, its values resolved."""

    def __init__(self, template: dict, parameters: dict[str, str]):
        self.template = template
        self.parameters = parameters
        self.physical: dict[str, str] = {}
        suffix = uuid.uuid4().hex[:8]
        for logical_id, resource in template["Resources"].items():
            kind, props = resource["Type"], resource.get("Properties", {})
            if kind == "AWS::SecretsManager::Secret":
                self.physical[logical_id] = boto3.client("secretsmanager").create_secret(
                    Name=f"{logical_id}-{suffix}", SecretString=props["SecretString"])["ARN"]
            elif kind == "AWS::S3::Bucket":
                name = f"audio-{suffix}"
                boto3.client("s3").create_bucket(Bucket=name)
                self.physical[logical_id] = name
            elif kind == "AWS::SNS::Topic":
                self.physical[logical_id] = boto3.client("sns").create_topic(Name=f"events-{suffix}")["TopicArn"]
            elif kind == "AWS::StepFunctions::StateMachine":
                self.physical[logical_id] = boto3.client("stepfunctions").create_state_machine(
                    name=f"pipeline-{suffix}", roleArn="arn:aws:iam::123456789012:role/x",
                    definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}))["stateMachineArn"]

    def secret_arn(self, description_start: str) -> str:
        (logical_id,) = [k for k, r in self.template["Resources"].items()
                         if r["Type"] == "AWS::SecretsManager::Secret"
                         and r["Properties"]["Description"].startswith(description_start)]
        return self.physical[logical_id]

    def resolve(self, value):
        if isinstance(value, str):
            return value
        if "Ref" in value:
            name = value["Ref"]
            return self.parameters[name] if name in self.parameters else self.physical[name]
        if "Fn::GetAtt" in value and value["Fn::GetAtt"][1] == "ApiEndpoint":
            return API_ENDPOINT
        if "Fn::Join" in value:
            sep, parts = value["Fn::Join"]
            return sep.join(self.resolve(p) for p in parts)
        raise AssertionError(f"the test cannot resolve {value}")

    def functions(self) -> dict[str, dict]:
        """Function name (topology, or "migrate") -> its Lambda resource's properties."""
        out = {}
        for resource in self.template["Resources"].values():
            if resource["Type"] != "AWS::Lambda::Function":
                continue
            props = resource["Properties"]
            description = props.get("Description", "")
            if description.startswith("Hum It Out "):
                out[description.removeprefix("Hum It Out ")] = props
            elif "migrations" in description:
                out["migrate"] = props
        return out

    def environment(self, name: str) -> dict[str, str]:
        variables = self.functions()[name].get("Environment", {}).get("Variables", {})
        return {k: self.resolve(v) for k, v in variables.items()}


class DeployedFunctions:
    """Runs a handler with only the runtime's and the template's environment, in AWS mode."""

    def __init__(self, stack, deployment: Deployment):
        self.stack, self.deployment = stack, deployment

    def invoke(self, name: str, event: dict):
        from humitout.runtime import reset_services

        saved = dict(os.environ)
        env = {k: v for k, v in saved.items() if k in RUNTIME_KEYS}
        env.update(self.deployment.environment(name), AWS_LAMBDA_FUNCTION_NAME=f"HumItOut-{name}")
        os.environ.clear()
        os.environ.update(env)
        reset_services()
        try:
            spec = function(name) if name != "migrate" else None
            folder, entry = (spec.folder, spec.entry) if spec else ("migrate", "handler")
            path = FUNCTIONS_DIR / folder / "handler.py"
            module_spec = importlib.util.spec_from_file_location(f"deployed_{folder}_{uuid.uuid4().hex[:6]}", path)
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            context = LambdaContext(f"HumItOut-{name}", 512, f"arn:aws:lambda:us-east-1:123456789012:function:{name}", 60)
            return getattr(module, entry)(event, context)
        finally:
            os.environ.clear()
            os.environ.update(saved)
            self.stack.configure({})  # the local stack's own services again


class TwilioApi:
    """Stands in for https://api.twilio.com at the HTTP layer the SDK and the fetch use."""

    def __init__(self, recording: bytes):
        self.recording = recording
        self.sent: list[dict] = []
        self.fetches: list[tuple[str, str | None]] = []

    def sdk_request(self, method, url, params=None, data=None, headers=None, auth=None, **kwargs):
        from twilio.http.response import Response

        assert url.startswith("https://api.twilio.com/2010-04-01/Accounts/")
        self.sent.append({"url": url, "data": data, "auth": auth})
        return Response(201, json.dumps({"sid": "SM" + uuid.uuid4().hex, "status": "queued"}))

    def get(self, url, auth=None, **kwargs):
        self.fetches.append((url, auth))
        resp = requests.Response()
        resp.url = url
        if url.startswith("https://api.twilio.com/"):  # Twilio serves media through a redirect
            resp.status_code, resp.headers["location"] = 302, "https://media.twiliocdn.com/rec/RE1.wav?sig=x"
            resp.raw = io.BytesIO(b"")
        else:
            resp.status_code, resp.raw = 200, io.BytesIO(self.recording)
        return resp


@pytest.fixture
def deployed(stack, template, monkeypatch):
    deployment = Deployment(template, {"TwilioFromNumber": FROM_NUMBER, "TwilioMessagingServiceSid": "",
                                       "StageConcurrency": "5"})
    # README, "Deploy to AWS": the operator puts the Twilio credentials and the Neon URL in the
    # secrets the stack created (OpenAISecret stays as created: optional, "not configured").
    sm = boto3.client("secretsmanager")
    sm.put_secret_value(SecretId=deployment.secret_arn("Twilio credentials"),
                        SecretString=json.dumps({"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN}))
    sm.put_secret_value(SecretId=deployment.secret_arn("Neon Postgres"), SecretString=os.environ["DATABASE_URL"])
    from twilio.http.http_client import TwilioHttpClient

    import humitout.telephony

    twilio = TwilioApi((REPO_ROOT / "samples" / "hum.wav").read_bytes())
    monkeypatch.setattr(TwilioHttpClient, "request", lambda self, *a, **k: twilio.sdk_request(*a, **k))
    monkeypatch.setattr(humitout.telephony, "_http", twilio)
    return DeployedFunctions(stack, deployment), deployment, twilio


def _signed_webhook(path: str, form: dict) -> dict:
    body = "&".join(f"{k}={requests.utils.quote(v)}" for k, v in form.items())
    signature = RequestValidator(AUTH_TOKEN).compute_signature(API_ENDPOINT + path, form)
    return {"version": "2.0", "routeKey": f"POST {path}", "rawPath": path, "rawQueryString": "",
            "headers": {"content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature},
            "requestContext": {"http": {"method": "POST", "path": path, "sourceIp": "54.0.0.1"}, "stage": "$default"},
            "body": b64encode(body.encode()).decode(), "isBase64Encoded": True}


def test_every_function_has_what_it_requires_from_the_template(deployed):
    functions, deployment, _ = deployed
    from humitout.runtime import load_settings

    names = set(deployment.functions())
    assert names == {spec.name for spec in FUNCTIONS} | {"migrate"}
    for name in names:
        env = deployment.environment(name)
        settings = load_settings(env)
        assert settings.missing() == [], name
        if "sender" in settings.requires:
            assert settings.sms_sender == FROM_NUMBER, name


@pytest.fixture
def db(stack):
    """The test's own connection to the database the functions reach through the secret."""
    from humitout.db import Database

    database = Database(os.environ["DATABASE_URL"], max_connections=2)
    yield database
    database.close()


def test_migrate_voice_transcribe_and_notify_run_with_the_template_environment(deployed, db):
    functions, deployment, twilio = deployed
    svc = type("Svc", (), {"db": db})
    assert functions.invoke("migrate", {}) == {"applied": []}  # the local stack applied them already

    phone = "+1555" + str(uuid.uuid4().int)[:7]
    user_id = svc.db.create_user(f"{uuid.uuid4().hex}@example.com", phone, "135790")
    answer = functions.invoke("voice", _signed_webhook("/twilio/voice", {
        "AccountSid": ACCOUNT_SID, "CallSid": "CA" + uuid.uuid4().hex, "From": phone, "To": FROM_NUMBER}))
    assert answer["statusCode"] == 200 and "<Gather" in answer["body"], answer

    recording_sid = "RE" + uuid.uuid4().hex
    session, _ = svc.db.create_session(user_id, "CA1", recording_sid, phone, None)
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}"
    from humitout.security import seal_phone

    result = functions.invoke("transcribe", {"session_id": str(session["id"]), "caller": seal_phone(AUTH_TOKEN, phone),
                                             "recording_url": url, "recording_sid": recording_sid, "call_sid": "CA1",
                                             "style": None, "execution_arn": None})
    bucket = deployment.environment("transcribe")["BUCKET"]
    assert json.loads(boto3.client("s3").get_object(Bucket=bucket, Key=result["analysis_key"])["Body"].read())["notes"]
    # credentials (from the secret) went to api.twilio.com only, not to the media host it redirected to
    assert [auth for _, auth in twilio.fetches] == [(ACCOUNT_SID, AUTH_TOKEN), None]

    track_id = svc.db.save_track(str(session["id"]), 1, "pop", {"zip": "k"}, {"zip": 1},
                                 {"tempo_bpm": 100, "key": "C major", "time_signature": "4/4"})
    sent = functions.invoke("notify", {"session_id": str(session["id"]), "track_id": track_id,
                                       "caller": seal_phone(AUTH_TOKEN, phone), "execution_id": recording_sid})
    assert sent["sms_sent"] and sent["link"].startswith(API_ENDPOINT + "/s/")
    (sms,) = twilio.sent
    assert sms["data"]["From"] == FROM_NUMBER and sms["data"]["To"] == phone
    assert sms["auth"] == (ACCOUNT_SID, AUTH_TOKEN)


def test_the_first_deploy_with_placeholder_secrets_migrates_nothing_and_functions_fail_fast(stack, template, caplog):
    deployment = Deployment(template, {"TwilioFromNumber": FROM_NUMBER, "TwilioMessagingServiceSid": "",
                                       "StageConcurrency": "5"})  # secrets left as the stack made them
    from humitout.config import ConfigurationError

    functions = DeployedFunctions(stack, deployment)
    # the deploy-time trigger must not fail (that would roll the stack back): it says what to set
    assert functions.invoke("migrate", {}) == {"applied": [], "skipped": next(
        m for m in load_missing(deployment) if "DatabaseUrl" in m)}
    caplog.clear()
    with pytest.raises(ConfigurationError, match="DatabaseUrl"):
        functions.invoke("voice", _signed_webhook("/twilio/voice", {"AccountSid": ACCOUNT_SID, "CallSid": "CA1",
                                                                    "From": "+15551230000", "To": FROM_NUMBER}))
    lines = [r.getMessage() for r in caplog.records if "configuration error" in r.getMessage()]
    assert len(lines) == 1 and "DatabaseUrl" in lines[0] and "TwilioSecret" in lines[0]


def load_missing(deployment) -> list[str]:
    from humitout.runtime import load_settings

    return load_settings(deployment.environment("voice")).missing(("database",))
