-- Warnings (infractions): points by severity, an expiry, the member's acknowledgement, and
-- revocation by staff. Active points decide automatic restrictions.

CREATE TABLE warnings (
    id               UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_by        UUID REFERENCES users (id) ON DELETE SET NULL,   -- NULL: automatic (hit-and-run, ratio)
    reason           TEXT NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 2000),
    severity         TEXT NOT NULL DEFAULT 'minor' CHECK (severity IN ('minor', 'moderate', 'major', 'severe')),
    points           SMALLINT NOT NULL DEFAULT 1 CHECK (points BETWEEN 1 AND 100),
    torrent_id       UUID REFERENCES torrents (id) ON DELETE SET NULL,   -- the torrent of a hit-and-run
    report_id        UUID REFERENCES reports (id) ON DELETE SET NULL,
    expires_at       TIMESTAMPTZ,   -- NULL: never
    acknowledged_at  TIMESTAMPTZ,
    revoked_at       TIMESTAMPTZ,
    revoked_by       UUID REFERENCES users (id) ON DELETE SET NULL,
    revoke_reason    TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT warnings_expiry_after_issue CHECK (expires_at IS NULL OR expires_at > created_at),
    CONSTRAINT warnings_revoked_consistent CHECK (revoked_at IS NOT NULL OR revoked_by IS NULL)
);

CREATE INDEX warnings_user_idx ON warnings (user_id, created_at DESC);
CREATE INDEX warnings_active_idx ON warnings (user_id, expires_at) WHERE revoked_at IS NULL;
CREATE INDEX warnings_unacknowledged_idx ON warnings (user_id) WHERE acknowledged_at IS NULL AND revoked_at IS NULL;
CREATE INDEX warnings_issued_by_idx ON warnings (issued_by, created_at DESC) WHERE issued_by IS NOT NULL;
CREATE INDEX warnings_torrent_idx ON warnings (torrent_id) WHERE torrent_id IS NOT NULL;
CREATE INDEX warnings_report_idx ON warnings (report_id) WHERE report_id IS NOT NULL;
CREATE INDEX warnings_revoked_by_idx ON warnings (revoked_by) WHERE revoked_by IS NOT NULL;
CREATE INDEX warnings_expiry_idx ON warnings (expires_at) WHERE revoked_at IS NULL AND expires_at IS NOT NULL;
