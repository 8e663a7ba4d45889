-- Community tags: tag definitions (user, system, genre, quality), their assignment to torrents, and
-- members' up/down votes on each assignment.

CREATE TABLE torrent_tags (
    id           UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    name         TEXT NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9.+-]{0,63}$'),
    tag_type     TEXT NOT NULL DEFAULT 'user' CHECK (tag_type IN ('user', 'system', 'genre', 'quality')),
    description  TEXT NOT NULL DEFAULT '',
    created_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    usage_count  INTEGER NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    is_approved  BOOLEAN NOT NULL DEFAULT true,
    alias_of     UUID REFERENCES torrent_tags (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX torrent_tags_name_key ON torrent_tags (name);
CREATE INDEX torrent_tags_name_trgm_idx ON torrent_tags USING gin (name gin_trgm_ops);
CREATE INDEX torrent_tags_type_idx ON torrent_tags (tag_type, usage_count DESC);
CREATE INDEX torrent_tags_created_by_idx ON torrent_tags (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX torrent_tags_alias_idx ON torrent_tags (alias_of) WHERE alias_of IS NOT NULL;
CREATE INDEX torrent_tags_unapproved_idx ON torrent_tags (created_at) WHERE NOT is_approved;

CREATE TRIGGER torrent_tags_updated_at BEFORE UPDATE ON torrent_tags
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE torrent_tag_assignments (
    id           UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    torrent_id   UUID NOT NULL REFERENCES torrents (id) ON DELETE CASCADE,
    tag_id       UUID NOT NULL REFERENCES torrent_tags (id) ON DELETE CASCADE,
    assigned_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    upvotes      INTEGER NOT NULL DEFAULT 0 CHECK (upvotes >= 0),
    downvotes    INTEGER NOT NULL DEFAULT 0 CHECK (downvotes >= 0),
    score        INTEGER GENERATED ALWAYS AS (upvotes - downvotes) STORED,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT torrent_tag_assignments_unique UNIQUE (torrent_id, tag_id)
);

CREATE INDEX torrent_tag_assignments_tag_idx ON torrent_tag_assignments (tag_id, torrent_id);
CREATE INDEX torrent_tag_assignments_assigned_by_idx ON torrent_tag_assignments (assigned_by) WHERE assigned_by IS NOT NULL;
CREATE INDEX torrent_tag_assignments_score_idx ON torrent_tag_assignments (torrent_id, score DESC);

CREATE TABLE torrent_tag_votes (
    id             UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    assignment_id  UUID NOT NULL REFERENCES torrent_tag_assignments (id) ON DELETE CASCADE,
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    vote           SMALLINT NOT NULL CHECK (vote IN (-1, 1)),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT torrent_tag_votes_one_per_user UNIQUE (assignment_id, user_id)
);

CREATE INDEX torrent_tag_votes_user_idx ON torrent_tag_votes (user_id, created_at DESC);
