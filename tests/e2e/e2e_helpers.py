"""Helpers for tests that drive the local stack like a phone would."""
import re
from dataclasses import dataclass

import boto3
import requests

APP_NUMBER = "+15005550006"


@dataclass
class Caller:
    phone: str
    pin: str
    user_id: str


def call_and_wait(stack, caller: Caller, audio: bytes, style_digit: str = "", sms_count: int = 2,
                  timeout_s: float = 300):
    """Place a call, wait (up to ``timeout_s``) for its execution and for the caller's ``sms_count``-th SMS."""
    call = stack.twilio.place_call(caller.phone, APP_NUMBER, [caller.pin, style_digit], audio)
    assert call.recording_sid, call.said
    desc = stack.wait_for_execution(call.recording_sid, timeout_s=timeout_s)
    sms = stack.twilio.wait_for_sms(caller.phone, sms_count, timeout_s=30)[-1]
    return call, desc, sms


def link_in(sms_body: str) -> str:
    match = re.search(r"(https?://\S+/s/[\w-]+)", sms_body)
    assert match, sms_body
    return match.group(1)


def page_links(page_html: str) -> dict[str, str]:
    """filename -> presigned URL of each download the share page offers."""
    import html

    links = {}
    for href in re.findall(r'<a href="([^"]+)"[^>]* download>', page_html):
        url = html.unescape(href)
        name = re.search(r"response-content-disposition=attachment%3B%20filename%3D%22([^%]+)%22", url)
        links[name.group(1) if name else url] = url
    return links


def session_count(svc) -> int:
    with svc.db.tx() as cur:
        cur.execute("SELECT count(*) AS n FROM sessions")
        return cur.fetchone()["n"]


def executions_named(stack, name: str) -> list[dict]:
    sfn = boto3.client("stepfunctions")
    found = sfn.list_executions(stateMachineArn=stack.state_machine_arn)["executions"]
    return [e for e in found if e["name"] == name]


def get(url: str) -> requests.Response:
    return requests.get(url, timeout=30)
