-- Personal API tokens (for *arr applications, scripts and the RSS/API clients): only a SHA-256 of
-- the token is stored, with a short visible prefix so a member can tell tokens apart, scopes,
-- expiry, revocation and last use.

CREATE TABLE user_api_tokens (
    id             UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    token_hash     BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    token_prefix   TEXT NOT NULL CHECK (char_length(token_prefix) BETWEEN 4 AND 12),
    scopes         TEXT[] NOT NULL DEFAULT '{read}' CHECK (scopes <@ ARRAY['read', 'download', 'upload', 'rss', 'moderate', 'admin']),
    last_used_at   TIMESTAMPTZ,
    last_used_ip   INET,
    expires_at     TIMESTAMPTZ,   -- NULL: until revoked
    revoked_at     TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT user_api_tokens_expiry_after_creation CHECK (expires_at IS NULL OR expires_at > created_at)
);

CREATE UNIQUE INDEX user_api_tokens_name_key ON user_api_tokens (user_id, lower(name)) WHERE revoked_at IS NULL;
CREATE INDEX user_api_tokens_user_idx ON user_api_tokens (user_id, created_at DESC);
CREATE INDEX user_api_tokens_scopes_idx ON user_api_tokens USING gin (scopes);
CREATE INDEX user_api_tokens_expiry_idx ON user_api_tokens (expires_at) WHERE revoked_at IS NULL AND expires_at IS NOT NULL;
