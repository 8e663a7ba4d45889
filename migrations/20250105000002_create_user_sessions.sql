-- Login sessions: only the SHA-256 of each session (or refresh) token is stored, so a database leak
-- yields no usable token. Device fingerprint and coarse geolocation let members review and revoke
-- their sessions; expired ones are cleaned daily.

CREATE TABLE user_sessions (
    id                   UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id              UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash           BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    refresh_token_hash   BYTEA UNIQUE CHECK (refresh_token_hash IS NULL OR octet_length(refresh_token_hash) = 32),
    device_fingerprint   TEXT,
    device_name          TEXT,
    user_agent           TEXT,
    ip                   INET,
    country_code         CHAR(2) CHECK (country_code IS NULL OR country_code ~ '^[A-Z]{2}$'),
    region               TEXT,
    city                 TEXT,
    is_remembered        BOOLEAN NOT NULL DEFAULT false,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at           TIMESTAMPTZ NOT NULL,
    revoked_at           TIMESTAMPTZ,
    revoked_reason       TEXT,
    CONSTRAINT user_sessions_expiry_after_creation CHECK (expires_at > created_at)
);

CREATE INDEX user_sessions_user_id_idx ON user_sessions (user_id);
CREATE INDEX user_sessions_active_idx ON user_sessions (user_id, last_seen_at DESC) WHERE revoked_at IS NULL;
CREATE INDEX user_sessions_expires_at_idx ON user_sessions (expires_at);
CREATE INDEX user_sessions_ip_idx ON user_sessions (ip);
CREATE INDEX user_sessions_fingerprint_idx ON user_sessions (device_fingerprint) WHERE device_fingerprint IS NOT NULL;
CREATE INDEX user_sessions_revoked_idx ON user_sessions (revoked_at) WHERE revoked_at IS NOT NULL;
