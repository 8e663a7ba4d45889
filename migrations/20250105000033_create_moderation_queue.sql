-- Items waiting for a moderator (polymorphic: item_type + item_id): priority, assignment, automatic
-- flags with a classifier's confidence score, and resolution. An item is in the queue at most once
-- while it is open (partial unique index).

CREATE TABLE moderation_queue (
    id                 UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    item_type          TEXT NOT NULL CHECK (item_type IN ('torrent', 'comment', 'forum_post', 'user', 'request',
                                                          'collection', 'report', 'tag', 'avatar')),
    item_id            UUID NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_review', 'approved', 'rejected', 'escalated')),
    priority           SMALLINT NOT NULL DEFAULT 50 CHECK (priority BETWEEN 0 AND 100),
    reason             TEXT NOT NULL DEFAULT '',
    submitted_by       UUID REFERENCES users (id) ON DELETE SET NULL,
    assigned_to        UUID REFERENCES users (id) ON DELETE SET NULL,
    assigned_at        TIMESTAMPTZ,
    auto_flagged       BOOLEAN NOT NULL DEFAULT false,
    auto_flag_reason   TEXT,
    confidence_score   NUMERIC(5,4) CHECK (confidence_score IS NULL OR confidence_score BETWEEN 0 AND 1),
    metadata           JSONB NOT NULL DEFAULT '{}'::jsonb,
    resolved_by        UUID REFERENCES users (id) ON DELETE SET NULL,
    resolved_at        TIMESTAMPTZ,
    resolution_notes   TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT moderation_queue_resolved_consistent CHECK (status NOT IN ('approved', 'rejected') OR resolved_at IS NOT NULL)
);

CREATE UNIQUE INDEX moderation_queue_open_item_key ON moderation_queue (item_type, item_id)
    WHERE status IN ('pending', 'in_review', 'escalated');
CREATE INDEX moderation_queue_pending_idx ON moderation_queue (priority DESC, created_at) WHERE status IN ('pending', 'escalated');
CREATE INDEX moderation_queue_assigned_idx ON moderation_queue (assigned_to, status) WHERE assigned_to IS NOT NULL;
CREATE INDEX moderation_queue_item_idx ON moderation_queue (item_type, item_id, created_at DESC);
CREATE INDEX moderation_queue_submitted_by_idx ON moderation_queue (submitted_by) WHERE submitted_by IS NOT NULL;
CREATE INDEX moderation_queue_resolved_by_idx ON moderation_queue (resolved_by, resolved_at DESC) WHERE resolved_by IS NOT NULL;
CREATE INDEX moderation_queue_auto_flag_idx ON moderation_queue (confidence_score DESC) WHERE auto_flagged AND status = 'pending';
CREATE INDEX moderation_queue_metadata_idx ON moderation_queue USING gin (metadata jsonb_path_ops);

CREATE TRIGGER moderation_queue_updated_at BEFORE UPDATE ON moderation_queue
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
