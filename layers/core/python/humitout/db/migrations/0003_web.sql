-- Web sign-in sessions ("My tracks"): the cookie carries a random token (signed); only its
-- SHA-256 is stored, so a database leak gives no usable cookie. Sign-out sets revoked_at.

CREATE TABLE web_sessions (
    token_hash  text PRIMARY KEY,                -- hex SHA-256 of the cookie's 256-bit token
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX web_sessions_user_idx ON web_sessions(user_id);
CREATE INDEX share_links_track_idx ON share_links(track_id);

-- One-time sign-in links sent by SMS (the other way in besides the PIN): 15 minutes, single use.
CREATE TABLE web_sign_in_links (
    token_hash  text PRIMARY KEY,                -- hex SHA-256 of the link's 256-bit token
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
