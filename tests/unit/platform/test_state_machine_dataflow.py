"""Every JSONPath in pipeline.asl.json resolves against the data the previous states produce,
and every Task hands its function an input its model (humitout.stage_inputs) takes — on both entry
paths (a call, and an SMS remix that starts from the saved analysis), each started with the payload
model the webhooks and the web app build."""
import ast
import json
from pathlib import Path

import pytest
from jsonpath_ng import parse as jsonpath

from humitout.stage_inputs import STAGE_INPUTS, CallStart, NewVersionStart
from humitout_infra.topology import FUNCTIONS, STATE_MACHINE_FILE

PIPELINE_SOURCE = Path(__import__("humitout.pipeline").pipeline.__file__).read_text()
ASL = json.loads(STATE_MACHINE_FILE.read_text())
TASK_FUNCTION = {f"${{{spec.asl_arn_key}}}": spec for spec in FUNCTIONS if spec.asl_arn_key}

# What each stage function returns (keys only matter), checked against pipeline.py below.
STAGE_RESULTS = {
    "transcribe": {"analysis_key": "sessions/s/analysis.json", "notes": 10, "key": "C major", "tempo_bpm": 120},
    "compose": {"arrangement_key": "sessions/s/v1/arrangement.json", "version": 1, "style": "pop"},
    "render": {"track_id": "t", "files": 13},
    "notify": {"link": "http://x/s/t", "sms_sent": True},
    "notify-failure": {"code": "silence", "sms_sent": True, "recorded": True},
}
CALL_INPUT = json.loads(CallStart(session_id="s", caller="sealed", recording_url="https://api.twilio.com/r",
                                  recording_sid="RE1", call_sid="CA1").model_dump_json())
SMS_INPUT = json.loads(NewVersionStart(session_id="s", caller="sealed", analysis_key="sessions/s/analysis.json",
                                       style="jazz", length="long", meter="3/4", bar_shift=1, song_tempo_bpm=61.5,
                                       variation_seed=7).model_dump_json())


def _resolve(path: str, data: dict, context: dict):
    doc = context if path.startswith("$$.") else data
    matches = jsonpath(path[1:] if path.startswith("$$.") else path).find(doc)
    assert matches, f"{path} does not resolve"
    return matches[0].value


def _set(data: dict, result_path: str, value) -> dict:
    out = json.loads(json.dumps(data))
    node = out
    parts = result_path.removeprefix("$.").split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def _run(data: dict, fail_at: str | None = None) -> list[str]:
    """Walk the state machine like Step Functions would; returns the states visited."""
    context = {"Execution": {"Name": "RE1", "Id": "arn:aws:states:us-east-1:123456789012:execution:p:RE1"}}
    state_name, visited = ASL["StartAt"], []
    while True:
        state = ASL["States"][state_name]
        visited.append(state_name)
        kind = state["Type"]
        if kind == "Choice":
            nxt = state["Default"]
            for choice in state["Choices"]:
                if choice.get("IsPresent") and jsonpath(choice["Variable"]).find(data):
                    nxt = choice["Next"]
                    break
            state_name = nxt
            continue
        if kind in {"Fail", "Succeed"}:
            return visited
        params = {k.removesuffix(".$"): (_resolve(v, data, context) if k.endswith(".$") else v)
                  for k, v in state.get("Parameters", {}).items()}
        if kind == "Task":
            spec = TASK_FUNCTION[state["Resource"]]
            model = STAGE_INPUTS[spec.name.replace("-", "_")]
            assert set(params) == set(model.model_fields), f"{state_name} passes {sorted(params)}"
            model.model_validate(params)   # raises, naming the key
            if state_name == fail_at:
                data = _set(data, state["Catch"][0]["ResultPath"],
                            {"Error": "BadAudio", "Cause": json.dumps({"errorMessage": "silence: quiet"})})
                state_name = state["Catch"][0]["Next"]
                continue
            result = STAGE_RESULTS[spec.name]
        else:  # Pass
            result = params
        data = _set(data, state["ResultPath"], result) if "ResultPath" in state else result
        if state.get("End"):
            return visited
        state_name = state["Next"]


def test_a_call_goes_through_every_stage():
    assert _run(CALL_INPUT) == ["HasAnalysis", "Transcribe", "Compose", "Render", "Notify"]


def test_an_sms_remix_starts_from_the_saved_analysis():
    assert _run(SMS_INPUT) == ["HasAnalysis", "UseSavedAnalysis", "Compose", "Render", "Notify"]


@pytest.mark.parametrize("stage", ["Transcribe", "Compose", "Render", "Notify"])
def test_a_failing_stage_is_caught_by_notify_failure(stage):
    assert _run(CALL_INPUT, fail_at=stage)[-2:] == ["NotifyFailure", "Failed"]


def test_stage_results_match_what_the_pipeline_returns():
    tree = ast.parse(PIPELINE_SOURCE)
    for spec_name in STAGE_RESULTS:
        python_name = spec_name.replace("-", "_")
        fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == python_name)
        returned = next(n.value for n in ast.walk(fn) if isinstance(n, ast.Return))
        keys = {k.value for k in returned.keys}
        assert keys == set(STAGE_RESULTS[spec_name]), python_name


def test_every_retry_backs_off_and_every_stage_is_caught():
    for name, state in ASL["States"].items():
        if state["Type"] != "Task":
            continue
        assert all(r["BackoffRate"] > 1 and r["MaxAttempts"] >= 2 for r in state["Retry"]), name
        assert "TransientError" in state["Retry"][0]["ErrorEquals"], name
        if name != "NotifyFailure":
            assert state["Catch"][0]["ErrorEquals"] == ["States.ALL"], name
