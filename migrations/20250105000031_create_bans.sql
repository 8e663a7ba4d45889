-- Bans: of an account, an IP range (CIDR), an e-mail pattern, or of one activity (upload, download,
-- chat, forum, invite); temporary or permanent, with an appeal and lift trail. Active IP bans are
-- copied into the tracker's shared memory.

CREATE TABLE bans (
    id                   UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    ban_type             TEXT NOT NULL CHECK (ban_type IN ('account', 'ip', 'email', 'upload', 'download', 'chat', 'forum', 'invite')),
    user_id              UUID REFERENCES users (id) ON DELETE CASCADE,
    ip_range             CIDR,
    email_pattern        TEXT,       -- a LIKE pattern, e.g. '%@spam.example'
    reason               TEXT NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
    internal_note        TEXT,
    banned_by            UUID REFERENCES users (id) ON DELETE SET NULL,
    warning_id           UUID REFERENCES warnings (id) ON DELETE SET NULL,
    expires_at           TIMESTAMPTZ,   -- NULL: permanent
    is_permanent         BOOLEAN GENERATED ALWAYS AS (expires_at IS NULL) STORED,
    appeal_status        TEXT NOT NULL DEFAULT 'none' CHECK (appeal_status IN ('none', 'pending', 'accepted', 'rejected')),
    appeal_text          TEXT,
    appealed_at          TIMESTAMPTZ,
    appeal_reviewed_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    appeal_reviewed_at   TIMESTAMPTZ,
    lifted_at            TIMESTAMPTZ,
    lifted_by            UUID REFERENCES users (id) ON DELETE SET NULL,
    lift_reason          TEXT,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT bans_target CHECK (
        (ban_type = 'ip' AND ip_range IS NOT NULL) OR
        (ban_type = 'email' AND email_pattern IS NOT NULL) OR
        (ban_type NOT IN ('ip', 'email') AND user_id IS NOT NULL)),
    CONSTRAINT bans_expiry_after_creation CHECK (expires_at IS NULL OR expires_at > created_at),
    CONSTRAINT bans_appeal_consistent CHECK (appeal_status = 'none' OR appealed_at IS NOT NULL)
);

CREATE INDEX bans_user_idx ON bans (user_id, ban_type) WHERE user_id IS NOT NULL;
CREATE INDEX bans_active_user_idx ON bans (user_id, ban_type, expires_at) WHERE lifted_at IS NULL AND user_id IS NOT NULL;
-- "is this address banned": containment lookups on the active IP bans
CREATE INDEX bans_ip_range_idx ON bans USING gist (ip_range inet_ops) WHERE ban_type = 'ip' AND lifted_at IS NULL;
CREATE INDEX bans_email_idx ON bans (lower(email_pattern)) WHERE ban_type = 'email' AND lifted_at IS NULL;
CREATE INDEX bans_expiry_idx ON bans (expires_at) WHERE lifted_at IS NULL AND expires_at IS NOT NULL;
CREATE INDEX bans_appeals_idx ON bans (appealed_at) WHERE appeal_status = 'pending';
CREATE INDEX bans_banned_by_idx ON bans (banned_by, created_at DESC) WHERE banned_by IS NOT NULL;
CREATE INDEX bans_warning_idx ON bans (warning_id) WHERE warning_id IS NOT NULL;
CREATE INDEX bans_appeal_reviewed_by_idx ON bans (appeal_reviewed_by) WHERE appeal_reviewed_by IS NOT NULL;
CREATE INDEX bans_lifted_by_idx ON bans (lifted_by) WHERE lifted_by IS NOT NULL;
CREATE INDEX bans_created_at_idx ON bans (created_at DESC);
