"""The embedded stack: pgserver, a moto server (S3, SNS, Step Functions running the real ASL),
the API gateway stand-in and the Twilio stand-in, wired through the same environment
variables the Lambdas read in AWS."""
from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import boto3
from humitout.calls import execution_arn
from humitout.runtime import reset_services, services
from humitout_infra.local import moto_adapter
from humitout_infra.local.gateway import Gateway
from humitout_infra.local.lambdas import ACCOUNT, REGION, LocalLambdas, function_arn
from humitout_infra.local.twilio_standin import TwilioStandIn
from humitout_infra.topology import FUNCTIONS, STATE_MACHINE_FILE

APP_NUMBER = "+15005550006"
STATE_MACHINE_NAME = "humitout-pipeline"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/humitout-pipeline"


def local_definition(retry_interval_s: int, retry_backoff_rate: float | None = None) -> str:
    """The ASL file with the Lambda ARNs substituted, as CDK does, and retry intervals set to
    ``retry_interval_s`` seconds (moto really sleeps them), each retry's interval multiplied by
    ``retry_backoff_rate`` (None: the file's rate; 1.0: every retry after ``retry_interval_s``)."""
    text = STATE_MACHINE_FILE.read_text()
    for spec in FUNCTIONS:
        if spec.asl_arn_key:
            text = text.replace("${%s}" % spec.asl_arn_key, function_arn(spec.name))
    doc = json.loads(text)
    for state in doc["States"].values():
        for retrier in state.get("Retry", []):
            retrier["IntervalSeconds"] = retry_interval_s
            if retry_backoff_rate is not None:
                retrier["BackoffRate"] = retry_backoff_rate
    return json.dumps(doc)


def default_state_dir() -> Path:
    return Path(os.environ.get("HUMITOUT_STATE_DIR", ".state")).resolve()


class LocalStack:
    """Start with :meth:`start`, stop with :meth:`stop` (or use as a context manager)."""

    def __init__(self, state_dir: Path | None = None, gateway_port: int = 0, retry_interval_s: int = 1,
                 retry_backoff_rate: float | None = None, progress: Callable[[str], None] | None = None):
        self.state_dir = (state_dir or default_state_dir()).resolve()
        self.gateway_port = gateway_port
        self.retry_interval_s = retry_interval_s
        self.retry_backoff_rate = retry_backoff_rate
        self.progress = progress or (lambda msg: None)
        self.auth_token = secrets.token_hex(16)
        self.account_sid = "AC" + secrets.token_hex(16)
        self._pg = None
        self._moto = None
        self._saved_env: dict[str, str | None] = {}

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> "LocalStack":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # moto's request log and its interpreter's tracebacks for Fail states are noise here:
        # failures are reported through execution history (``humitout executions``).
        for noisy in ("werkzeug", "moto.stepfunctions.parser"):
            logging.getLogger(noisy).setLevel(logging.CRITICAL)
        t0 = time.monotonic()
        # Postgres (initdb and pg_ctl: mostly waiting on other processes) starts while moto, the
        # gateway and the Twilio stand-in start and the AWS resources are created; the schema waits for it.
        with ThreadPoolExecutor(1, thread_name_prefix="postgres") as pool:
            postgres = pool.submit(self._start_postgres)
            from moto.server import ThreadedMotoServer

            self.lambdas = LocalLambdas()
            moto_adapter.install(self.lambdas)
            self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            self._moto.start()
            moto_host, moto_port = self._moto.get_host_and_port()
            moto_url = f"http://{moto_host}:{moto_port}"
            self.gateway = Gateway(self.lambdas, self.gateway_port).start()
            self.twilio = TwilioStandIn(self.account_sid, self.auth_token, self.gateway.url).start()
            self.state_machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{STATE_MACHINE_NAME}"
            bucket = "humitout-local"
            self._set_env({
                "MOTO_PORT": str(moto_port),
                "AWS_ENDPOINT_URL": moto_url,
                "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": None,
                "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
                "BUCKET": bucket,
                "PUBLIC_BASE_URL": self.gateway.url,
                "TWILIO_ACCOUNT_SID": self.account_sid,
                "TWILIO_AUTH_TOKEN": self.auth_token,
                "TWILIO_FROM_NUMBER": APP_NUMBER,
                "TWILIO_API_BASE": self.twilio.url,
                "RECORDING_HOSTS": "127.0.0.1,localhost",
                "TWILIO_CREDENTIAL_HOSTS": "127.0.0.1",
                "STATE_MACHINE_ARN": self.state_machine_arn,
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                "TWILIO_SECRET_ARN": None, "OPENAI_SECRET_ARN": None, "DATABASE_SECRET_ARN": None,
            })
            self._provision_aws(bucket)
            self._set_env({"DATABASE_URL": postgres.result()})
        self.progress(f"postgres and local AWS up ({time.monotonic() - t0:.1f} s)")
        reset_services()
        services().db.migrate()
        self._reload_services()
        self.progress(f"local AWS ready: gateway {self.gateway.url}, moto {moto_url}, twilio {self.twilio.url}")
        return self

    def _start_postgres(self) -> str:
        if os.environ.get("DATABASE_URL"):
            return os.environ["DATABASE_URL"]
        import pgserver

        self._pg = pgserver.get_server(self.state_dir / "pgdata", cleanup_mode="stop")
        return self._pg.get_uri()

    def _provision_aws(self, bucket: str) -> None:
        """The audio ``bucket``, the events topic and the state machine in moto (the clients reach
        moto through ``AWS_ENDPOINT_URL``, set above)."""
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=bucket)
        # The web player's stem mixer fetches the presigned audio from the page's origin.
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
            {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": [self.gateway.url], "AllowedHeaders": ["*"],
             "MaxAgeSeconds": 3600}]})
        topic = boto3.client("sns").create_topic(Name="humitout-events")["TopicArn"]
        self._set_env({"EVENTS_TOPIC_ARN": topic})
        boto3.client("stepfunctions").create_state_machine(
            name=STATE_MACHINE_NAME, definition=local_definition(self.retry_interval_s, self.retry_backoff_rate),
            roleArn=ROLE_ARN, type="STANDARD")

    def _reload_services(self) -> None:
        """Rebuild the handlers' clients from the environment, eagerly: boto3 client creation is
        not thread-safe, and the handlers run on many threads here, unlike in Lambda."""
        reset_services()
        warm = services()
        for client in ("db", "storage", "sfn", "sns", "twilio", "openai"):
            getattr(warm, client)

    def configure(self, values: dict[str, str | None]) -> None:
        """Change the handlers' environment (None unsets), e.g. to add ``OPENAI_API_KEY``."""
        self._set_env(values)
        self._reload_services()

    def _set_env(self, values: dict[str, str | None]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def start_schedules(self, period_scale_s: float = 60.0) -> None:
        """Invoke each scheduled function (``FunctionSpec.schedule_minutes``) on its period, as
        EventBridge does in AWS (``period_scale_s`` seconds per scheduled minute)."""
        self._stop_schedules = threading.Event()
        for spec in FUNCTIONS:
            if spec.schedule_minutes:
                threading.Thread(target=self._every, args=(spec.name, spec.schedule_minutes * period_scale_s),
                                 daemon=True, name=f"schedule-{spec.name}").start()

    def _every(self, name: str, period_s: float) -> None:
        while not self._stop_schedules.wait(period_s):
            try:
                self.lambdas.invoke(name, {"source": "aws.events", "detail-type": "Scheduled Event"})
            except Exception as exc:  # the next tick tries again, as EventBridge would
                logging.getLogger("humitout.local").warning("scheduled %s failed: %s", name, exc)

    def stop_schedules(self) -> None:
        if hasattr(self, "_stop_schedules"):
            self._stop_schedules.set()

    def stop(self) -> None:
        self.stop_schedules()
        for part in ("twilio", "gateway"):
            if hasattr(self, part):
                getattr(self, part).stop()
        reset_services()
        if self._moto is not None:
            self._moto.stop()
        if self._pg is not None:
            self._pg.cleanup()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def __enter__(self) -> "LocalStack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- helpers for the CLI and tests --------------------------------------------------------
    def wait_for_execution(self, name: str, timeout_s: float = 600, poll_s: float = 0.1, settle_s: float = 2.0,
                           idle_poll_s: float = 1.0) -> dict:
        """Poll until the named execution leaves RUNNING; returns describe_execution.

        An execution moves on when one of its Lambda tasks returns, so this polls every ``poll_s``
        seconds only within ``settle_s`` seconds of an invocation's end; otherwise it waits for the
        next invocation to end, polling at least every ``idle_poll_s`` seconds (a task timeout, a
        retry interval). Each poll is a request that moto serves on this process's GIL, which
        the Lambdas it waits on (Render) need.
        """
        sfn = boto3.client("stepfunctions")
        arn = execution_arn(self.state_machine_arn, name)
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                desc = sfn.describe_execution(executionArn=arn)
            except sfn.exceptions.ExecutionDoesNotExist:
                desc = {"status": "PENDING"}
            if desc["status"] not in {"RUNNING", "PENDING"}:
                return desc
            if time.monotonic() > deadline:
                raise TimeoutError(f"execution {name} still {desc['status']} after {timeout_s:.0f} s")
            self.lambdas.wait_for_invocation_end(time.monotonic() - settle_s, idle_poll_s)
            time.sleep(poll_s)

    def execution_history(self, name: str) -> list[dict]:
        sfn = boto3.client("stepfunctions")
        arn = execution_arn(self.state_machine_arn, name)
        events, token = [], None
        while True:
            kwargs = {"executionArn": arn, "maxResults": 1000, **({"nextToken": token} if token else {})}
            page = sfn.get_execution_history(**kwargs)
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                return events
