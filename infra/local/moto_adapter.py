"""Pinned adapter: moto's Step Functions interpreter invokes Lambda tasks through moto's
``LambdaSimpleBackend.invoke``; this routes those calls to the local handlers.

Written against moto ``PINNED_MOTO_VERSION``; :func:`check_compatible` fails loudly when
an upgrade changes what this relies on (tests call it).
"""
from __future__ import annotations

import inspect
import json

import moto
from humitout_infra.local.lambdas import FunctionFailed, LocalLambdas, name_from_arn
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.config import default_user_config

PINNED_MOTO_VERSION = "5.2.5"
EXPECTED_INVOKE_PARAMS = ["self", "function_name", "qualifier", "body", "headers", "response_headers"]
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}


class MotoAdapterIncompatible(RuntimeError):
    pass


def check_compatible() -> None:
    """Raise :class:`MotoAdapterIncompatible` if moto is not the version this adapter targets."""
    problems = []
    if moto.__version__ != PINNED_MOTO_VERSION:
        problems.append(f"moto {moto.__version__} installed, adapter pinned to {PINNED_MOTO_VERSION}")
    params = list(inspect.signature(LambdaSimpleBackend.invoke).parameters)
    if params != EXPECTED_INVOKE_PARAMS:
        problems.append(f"LambdaSimpleBackend.invoke{params} != {EXPECTED_INVOKE_PARAMS}")
    for section, values in MOTO_CONFIG.items():
        for key in values:
            if key not in default_user_config.get(section, {}):
                problems.append(f"moto config has no {section}.{key}")
    if problems:
        raise MotoAdapterIncompatible("; ".join(problems))


def install(lambdas: LocalLambdas) -> None:
    """Configure moto to execute state machines and dispatch Lambda tasks to ``lambdas``."""
    check_compatible()
    for section, values in MOTO_CONFIG.items():
        default_user_config.setdefault(section, {}).update(values)

    def invoke(self, function_name, qualifier, body, headers, response_headers):
        event = json.loads(body) if body else {}
        try:
            result = lambdas.invoke(name_from_arn(function_name), event)
        except FunctionFailed as failed:
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(failed.payload).encode()
        return json.dumps(result).encode()

    LambdaSimpleBackend.invoke = invoke
