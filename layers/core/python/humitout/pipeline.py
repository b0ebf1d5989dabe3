"""The four pipeline stages plus NotifyFailure, as called by the Step Functions tasks.

Each takes the state's input (a dict, see ``infra/statemachine/pipeline.asl.json``)
and returns the small dict the state machine stores under its ``ResultPath``.
Big documents travel through S3 (``analysis.json``, ``arrangement.json``).
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from humitout import storage
from humitout.errors import BadAudio, caller_message, parse_error_code
from humitout.models import Analysis, Arrangement, Style
from humitout.runtime import Services
from humitout.telephony import fetch_recording, send_sms

def transcribe(svc: Services, event: dict) -> dict:
    """Fetch the recording, keep the original in S3, analyse it, store ``analysis.json``."""
    from humitout.audio.decode import audio_file_suffix
    from humitout.audio.transcribe import analyse_recording
    from humitout.audio.lyrics import transcribe_lyrics

    s = svc.settings
    session_id = event["session_id"]
    svc.db.update_session(session_id, status="transcribing")
    data = fetch_recording(event["recording_url"], s.recording_hosts, s.twilio_account_sid, s.twilio_auth_token)
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
    """Run the agents on ``analysis.json``; store ``arrangement.json`` under a new version."""
    from humitout.agents.compose import compose_arrangement, llm_from_env

    session_id = event["session_id"]
    svc.db.update_session(session_id, status="composing")
    analysis = Analysis.model_validate(svc.storage.get_json(event["analysis_key"]))
    version = svc.db.next_track_version(session_id)
    arrangement = compose_arrangement(analysis, Style.from_text(event.get("style")), llm=llm_from_env())
    key = f"{storage.version_prefix(session_id, version)}/arrangement.json"
    svc.storage.put_json(key, arrangement)
    return {"arrangement_key": key, "version": version, "style": arrangement.style.value}


def render(svc: Services, event: dict) -> dict:
    """Render the arrangement with FluidSynth and upload the package; records the track row."""
    from humitout.music.package import build_package

    session_id = event["session_id"]
    version = int(event["version"])
    svc.db.update_session(session_id, status="rendering")
    arrangement = Arrangement.model_validate(svc.storage.get_json(event["arrangement_key"]))
    prefix = storage.version_prefix(session_id, version)
    with tempfile.TemporaryDirectory(prefix="render-") as tmp:
        result = build_package(arrangement, Path(tmp), soundfont=Path(svc.settings.soundfont) if svc.settings.soundfont else None,
                               params={"session_id": session_id, "version": version}, hum=_original_hum(svc, session_id))
        keys, sizes = {}, {}
        for name, path in result.files.items():
            rel = path.relative_to(tmp).as_posix()
            keys[name] = f"{prefix}/{rel}"
            sizes[name] = svc.storage.put_file(keys[name], path)
    track_id = svc.db.save_track(session_id, version, arrangement.style.value, keys, sizes,
                                 {"tempo_bpm": arrangement.tempo_bpm, "key": arrangement.key.name,
                                  "time_signature": f"{arrangement.time_signature.numerator}/"
                                                    f"{arrangement.time_signature.denominator}",
                                  "agents": [d.model_dump() for d in arrangement.rationale],
                                  "your_hum": "your_hum" in keys})
    return {"track_id": track_id, "files": len(keys)}


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
    """Text the caller one short link to their track (once per execution)."""
    s = svc.settings
    session_id = event["session_id"]
    track = svc.db.get_track(event["track_id"])
    token = svc.db.create_share_link(event["track_id"], s.link_ttl_days)
    link = f"{s.public_base_url}/s/{token}"
    params = track["generation_params"]
    body = (f"Hum It Out: your {track['style']} track is ready ({params['key']}, {params['time_signature']}, "
            f"{round(params['tempo_bpm'])} bpm). Backing track, MIDI, stems, lyrics"
            f"{' and your own hum on the beat' if params.get('your_hum') else ''}: {link}")
    sent = send_once(svc, event["execution_id"], event["caller"], body)
    svc.db.update_session(session_id, status="completed", error=None, error_detail=None)
    _publish(svc, {"event": "track_ready", "session_id": session_id, "track_id": event["track_id"]})
    return {"link": link, "sms_sent": sent}


def notify_failure(svc: Services, event: dict) -> dict:
    """Mark the session failed with a reason code and text the caller what to do."""
    error = event.get("error") or {}
    cause = error.get("Cause") or ""
    try:
        message = json.loads(cause).get("errorMessage", cause)
    except (json.JSONDecodeError, AttributeError):
        message = cause
    code = parse_error_code(message)
    session_id = event["session_id"]
    svc.db.update_session(session_id, status="failed", error=code, error_detail=f"{error.get('Error')}: {message}"[:2000])
    sent = send_once(svc, event["execution_id"], event["caller"], caller_message(code))
    _publish(svc, {"event": "session_failed", "session_id": session_id, "code": code})
    return {"code": code, "sms_sent": sent}


def send_once(svc: Services, idempotency_key: str, to_number: str, body: str) -> bool:
    """Send an SMS unless one with this key went out already (retries, redelivered webhooks)."""
    if not svc.db.claim_sms(idempotency_key, to_number, body):
        return False
    try:
        sid = send_sms(svc.twilio, svc.settings.twilio_from_number, to_number, body)
    except Exception as exc:
        svc.db.finish_sms(idempotency_key, None, str(exc)[:500])
        raise
    svc.db.finish_sms(idempotency_key, sid)
    return True


def _publish(svc: Services, message: dict) -> None:
    if svc.settings.topic_arn:
        svc.sns.publish(TopicArn=svc.settings.topic_arn, Message=json.dumps(message))

