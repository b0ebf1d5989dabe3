"""The pinned moto adapter refuses a moto it was not written for, instead of silently
running Lambda tasks through moto's "always succeeds" backend."""
import moto
import pytest
from moto.awslambda_simple.models import LambdaSimpleBackend

from humitout_infra.local import moto_adapter


def test_the_installed_moto_is_the_one_the_adapter_is_pinned_to():
    moto_adapter.check_compatible()  # raises MotoAdapterIncompatible on any drift


def test_another_moto_version_fails_loudly(monkeypatch):
    monkeypatch.setattr(moto, "__version__", "5.3.0")
    with pytest.raises(moto_adapter.MotoAdapterIncompatible, match="pinned to 5.2.5"):
        moto_adapter.check_compatible()


def test_a_changed_invoke_signature_fails_loudly(monkeypatch):
    monkeypatch.setattr(LambdaSimpleBackend, "invoke", lambda self, function_name, body: None)
    with pytest.raises(moto_adapter.MotoAdapterIncompatible, match="LambdaSimpleBackend.invoke"):
        moto_adapter.check_compatible()


def test_lambda_tasks_reach_the_local_handlers(stack):
    # The stack installed the adapter: moto's backend now dispatches to the local functions.
    assert LambdaSimpleBackend.invoke.__module__ == moto_adapter.__name__
