-- User accounts: authentication (Argon2id hash computed by the application), the passkey the tracker
-- authenticates announces with, e-mail verification, soft delete, activity and the invite tree
-- (invited_by). tracker_id is the compact 32-bit id the tracker's shared memory uses.

CREATE TABLE users (
    id                  UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    tracker_id          INTEGER GENERATED ALWAYS AS IDENTITY UNIQUE,
    username            TEXT NOT NULL,
    email               TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    passkey             CHAR(32) NOT NULL UNIQUE,
    rss_key             CHAR(32) NOT NULL UNIQUE,
    group_id            INTEGER NOT NULL REFERENCES user_groups (id) ON UPDATE CASCADE ON DELETE RESTRICT,

    -- unconfirmed: e-mail not yet verified; parked: inactive by the member's choice
    status              TEXT NOT NULL DEFAULT 'unconfirmed'
                        CHECK (status IN ('unconfirmed', 'active', 'parked', 'disabled', 'banned')),
    -- the one flag the tracker needs: may this account announce at all
    is_enabled          BOOLEAN GENERATED ALWAYS AS (status = 'active' AND deleted_at IS NULL) STORED,
    disabled_reason     TEXT,

    -- per-account restrictions on top of the group's rights (Gazelle's can_leech and friends)
    can_download        BOOLEAN NOT NULL DEFAULT true,
    can_upload          BOOLEAN NOT NULL DEFAULT true,
    can_invite          BOOLEAN NOT NULL DEFAULT true,
    can_comment         BOOLEAN NOT NULL DEFAULT true,
    can_chat            BOOLEAN NOT NULL DEFAULT true,
    can_request         BOOLEAN NOT NULL DEFAULT true,

    email_verified_at   TIMESTAMPTZ,
    invited_by          UUID REFERENCES users (id) ON DELETE SET NULL,
    invites_available   INTEGER NOT NULL DEFAULT 0 CHECK (invites_available >= 0),

    -- profile
    title               TEXT CHECK (title IS NULL OR char_length(title) <= 64),
    avatar_url          TEXT,
    about               TEXT,
    signature           TEXT CHECK (signature IS NULL OR char_length(signature) <= 1024),
    timezone            TEXT NOT NULL DEFAULT 'UTC',
    locale              TEXT NOT NULL DEFAULT 'en',
    theme               TEXT NOT NULL DEFAULT 'default',

    -- personal perks and sanctions with an end
    donor               BOOLEAN NOT NULL DEFAULT false,
    donor_until         TIMESTAMPTZ,
    freeleech_until     TIMESTAMPTZ,
    double_upload_until TIMESTAMPTZ,
    warned_until        TIMESTAMPTZ,
    ratio_watch_until   TIMESTAMPTZ,

    -- activity
    registration_ip     INET,
    last_ip             INET,
    last_login_at       TIMESTAMPTZ,
    last_access_at      TIMESTAMPTZ,
    last_announce_at    TIMESTAMPTZ,
    password_changed_at TIMESTAMPTZ,

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at          TIMESTAMPTZ,
    deleted_by          UUID REFERENCES users (id) ON DELETE SET NULL,
    deletion_reason     TEXT,

    CONSTRAINT users_username_format CHECK (username ~ '^[A-Za-z0-9_.-]{2,32}$'),
    CONSTRAINT users_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND char_length(email) <= 254),
    CONSTRAINT users_passkey_format CHECK (passkey ~ '^[0-9a-zA-Z]{32}$'),
    CONSTRAINT users_rss_key_format CHECK (rss_key ~ '^[0-9a-zA-Z]{32}$'),
    CONSTRAINT users_not_self_invited CHECK (invited_by IS NULL OR invited_by <> id),
    CONSTRAINT users_deleted_consistent CHECK (deleted_at IS NOT NULL OR deletion_reason IS NULL)
);

-- Usernames and e-mail addresses are unique without regard to case.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_username_trgm_idx ON users USING gin (username gin_trgm_ops);
CREATE INDEX users_group_id_idx ON users (group_id);
CREATE INDEX users_invited_by_idx ON users (invited_by) WHERE invited_by IS NOT NULL;
CREATE INDEX users_deleted_by_idx ON users (deleted_by) WHERE deleted_by IS NOT NULL;
CREATE INDEX users_status_idx ON users (status) WHERE status <> 'active';
CREATE INDEX users_enabled_group_idx ON users (group_id, tracker_id) WHERE is_enabled;
CREATE INDEX users_created_at_idx ON users (created_at DESC);
CREATE INDEX users_last_access_idx ON users (last_access_at DESC NULLS LAST) WHERE deleted_at IS NULL;
CREATE INDEX users_last_announce_idx ON users (last_announce_at) WHERE deleted_at IS NULL;
CREATE INDEX users_deleted_at_idx ON users (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX users_unverified_idx ON users (created_at) WHERE email_verified_at IS NULL;
CREATE INDEX users_registration_ip_idx ON users (registration_ip);
CREATE INDEX users_last_ip_idx ON users (last_ip);
CREATE INDEX users_warned_idx ON users (warned_until) WHERE warned_until IS NOT NULL;
CREATE INDEX users_ratio_watch_idx ON users (ratio_watch_until) WHERE ratio_watch_until IS NOT NULL;
CREATE INDEX users_donor_idx ON users (donor_until) WHERE donor;

CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
