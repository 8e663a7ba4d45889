-- Reports from members about torrents, users, comments, posts, messages and so on (polymorphic:
-- report_type + reported_entity_id), with priority, assignment to a moderator, evidence (URLs and
-- JSONB metadata) and resolution.

CREATE TABLE reports (
    id                  UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    reporter_id         UUID REFERENCES users (id) ON DELETE SET NULL,
    report_type         TEXT NOT NULL CHECK (report_type IN ('torrent', 'user', 'comment', 'forum_post', 'forum_topic',
                                                             'private_message', 'chat_message', 'request', 'collection')),
    reported_entity_id  UUID NOT NULL,
    reported_user_id    UUID REFERENCES users (id) ON DELETE SET NULL,   -- the author of the reported thing
    reason              TEXT NOT NULL CHECK (reason IN ('spam', 'abuse', 'copyright', 'duplicate', 'bad_quality',
                                                        'wrong_category', 'dead', 'cheating', 'illegal', 'other')),
    description         TEXT NOT NULL DEFAULT '',
    priority            TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'critical')),
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved', 'dismissed')),
    assigned_to         UUID REFERENCES users (id) ON DELETE SET NULL,
    assigned_at         TIMESTAMPTZ,
    evidence_urls       TEXT[] NOT NULL DEFAULT '{}',
    metadata            JSONB NOT NULL DEFAULT '{}'::jsonb,
    resolution          TEXT,
    resolved_by         UUID REFERENCES users (id) ON DELETE SET NULL,
    resolved_at         TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT reports_resolved_consistent CHECK (status NOT IN ('resolved', 'dismissed') OR resolved_at IS NOT NULL)
);

CREATE INDEX reports_open_idx ON reports (priority, created_at) WHERE status IN ('open', 'in_progress');
CREATE INDEX reports_entity_idx ON reports (report_type, reported_entity_id);
CREATE INDEX reports_reporter_idx ON reports (reporter_id, created_at DESC);
CREATE INDEX reports_reported_user_idx ON reports (reported_user_id, created_at DESC) WHERE reported_user_id IS NOT NULL;
CREATE INDEX reports_assigned_idx ON reports (assigned_to, status) WHERE assigned_to IS NOT NULL;
CREATE INDEX reports_resolved_by_idx ON reports (resolved_by) WHERE resolved_by IS NOT NULL;
CREATE INDEX reports_status_idx ON reports (status, created_at DESC);
CREATE INDEX reports_evidence_idx ON reports USING gin (evidence_urls);
CREATE INDEX reports_metadata_idx ON reports USING gin (metadata jsonb_path_ops);

CREATE TRIGGER reports_updated_at BEFORE UPDATE ON reports
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
