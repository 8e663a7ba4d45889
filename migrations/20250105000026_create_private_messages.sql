-- Private messages between members (or from the system): conversations as threads, deletion by
-- each side independently, read receipts and full-text search over subject and body.

CREATE TABLE private_messages (
    id                    UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    thread_id             UUID NOT NULL,     -- the id of the conversation's first message
    parent_id             UUID REFERENCES private_messages (id) ON DELETE SET NULL,
    sender_id             UUID REFERENCES users (id) ON DELETE SET NULL,   -- NULL: a system message
    recipient_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject               TEXT NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
    body                  TEXT NOT NULL CHECK (char_length(body) BETWEEN 1 AND 65535),
    body_html             TEXT,
    is_system             BOOLEAN NOT NULL DEFAULT false,
    is_read               BOOLEAN NOT NULL DEFAULT false,
    read_at               TIMESTAMPTZ,
    sender_deleted_at     TIMESTAMPTZ,
    recipient_deleted_at  TIMESTAMPTZ,
    search_vector         TSVECTOR GENERATED ALWAYS AS (
                              setweight(to_tsvector('english'::regconfig, coalesce(subject, '')), 'A') ||
                              setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')) STORED,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT private_messages_read_consistent CHECK (is_read = (read_at IS NOT NULL)),
    CONSTRAINT private_messages_system_has_no_sender CHECK (NOT is_system OR sender_id IS NULL)
);

CREATE INDEX private_messages_inbox_idx ON private_messages (recipient_id, created_at DESC) WHERE recipient_deleted_at IS NULL;
CREATE INDEX private_messages_unread_idx ON private_messages (recipient_id) WHERE NOT is_read AND recipient_deleted_at IS NULL;
CREATE INDEX private_messages_outbox_idx ON private_messages (sender_id, created_at DESC) WHERE sender_deleted_at IS NULL;
CREATE INDEX private_messages_thread_idx ON private_messages (thread_id, created_at);
CREATE INDEX private_messages_parent_idx ON private_messages (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX private_messages_search_idx ON private_messages USING gin (search_vector);
-- purge job: messages both sides deleted
CREATE INDEX private_messages_purge_idx ON private_messages (created_at)
    WHERE sender_deleted_at IS NOT NULL AND recipient_deleted_at IS NOT NULL;
