-- TOTP two-factor authentication: the Base32 secret, hashed single-use recovery codes, the last
-- accepted time step (so a code cannot be replayed) and failed-attempt lockout.

CREATE TABLE user_2fa (
    user_id          UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret           TEXT NOT NULL CHECK (secret ~ '^[A-Z2-7]{16,128}=*$'),
    algorithm        TEXT NOT NULL DEFAULT 'SHA1' CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
    digits           SMALLINT NOT NULL DEFAULT 6 CHECK (digits IN (6, 8)),
    period_seconds   SMALLINT NOT NULL DEFAULT 30 CHECK (period_seconds BETWEEN 15 AND 120),
    -- hashes of the unused recovery codes; a used code is removed from the array
    backup_codes     TEXT[] NOT NULL DEFAULT '{}',
    is_enabled       BOOLEAN NOT NULL DEFAULT false,
    enabled_at       TIMESTAMPTZ,
    last_used_at     TIMESTAMPTZ,
    last_used_step   BIGINT,
    failed_attempts  INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT user_2fa_enabled_has_time CHECK (NOT is_enabled OR enabled_at IS NOT NULL)
);

CREATE INDEX user_2fa_backup_codes_idx ON user_2fa USING gin (backup_codes);
CREATE INDEX user_2fa_enabled_idx ON user_2fa (user_id) WHERE is_enabled;
CREATE INDEX user_2fa_locked_idx ON user_2fa (locked_until) WHERE locked_until IS NOT NULL;

CREATE TRIGGER user_2fa_updated_at BEFORE UPDATE ON user_2fa
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
