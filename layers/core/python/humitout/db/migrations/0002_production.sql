-- Production hardening: PIN delivery, atomic track versions, the sweeper's index, no PIN in clear.

-- When the account's current PIN was texted successfully (NULL: never arrived, sign-up may retry).
ALTER TABLE users ADD COLUMN pin_sent_at timestamptz;
UPDATE users SET pin_sent_at = created_at;

-- One version number per execution, allocated under the session row's lock.
ALTER TABLE sessions ADD COLUMN versions_allocated integer NOT NULL DEFAULT 0;
UPDATE sessions s SET versions_allocated = coalesce(
    (SELECT max(version) FROM generated_tracks t WHERE t.session_id = s.id), 0);
CREATE TABLE track_versions (
    execution_name  text PRIMARY KEY,
    session_id      uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    version         integer NOT NULL CHECK (version >= 1),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, version)
);

-- The sweeper looks only at sessions not yet completed or failed.
CREATE INDEX sessions_open_idx ON sessions(updated_at) WHERE status NOT IN ('completed', 'failed');

-- Sign-up texts stored before this migration kept the PIN in clear.
UPDATE sms_messages SET body = regexp_replace(body, 'PIN is [0-9]{6}', 'PIN is ******', 'g')
 WHERE body ~ 'PIN is [0-9]{6}';
