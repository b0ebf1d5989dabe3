"""The local stack's waits: LocalLambdas tells waiters when an invocation ends (execution polling
sleeps on it), and the local state machine can retry at a flat interval."""
import json
import queue
import threading
import time

from humitout_infra.local.lambdas import LocalLambdas
from humitout_infra.local.stack import local_definition


def _lambdas_with_a_trivial_sweeper() -> LocalLambdas:
    lambdas = LocalLambdas()
    lambdas._pools["sweeper"] = queue.Queue()
    lambdas._checkout = lambda spec: (lambda event, ctx: {"ok": True})
    return lambdas


def test_waiting_for_an_invocation_end_wakes_when_one_ends():
    lambdas = _lambdas_with_a_trivial_sweeper()
    since = time.monotonic()
    threading.Timer(0.2, lambdas.invoke, ("sweeper", {})).start()
    lambdas.wait_for_invocation_end(since, timeout_s=30)
    assert lambdas.last_ended_at > since
    assert time.monotonic() - since < 10


def test_waiting_for_an_invocation_end_returns_at_once_when_one_already_ended_after_since():
    lambdas = _lambdas_with_a_trivial_sweeper()
    since = time.monotonic()
    lambdas.invoke("sweeper", {})
    started = time.monotonic()
    lambdas.wait_for_invocation_end(since, timeout_s=30)
    assert time.monotonic() - started < 1


def test_waiting_for_an_invocation_end_gives_up_after_the_timeout_when_none_ends():
    lambdas = _lambdas_with_a_trivial_sweeper()
    lambdas.invoke("sweeper", {})
    started = time.monotonic()
    lambdas.wait_for_invocation_end(time.monotonic(), timeout_s=0.3)
    assert 0.25 < time.monotonic() - started < 10


def _retriers(definition: str) -> list[dict]:
    return [r for state in json.loads(definition)["States"].values() for r in state.get("Retry", [])]


def test_the_local_definition_retries_at_a_flat_interval_when_the_backoff_rate_is_one():
    retriers = _retriers(local_definition(1, retry_backoff_rate=1.0))
    assert retriers and all(r["IntervalSeconds"] == 1 and r["BackoffRate"] == 1.0 for r in retriers)


def test_the_local_definition_keeps_the_files_backoff_rates_by_default():
    assert any(r["BackoffRate"] > 1 for r in _retriers(local_definition(1)))
