"""The web app's reads and writes (Postgres through :meth:`Database.tx`); every lookup is scoped
to the signed-in user, so another user's session or track reads as not found."""
from __future__ import annotations

import uuid

from humitout.runtime import Services

HISTORY_LIMIT = 200


def _uuid(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except (ValueError, TypeError):
        return None


def hums(svc: Services, user_id: str, *, limit: int = HISTORY_LIMIT) -> list[dict]:
    """The user's sessions, newest first, each with ``tracks`` (newest version first)."""
    with svc.db.tx() as cur:
        cur.execute(
            "SELECT s.id, s.created_at, s.updated_at, s.duration_s, s.detected_key, s.tempo, s.status, s.error,"
            " s.requested_style, coalesce((SELECT json_agg(json_build_object("
            "   'id', t.id, 'version', t.version, 'style', t.style, 'params', t.generation_params - 'agents',"
            "   'created_at', t.created_at) ORDER BY t.version DESC)"
            "  FROM generated_tracks t WHERE t.session_id = s.id), '[]'::json) AS tracks"
            " FROM sessions s WHERE s.user_id = %s ORDER BY s.created_at DESC LIMIT %s",
            (user_id, limit))
        return cur.fetchall()


def session_for(svc: Services, user_id: str, session_id: str) -> dict | None:
    sid = _uuid(session_id)
    if sid is None:
        return None
    with svc.db.tx() as cur:
        cur.execute(
            "SELECT s.*, (SELECT t.id FROM generated_tracks t WHERE t.session_id = s.id"
            "  ORDER BY t.version DESC LIMIT 1) AS latest_track_id,"
            " (SELECT count(*) FROM generated_tracks t WHERE t.session_id = s.id) AS versions"
            " FROM sessions s WHERE s.id = %s AND s.user_id = %s", (sid, user_id))
        return cur.fetchone()


def track_for(svc: Services, user_id: str, track_id: str) -> dict | None:
    """The track's row when its session belongs to ``user_id``, else None."""
    tid = _uuid(track_id)
    if tid is None:
        return None
    with svc.db.tx() as cur:
        cur.execute(
            "SELECT t.* FROM generated_tracks t"
            " JOIN sessions s ON s.id = t.session_id WHERE t.id = %s AND s.user_id = %s", (tid, user_id))
        return cur.fetchone()


def versions(svc: Services, session_id: str) -> list[dict]:
    with svc.db.tx() as cur:
        cur.execute("SELECT id, version, style, created_at FROM generated_tracks WHERE session_id = %s"
                    " ORDER BY version", (session_id,))
        return cur.fetchall()


def live_links(svc: Services, track_id: str) -> list[dict]:
    with svc.db.tx() as cur:
        cur.execute("SELECT token, expires_at, created_at FROM share_links WHERE track_id = %s"
                    " AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC", (track_id,))
        return cur.fetchall()


def revoke_links(svc: Services, track_id: str) -> int:
    """Revoke every live share link of a track; returns how many."""
    with svc.db.tx() as cur:
        cur.execute("UPDATE share_links SET revoked_at = now() WHERE track_id = %s AND revoked_at IS NULL",
                    (track_id,))
        return cur.rowcount


def set_status(svc: Services, session_id: str, status: str, *, only_from: tuple[str, ...]) -> bool:
    """Set a session's status if it is one of ``only_from`` (never moves a running stage back)."""
    with svc.db.tx() as cur:
        cur.execute("UPDATE sessions SET status = %s, updated_at = now() WHERE id = %s AND status = ANY(%s)",
                    (status, session_id, list(only_from)))
        return cur.rowcount == 1
