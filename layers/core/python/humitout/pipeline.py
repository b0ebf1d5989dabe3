"""The four pipeline stages plus NotifyFailure, as called by the Step Functions tasks.

Each takes the state's input (a dict, see ``infra/statemachine/pipeline.asl.json``)
and returns the small dict the state machine stores under its ``ResultPath``.
Big documents travel through S3 (``analysis.json``, ``arrangement.json``).
"""
from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

from humitout import storage
from humitout.db import CONNECTION_ERRORS
from humitout.errors import BadAudio, PipelineError, caller_message, parse_error_code
from humitout.models import (CALL_NEWS, CALL_TIPS, CALLER_METERS, Analysis, Arrangement, HumReading, TimeSignature,
                             song_tempo_or_none, told_call_conditions)
from humitout.music.styles import tempo_asked
from humitout.runtime import Services
from humitout.security import mask_phone, unseal_phone
from humitout.stage_inputs import ComposeInput, NotifyFailureInput, NotifyInput, RenderInput, TranscribeInput
from humitout.telephony import fetch_recording, send_sms

logger = logging.getLogger("humitout.pipeline")


def transcribe(svc: Services, event: dict) -> dict:
    """Fetch the recording, keep the original in S3, analyse it, store ``analysis.json``."""
    from humitout.audio.decode import audio_file_suffix
    from humitout.audio.transcribe import analyse_recording
    from humitout.audio.lyrics import transcribe_lyrics

    s = svc.settings
    job = TranscribeInput.model_validate(event)
    session_id = job.session_id
    try:  # the webhook may not have written the row
        svc.db.ensure_session(session_id, caller_number(svc, job.caller), job.call_sid, job.recording_sid,
                              job.style.value if job.style else None, job.execution_arn)
    except LookupError as exc:
        raise PipelineError("internal", str(exc)) from exc
    svc.db.update_session(session_id, status="transcribing")
    data = fetch_recording(job.recording_url, s.recording_hosts, s.twilio_account_sid, s.twilio_auth_token,
                           credential_hosts=s.credential_hosts)
    original_key = f"{storage.session_prefix(session_id)}/original{audio_file_suffix(data) or '.bin'}"
    svc.storage.put_bytes(original_key, data)
    svc.db.update_session(session_id, original_audio_key=original_key)
    analysis = analyse_recording(data)
    if svc.openai is not None:
        analysis.lyrics = transcribe_lyrics(data, svc.openai)
    analysis_key = f"{storage.session_prefix(session_id)}/analysis.json"
    svc.storage.put_json(analysis_key, analysis)
    svc.db.update_session(
        session_id, duration_s=analysis.duration_s, tempo=analysis.tempo_bpm, detected_key=analysis.key.name,
        mood_tags=analysis.mood.tags, lyrics=analysis.lyrics.text or None,
        melody=[n.model_dump() for n in analysis.notes],
    )
    return {"analysis_key": analysis_key, "notes": len(analysis.notes), "key": analysis.key.name,
            "tempo_bpm": round(analysis.tempo_bpm, 1)}


def compose(svc: Services, event: dict) -> dict:
    """Run the agents on ``analysis.json``; store ``arrangement.json`` under a new version.

    The hum is read in the ``meter`` the caller named ("3/4": its beats and bars read again in it), else in
    the one of the session's newest version (a meter named once stays for "jazz" or "again"), else, and for
    :data:`~humitout.models.AS_HUMMED`, the hum's own. Its bar lines are then moved ``bar_shift`` beats later
    (the caller's "shift"), else as far as the newest version's were in the same meter. The song plays at the hum's
    tempo x 1, 2 or 1/2 nearest ``song_tempo_bpm`` (BPM: the caller's "half" or "double"; 0: the style's choice),
    else nearest the tempo the caller asked for last, else as the style suits."""
    from humitout.agents.llm import llm_from_settings
    from humitout.agents.compose import compose_arrangement, planned_beat_ratio
    from humitout.audio.transcribe import bars_moved, in_meter
    from humitout.music.arrangement import shift_cycle_beats

    job = ComposeInput.model_validate(event)
    session_id = job.session_id
    svc.db.update_session(session_id, status="composing")
    analysis = Analysis.model_validate(svc.storage.get_json(job.analysis_key))
    named, latest = job.meter, svc.db.latest_hum_reading(session_id)
    meter = TimeSignature.from_text(named or latest.meter)
    if meter is not None:
        analysis = in_meter(analysis, meter)
    bar_shift = job.bar_shift
    if bar_shift is None:  # kept from the newest version unless the caller named another meter
        bar_shift = latest.bar_shift if named in (None, latest.meter) else 0
    asked = song_tempo_or_none(latest.asked_tempo_bpm if job.song_tempo_bpm is None else job.song_tempo_bpm)
    style = job.style
    # a shift goes round the song bar in the hum's beats (a 2/4 hum's round its 4/4 song bar; at half time twice
    # as many beats)
    cycle = shift_cycle_beats(analysis.time_signature, planned_beat_ratio(analysis, style, asked_tempo_bpm=asked))
    moved = bars_moved(analysis, bar_shift, cycle_beats=cycle)
    bar_shift = bar_shift % cycle if moved is not analysis else 0
    analysis = moved   # unmoved: a whole bar, or an analysis without downbeats (version 1)
    # One version per execution, allocated atomically: concurrent remixes never share one.
    version = svc.db.allocate_version(session_id, job.execution_id)
    arrangement = compose_arrangement(analysis, style, llm=llm_from_settings(svc.settings), length=job.length,
                                      variation_seed=job.variation_seed, asked_tempo_bpm=asked,
                                      bar_shift_beats=bar_shift)
    key = f"{storage.version_prefix(session_id, version)}/arrangement.json"
    svc.storage.put_json(key, arrangement)
    return {"arrangement_key": key, "version": version, "style": arrangement.style.value}


def render(svc: Services, event: dict) -> dict:
    """Render the arrangement with FluidSynth and upload the package; records the track row."""
    from humitout.music.package import build_package

    job = RenderInput.model_validate(event)
    session_id, version = job.session_id, job.version
    svc.db.update_session(session_id, status="rendering")
    arrangement = Arrangement.model_validate(svc.storage.get_json(job.arrangement_key))
    prefix = storage.version_prefix(session_id, version)
    remove_stale_dirs(Path(tempfile.gettempdir()), "render-", older_than_s=RENDER_TMP_MAX_AGE_S)
    with tempfile.TemporaryDirectory(prefix="render-") as tmp:
        result = build_package(arrangement, Path(tmp), soundfont=Path(svc.settings.soundfont) if svc.settings.soundfont else None,
                               params={"session_id": session_id, "version": version,
                                       "length": arrangement.length, "variation_seed": arrangement.variation_seed},
                               hum=_original_hum(svc, session_id))
        keys, sizes = {}, {}
        for name, path in result.files.items():
            rel = path.relative_to(tmp).as_posix()
            keys[name] = f"{prefix}/{rel}"
            sizes[name] = svc.storage.put_file(keys[name], path)
    track_id = svc.db.save_track(session_id, version, arrangement.style.value, keys, sizes,
                                 {"tempo_bpm": arrangement.tempo_bpm, "key": arrangement.key.name,
                                  "time_signature": f"{arrangement.time_signature.numerator}/"
                                                    f"{arrangement.time_signature.denominator}",
                                  "hum_meter": result.metadata["hum_meter"],
                                  "bar_shift_beats": result.metadata["bar_shift_beats"],
                                  "beat_ratio": result.metadata["beat_ratio"],
                                  "asked_tempo_bpm": result.metadata["asked_tempo_bpm"],
                                  "call_conditions": result.metadata["call_conditions"],
                                  "length": arrangement.length, "variation_seed": arrangement.variation_seed,
                                  "agents": [d.model_dump() for d in arrangement.rationale],
                                  "your_hum": "your_hum" in keys,
                                  "audio_s": result.metadata["durations_s"]["audio"]})
    return {"track_id": track_id, "files": len(keys)}


# Older than any render can run (the task times out at 300 s): left by a killed invocation.
RENDER_TMP_MAX_AGE_S = 900


def remove_stale_dirs(parent: Path, prefix: str, older_than_s: float) -> int:
    """Delete ``parent/prefix*`` folders not modified for ``older_than_s`` seconds (what a
    timed-out render left in a warm container's 2 GB /tmp); returns how many."""
    import shutil
    import time

    removed = 0
    for path in parent.glob(prefix + "*"):
        try:
            if path.is_dir() and time.time() - path.stat().st_mtime > older_than_s:
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _original_hum(svc: Services, session_id: str):
    """The caller's original recording as (mono samples, Hz), or None when the session has none or
    it cannot be decoded (the package is then made without ``your-hum.wav``)."""
    from humitout.audio.decode import decode_audio

    session = svc.db.get_session(session_id) or {}
    key = session.get("original_audio_key")
    if not key:
        return None
    try:
        return decode_audio(svc.storage.get_bytes(key))
    except BadAudio:
        return None


def notify(svc: Services, event: dict) -> dict:
    """Text the caller one short link to their track (once per execution), the meters they may reply with
    when the song's bars are not their tune's, SHIFT when bar 1 is in the wrong place, HALF or DOUBLE (those the
    song can go at, :func:`~humitout.music.styles.tempo_asked`) when its beat is too fast or slow and, with the call's
    first track, a tip for the next call when the line or the room cost notes, or word that the song is of the
    take the caller started again (:data:`CALL_TIPS`)."""
    s = svc.settings
    job = NotifyInput.model_validate(event)
    session_id = job.session_id
    track = svc.db.get_track(job.track_id)
    token = svc.db.create_share_link(job.track_id, s.link_ttl_days)
    link = f"{s.public_base_url}/s/{token}"
    params = track["generation_params"]
    reading = HumReading.from_params(params)
    others = [m for m in CALLER_METERS if m not in (reading.song_meter, reading.meter)]
    half, double = (tempo_asked(reading, factor) for factor in (0.5, 2.0))
    beat = ("; too fast or slow? HALF or DOUBLE" if half and double else "; too fast? HALF" if half
            else "; too slow? DOUBLE" if double else "")
    body = (f"Hum It Out: your {track['style']} track is ready ({params['key']}, {params['time_signature']}, "
            f"{round(params['tempo_bpm'])} bpm). Backing track, MIDI, stems, lyrics"
            f"{' and your own hum on the beat' if params.get('your_hum') else ''}: {link} "
            f"Wrong beat? Reply {', '.join(others[:-1])} or {others[-1]}; bars off? Reply SHIFT{beat}.")
    heard = told_call_conditions(params.get("call_conditions"))
    if heard and int(track["version"]) == 1:  # the call's own track; a new version by SMS repeats no tip
        body = f"{body} {'' if heard[0] in CALL_NEWS else 'Tip: '}{CALL_TIPS[heard[0]]}"
    sent = send_once(svc, job.execution_id, caller_number(svc, job.caller), body)
    svc.db.update_session(session_id, status="completed", error=None, error_detail=None)
    _publish(svc, {"event": "track_ready", "session_id": session_id, "track_id": job.track_id})
    return {"link": link, "sms_sent": sent}


def notify_failure(svc: Services, event: dict) -> dict:
    """Mark the session failed with a reason code and text the caller what to do.

    The caller's number comes from the execution input, so the SMS goes out even with the
    database down; the session row is then left to the sweeper (:func:`sweep`), which records
    the failure without texting again.
    """
    job = NotifyFailureInput.model_validate(event)
    message = error_message(job.error.get("Cause"))
    code = parse_error_code(message)
    session_id = job.session_id
    caller = caller_number(svc, job.caller)
    recorded = True
    try:
        svc.db.update_session(session_id, status="failed", error=code,
                              error_detail=f"{job.error.get('Error')}: {message}"[:2000])
        sent = send_once(svc, job.execution_id, caller, caller_message(code))
    except CONNECTION_ERRORS as exc:
        logger.warning("database down in NotifyFailure: texting %s without recording it (%s)",
                       mask_phone(caller), type(exc).__name__)
        recorded = False
        send_sms(svc.twilio, svc.settings.sms_sender, caller, caller_message(code))
        sent = True
    _publish(svc, {"event": "session_failed", "session_id": session_id, "code": code})
    return {"code": code, "sms_sent": sent, "recorded": recorded}


def error_message(cause: str | None) -> str:
    """The Lambda ``errorMessage`` inside a Step Functions error cause (JSON), else the cause."""
    cause = cause or ""
    try:
        return json.loads(cause).get("errorMessage", cause)
    except (json.JSONDecodeError, AttributeError):
        return cause


def caller_number(svc: Services, sealed: str) -> str:
    """The caller's E.164 number from its sealed form in a state's input (:func:`humitout.security.seal_phone`)."""
    return unseal_phone(svc.settings.twilio_auth_token, sealed)


def send_once(svc: Services, idempotency_key: str, to_number: str, body: str,
              stored_body: str | None = None) -> bool:
    """Send an SMS unless one with this key went out already (retries, redelivered webhooks).

    ``stored_body`` is what ``sms_messages`` keeps instead of ``body`` (a PIN blanked out).
    """
    if not svc.db.claim_sms(idempotency_key, to_number, body if stored_body is None else stored_body):
        return False
    try:
        sid = send_sms(svc.twilio, svc.settings.sms_sender, to_number, body)
    except Exception as exc:
        try:
            svc.db.finish_sms(idempotency_key, None, str(exc)[:500])
        except CONNECTION_ERRORS:
            logger.warning("could not record the failed SMS %s (database unavailable)", idempotency_key)
        raise
    try:
        svc.db.finish_sms(idempotency_key, sid)
    except CONNECTION_ERRORS:  # it went out: a raise here would make NotifyFailure send it again
        logger.warning("SMS %s sent but not recorded (database unavailable)", idempotency_key)
    return True


def sweep(svc: Services, older_than_s: int | None = None, limit: int = 100) -> list[dict]:
    """Reconcile sessions stuck in a non-final state with their execution; returns what it did.

    Run on a schedule (EventBridge in AWS, a thread of ``humitout serve`` locally). For each
    session unchanged for ``older_than_s`` (default ``SWEEP_AFTER_S``):

    - execution still running: left alone;
    - execution succeeded: marked ``completed`` (Notify texted the link);
    - execution failed through NotifyFailure (``SessionFailed``): marked ``failed`` with the
      reason; the caller was already texted;
    - anything else (no execution, NotifyFailure itself failed, timed out, aborted): marked
      ``failed`` and the caller texted once (idempotency key ``sweep:<session>``).
    """
    older = svc.settings.sweep_after_s if older_than_s is None else older_than_s
    actions = []
    for row in svc.db.stuck_sessions(older, limit):
        session_id, arn = str(row["id"]), row["execution_arn"]
        desc = {"status": "MISSING"}
        if arn:
            try:
                desc = svc.sfn.describe_execution(executionArn=arn)
            except svc.sfn.exceptions.ExecutionDoesNotExist:
                pass
        status = desc["status"]
        if status == "RUNNING":
            continue
        if status == "SUCCEEDED":
            svc.db.update_session(session_id, status="completed", error=None, error_detail=None)
            actions.append({"session_id": session_id, "execution": status, "texted": False})
            continue
        told = status == "FAILED" and desc.get("error") == "SessionFailed"
        code = parse_error_code(error_message(desc.get("cause"))) if told else "internal"
        svc.db.update_session(session_id, status="failed", error=code,
                              error_detail=f"sweeper: execution {status} {desc.get('error') or ''}".strip())
        texted = False if told else send_once(svc, f"sweep:{session_id}", row["caller"], caller_message(code))
        _publish(svc, {"event": "session_failed", "session_id": session_id, "code": code})
        actions.append({"session_id": session_id, "execution": status, "texted": texted})
    return actions


def _publish(svc: Services, message: dict) -> None:
    if svc.settings.topic_arn:
        svc.sns.publish(TopicArn=svc.settings.topic_arn, Message=json.dumps(message))

