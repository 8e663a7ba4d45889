-- Collections (collages): curated, ordered lists of torrents, public or private, personal,
-- collaborative or staff picks, with the torrents in them, their editors, and subscribers.

CREATE TABLE torrent_collections (
    id                UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    owner_id          UUID REFERENCES users (id) ON DELETE SET NULL,
    category_id       INTEGER REFERENCES torrent_categories (id) ON DELETE SET NULL,
    name              TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    slug              TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    description       TEXT NOT NULL DEFAULT '',
    collection_type   TEXT NOT NULL DEFAULT 'personal'
                      CHECK (collection_type IN ('personal', 'theme', 'series', 'label', 'staff_pick', 'discography')),
    is_public         BOOLEAN NOT NULL DEFAULT true,
    is_collaborative  BOOLEAN NOT NULL DEFAULT false,
    is_staff_pick     BOOLEAN NOT NULL DEFAULT false,
    is_locked         BOOLEAN NOT NULL DEFAULT false,
    cover_image_url   TEXT,
    item_count        INTEGER NOT NULL DEFAULT 0 CHECK (item_count >= 0),
    subscriber_count  INTEGER NOT NULL DEFAULT 0 CHECK (subscriber_count >= 0),
    search_vector     TSVECTOR GENERATED ALWAYS AS (
                          setweight(to_tsvector('simple'::regconfig, coalesce(name, '')), 'A') ||
                          setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')) STORED,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at        TIMESTAMPTZ
);

CREATE INDEX torrent_collections_search_idx ON torrent_collections USING gin (search_vector);
CREATE INDEX torrent_collections_name_trgm_idx ON torrent_collections USING gin (name gin_trgm_ops);
CREATE INDEX torrent_collections_owner_idx ON torrent_collections (owner_id, created_at DESC);
CREATE INDEX torrent_collections_category_idx ON torrent_collections (category_id) WHERE category_id IS NOT NULL;
CREATE INDEX torrent_collections_public_idx ON torrent_collections (updated_at DESC) WHERE is_public AND deleted_at IS NULL;
CREATE INDEX torrent_collections_staff_pick_idx ON torrent_collections (updated_at DESC) WHERE is_staff_pick AND deleted_at IS NULL;
CREATE INDEX torrent_collections_type_idx ON torrent_collections (collection_type, subscriber_count DESC);

CREATE TRIGGER torrent_collections_updated_at BEFORE UPDATE ON torrent_collections
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE torrent_collection_items (
    id             UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    collection_id  UUID NOT NULL REFERENCES torrent_collections (id) ON DELETE CASCADE,
    torrent_id     UUID NOT NULL REFERENCES torrents (id) ON DELETE CASCADE,
    added_by       UUID REFERENCES users (id) ON DELETE SET NULL,
    position       INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0),
    note           TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT torrent_collection_items_unique UNIQUE (collection_id, torrent_id)
);

CREATE INDEX torrent_collection_items_order_idx ON torrent_collection_items (collection_id, position);
CREATE INDEX torrent_collection_items_torrent_idx ON torrent_collection_items (torrent_id);
CREATE INDEX torrent_collection_items_added_by_idx ON torrent_collection_items (added_by) WHERE added_by IS NOT NULL;

-- Members who may edit a collaborative collection besides its owner.
CREATE TABLE torrent_collection_editors (
    collection_id  UUID NOT NULL REFERENCES torrent_collections (id) ON DELETE CASCADE,
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_by       UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, user_id)
);

CREATE INDEX torrent_collection_editors_user_idx ON torrent_collection_editors (user_id);

CREATE TABLE torrent_collection_subscriptions (
    id             UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    collection_id  UUID NOT NULL REFERENCES torrent_collections (id) ON DELETE CASCADE,
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    notify         BOOLEAN NOT NULL DEFAULT true,
    last_seen_at   TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT torrent_collection_subscriptions_unique UNIQUE (collection_id, user_id)
);

CREATE INDEX torrent_collection_subscriptions_user_idx ON torrent_collection_subscriptions (user_id, created_at DESC);
CREATE INDEX torrent_collection_subscriptions_notify_idx ON torrent_collection_subscriptions (collection_id) WHERE notify;
