-- Forum topics (threads): sticky, locked and announcement flags, polls with their votes, view,
-- post and subscription counters, and the last post for the forum index.

CREATE TABLE forum_topics (
    id                  UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    forum_id            UUID NOT NULL REFERENCES forums (id) ON DELETE CASCADE,
    author_id           UUID REFERENCES users (id) ON DELETE SET NULL,
    title               TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    is_sticky           BOOLEAN NOT NULL DEFAULT false,
    is_locked           BOOLEAN NOT NULL DEFAULT false,
    is_announcement     BOOLEAN NOT NULL DEFAULT false,
    has_poll            BOOLEAN NOT NULL DEFAULT false,
    view_count          INTEGER NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    post_count          INTEGER NOT NULL DEFAULT 0 CHECK (post_count >= 0),
    subscription_count  INTEGER NOT NULL DEFAULT 0 CHECK (subscription_count >= 0),
    first_post_id       UUID,       -- REFERENCES forum_posts, added with that table
    last_post_id        UUID,       -- REFERENCES forum_posts, added with that table
    last_post_user_id   UUID REFERENCES users (id) ON DELETE SET NULL,
    last_post_at        TIMESTAMPTZ,
    locked_by           UUID REFERENCES users (id) ON DELETE SET NULL,
    locked_at           TIMESTAMPTZ,
    moved_from_forum_id UUID REFERENCES forums (id) ON DELETE SET NULL,
    title_vector        TSVECTOR GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(title, ''))) STORED,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at          TIMESTAMPTZ,
    deleted_by          UUID REFERENCES users (id) ON DELETE SET NULL
);

-- the forum page: stickies first, then by last activity
CREATE INDEX forum_topics_listing_idx ON forum_topics (forum_id, is_sticky DESC, last_post_at DESC NULLS LAST) WHERE deleted_at IS NULL;
CREATE INDEX forum_topics_author_idx ON forum_topics (author_id, created_at DESC);
CREATE INDEX forum_topics_last_post_at_idx ON forum_topics (last_post_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX forum_topics_title_idx ON forum_topics USING gin (title_vector);
CREATE INDEX forum_topics_title_trgm_idx ON forum_topics USING gin (title gin_trgm_ops);
CREATE INDEX forum_topics_last_post_user_idx ON forum_topics (last_post_user_id) WHERE last_post_user_id IS NOT NULL;
CREATE INDEX forum_topics_locked_by_idx ON forum_topics (locked_by) WHERE locked_by IS NOT NULL;
CREATE INDEX forum_topics_moved_from_idx ON forum_topics (moved_from_forum_id) WHERE moved_from_forum_id IS NOT NULL;
CREATE INDEX forum_topics_deleted_by_idx ON forum_topics (deleted_by) WHERE deleted_by IS NOT NULL;
CREATE INDEX forum_topics_announcements_idx ON forum_topics (created_at DESC) WHERE is_announcement AND deleted_at IS NULL;
-- auto-lock job: unlocked topics idle for long
CREATE INDEX forum_topics_autolock_idx ON forum_topics (forum_id, last_post_at) WHERE NOT is_locked AND deleted_at IS NULL;

CREATE TRIGGER forum_topics_updated_at BEFORE UPDATE ON forum_topics
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE forum_polls (
    id                 UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    topic_id           UUID NOT NULL UNIQUE REFERENCES forum_topics (id) ON DELETE CASCADE,
    question           TEXT NOT NULL CHECK (char_length(question) BETWEEN 1 AND 255),
    options            TEXT[] NOT NULL CHECK (cardinality(options) BETWEEN 2 AND 25),
    is_multiple_choice BOOLEAN NOT NULL DEFAULT false,
    is_anonymous       BOOLEAN NOT NULL DEFAULT true,
    closes_at          TIMESTAMPTZ,
    closed_by          UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX forum_polls_open_idx ON forum_polls (closes_at) WHERE closes_at IS NOT NULL;
CREATE INDEX forum_polls_closed_by_idx ON forum_polls (closed_by) WHERE closed_by IS NOT NULL;

CREATE TABLE forum_poll_votes (
    poll_id       UUID NOT NULL REFERENCES forum_polls (id) ON DELETE CASCADE,
    user_id       UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    option_index  SMALLINT NOT NULL CHECK (option_index >= 0),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (poll_id, user_id, option_index)
);

CREATE INDEX forum_poll_votes_user_idx ON forum_poll_votes (user_id);
CREATE INDEX forum_poll_votes_tally_idx ON forum_poll_votes (poll_id, option_index);

ALTER TABLE forums ADD CONSTRAINT forums_last_topic_id_fkey
    FOREIGN KEY (last_topic_id) REFERENCES forum_topics (id) ON DELETE SET NULL;
