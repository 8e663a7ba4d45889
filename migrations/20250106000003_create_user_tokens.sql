-- Single-use tokens mailed to a member: e-mail verification, password reset, e-mail change. Only the
-- SHA-256 of the token is stored; a token is good once and until it expires.

CREATE TABLE user_tokens (
    id           UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL CHECK (purpose IN ('email_verification', 'password_reset', 'email_change')),
    token_hash   BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    new_email    TEXT CHECK (new_email IS NULL OR new_email ~ '^[^@\s]+@[^@\s]+$'),   -- email_change only
    requested_ip INET,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT user_tokens_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT user_tokens_email_change_has_email CHECK ((purpose = 'email_change') = (new_email IS NOT NULL))
);

CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose, created_at DESC);
CREATE INDEX user_tokens_open_idx ON user_tokens (user_id, purpose) WHERE used_at IS NULL;
CREATE INDEX user_tokens_expiry_idx ON user_tokens (expires_at) WHERE used_at IS NULL;
