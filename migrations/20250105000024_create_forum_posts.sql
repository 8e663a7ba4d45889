-- Forum posts: the body as written and pre-rendered to HTML, edit history (previous bodies as
-- JSONB), soft delete and full-text search. Completes the last-post links of forums and topics.

CREATE TABLE forum_posts (
    id             UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    topic_id       UUID NOT NULL REFERENCES forum_topics (id) ON DELETE CASCADE,
    author_id      UUID REFERENCES users (id) ON DELETE SET NULL,
    reply_to_id    UUID REFERENCES forum_posts (id) ON DELETE SET NULL,
    body           TEXT NOT NULL CHECK (char_length(body) BETWEEN 1 AND 65535),
    body_html      TEXT,
    edit_count     INTEGER NOT NULL DEFAULT 0 CHECK (edit_count >= 0),
    edit_history   JSONB NOT NULL DEFAULT '[]'::jsonb,   -- [{"body": ..., "edited_at": ..., "edited_by": ...}]
    edited_at      TIMESTAMPTZ,
    edited_by      UUID REFERENCES users (id) ON DELETE SET NULL,
    ip             INET,
    search_vector  TSVECTOR GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(body, ''))) STORED,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at     TIMESTAMPTZ,
    deleted_by     UUID REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT forum_posts_history_is_array CHECK (jsonb_typeof(edit_history) = 'array')
);

CREATE INDEX forum_posts_topic_idx ON forum_posts (topic_id, created_at);
CREATE INDEX forum_posts_visible_idx ON forum_posts (topic_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX forum_posts_author_idx ON forum_posts (author_id, created_at DESC);
CREATE INDEX forum_posts_search_idx ON forum_posts USING gin (search_vector);
CREATE INDEX forum_posts_reply_to_idx ON forum_posts (reply_to_id) WHERE reply_to_id IS NOT NULL;
CREATE INDEX forum_posts_edited_by_idx ON forum_posts (edited_by) WHERE edited_by IS NOT NULL;
CREATE INDEX forum_posts_deleted_by_idx ON forum_posts (deleted_by) WHERE deleted_by IS NOT NULL;
CREATE INDEX forum_posts_created_at_idx ON forum_posts (created_at DESC);
CREATE INDEX forum_posts_ip_idx ON forum_posts (ip) WHERE ip IS NOT NULL;

CREATE TRIGGER forum_posts_updated_at BEFORE UPDATE ON forum_posts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE forums ADD CONSTRAINT forums_last_post_id_fkey
    FOREIGN KEY (last_post_id) REFERENCES forum_posts (id) ON DELETE SET NULL;
ALTER TABLE forum_topics ADD CONSTRAINT forum_topics_first_post_id_fkey
    FOREIGN KEY (first_post_id) REFERENCES forum_posts (id) ON DELETE SET NULL;
ALTER TABLE forum_topics ADD CONSTRAINT forum_topics_last_post_id_fkey
    FOREIGN KEY (last_post_id) REFERENCES forum_posts (id) ON DELETE SET NULL;
CREATE INDEX forum_topics_first_post_idx ON forum_topics (first_post_id) WHERE first_post_id IS NOT NULL;
CREATE INDEX forum_topics_last_post_idx ON forum_topics (last_post_id) WHERE last_post_id IS NOT NULL;
