-- Work queue for an external search index (Meilisearch): index/update/delete operations on
-- entities with their JSONB payload, status, retries with back-off, and worker locking
-- (SELECT ... FOR UPDATE SKIP LOCKED on the pending index). Completed rows are cleaned after 7 days.

CREATE TABLE search_index_queue (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_type      TEXT NOT NULL CHECK (entity_type IN ('torrent', 'request', 'collection', 'forum_topic', 'forum_post', 'user')),
    entity_id        UUID NOT NULL,
    operation        TEXT NOT NULL CHECK (operation IN ('index', 'update', 'delete')),
    payload          JSONB NOT NULL DEFAULT '{}'::jsonb,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    priority         SMALLINT NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     INTEGER NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    last_error       TEXT,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    locked_at        TIMESTAMPTZ,
    locked_by        TEXT,
    processed_at     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX search_index_queue_pending_idx ON search_index_queue (priority DESC, next_attempt_at) WHERE status = 'pending';
CREATE INDEX search_index_queue_entity_idx ON search_index_queue (entity_type, entity_id, created_at DESC);
CREATE INDEX search_index_queue_status_idx ON search_index_queue (status, created_at);
CREATE INDEX search_index_queue_cleanup_idx ON search_index_queue (processed_at) WHERE status = 'completed';
CREATE INDEX search_index_queue_stuck_idx ON search_index_queue (locked_at) WHERE status = 'processing';
CREATE INDEX search_index_queue_failed_idx ON search_index_queue (created_at DESC) WHERE status = 'failed';
