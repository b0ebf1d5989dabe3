-- Accounts, calls, generated tracks, share links and outgoing SMS.

CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           text NOT NULL UNIQUE,
    pin_hash        text NOT NULL,               -- scrypt$n$r$p$salt_hex$hash_hex
    failed_pin_attempts integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE phone_numbers (
    e164        text PRIMARY KEY CHECK (e164 ~ '^\+[1-9][0-9]{6,14}$'),
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phone_numbers_user_idx ON phone_numbers(user_id);

CREATE TABLE sessions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    call_sid            text NOT NULL,
    recording_sid       text UNIQUE,
    caller              text NOT NULL,
    requested_style     text,
    original_audio_key  text,
    duration_s          double precision,
    lyrics              text,
    tempo               double precision,
    detected_key        text,
    mood_tags           text[] NOT NULL DEFAULT '{}',
    melody              jsonb,
    status              text NOT NULL DEFAULT 'received'
                        CHECK (status IN ('received', 'transcribing', 'composing', 'rendering', 'completed', 'failed')),
    error               text,
    error_detail        text,
    execution_arn       text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions(user_id, created_at DESC);

CREATE TABLE generated_tracks (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id          uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    version             integer NOT NULL CHECK (version >= 1),
    style               text NOT NULL,
    file_keys           jsonb NOT NULL,          -- logical name -> S3 key
    file_sizes          jsonb NOT NULL,          -- logical name -> bytes
    generation_params   jsonb NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, version)
);

CREATE TABLE share_links (
    token       text PRIMARY KEY,                -- 128-bit random, base64url
    track_id    uuid NOT NULL REFERENCES generated_tracks(id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sms_messages (
    id               bigserial PRIMARY KEY,
    idempotency_key  text NOT NULL UNIQUE,
    to_number        text NOT NULL,
    body             text NOT NULL,
    provider_id      text,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Calls per caller number, for rate limiting (kept short; pruned by age).
CREATE TABLE call_attempts (
    id          bigserial PRIMARY KEY,
    caller      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_attempts_caller_idx ON call_attempts(caller, created_at);
