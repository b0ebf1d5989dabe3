"""The local stack's waits: LocalLambdas tells waiters when an invocation ends (execution polling
sleeps on it)."""
import queue
import threading
import time

from humitout_infra.local.lambdas import LocalLambdas


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

