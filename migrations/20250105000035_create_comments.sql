-- Comments on torrents, requests and collections (polymorphic: commentable_type + commentable_id),
-- threaded by parent_id, with edit history, anonymous comments on one's own anonymous upload,
-- soft delete and full-text search.

CREATE TABLE comments (
    id                UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    commentable_type  TEXT NOT NULL CHECK (commentable_type IN ('torrent', 'request', 'collection')),
    commentable_id    UUID NOT NULL,
    author_id         UUID REFERENCES users (id) ON DELETE SET NULL,
    parent_id         UUID REFERENCES comments (id) ON DELETE CASCADE,
    depth             SMALLINT NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 32),
    body              TEXT NOT NULL CHECK (char_length(body) BETWEEN 1 AND 65535),
    body_html         TEXT,
    is_anonymous      BOOLEAN NOT NULL DEFAULT false,
    reply_count       INTEGER NOT NULL DEFAULT 0 CHECK (reply_count >= 0),
    edit_count        INTEGER NOT NULL DEFAULT 0 CHECK (edit_count >= 0),
    edit_history      JSONB NOT NULL DEFAULT '[]'::jsonb,
    edited_at         TIMESTAMPTZ,
    edited_by         UUID REFERENCES users (id) ON DELETE SET NULL,
    search_vector     TSVECTOR GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(body, ''))) STORED,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at        TIMESTAMPTZ,
    deleted_by        UUID REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT comments_history_is_array CHECK (jsonb_typeof(edit_history) = 'array'),
    CONSTRAINT comments_root_depth CHECK ((parent_id IS NULL) = (depth = 0))
);

CREATE INDEX comments_commentable_idx ON comments (commentable_type, commentable_id, created_at);
CREATE INDEX comments_visible_idx ON comments (commentable_type, commentable_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX comments_author_idx ON comments (author_id, created_at DESC);
CREATE INDEX comments_parent_idx ON comments (parent_id, created_at) WHERE parent_id IS NOT NULL;
CREATE INDEX comments_search_idx ON comments USING gin (search_vector);
CREATE INDEX comments_edited_by_idx ON comments (edited_by) WHERE edited_by IS NOT NULL;
CREATE INDEX comments_deleted_by_idx ON comments (deleted_by) WHERE deleted_by IS NOT NULL;
CREATE INDEX comments_created_at_idx ON comments (created_at DESC);

CREATE TRIGGER comments_updated_at BEFORE UPDATE ON comments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
