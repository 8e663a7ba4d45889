-- The torrents: identity (v1 SHA-1 and v2 SHA-256 info hashes), media metadata, the moderation
-- workflow, freeleech and double upload, featured/sticky flags, anonymous uploads, swarm counters
-- (denormalised from peers), NFO, soft delete, and a weighted full-text search vector.
-- tracker_id is the compact 32-bit id the tracker's shared memory uses.

CREATE TABLE torrents (
    id                   UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    tracker_id           INTEGER GENERATED ALWAYS AS IDENTITY UNIQUE,
    info_hash            BYTEA NOT NULL UNIQUE CHECK (octet_length(info_hash) = 20),
    info_hash_v2         BYTEA UNIQUE CHECK (info_hash_v2 IS NULL OR octet_length(info_hash_v2) = 32),
    name                 TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 512),
    description          TEXT NOT NULL DEFAULT '',
    category_id          INTEGER NOT NULL REFERENCES torrent_categories (id) ON DELETE RESTRICT,
    uploader_id          UUID REFERENCES users (id) ON DELETE SET NULL,
    is_anonymous         BOOLEAN NOT NULL DEFAULT false,

    -- the .torrent as uploaded (announce URL removed; the site adds the member's own on download)
    metainfo             BYTEA,
    size                 BIGINT NOT NULL CHECK (size >= 0),
    file_count           INTEGER NOT NULL DEFAULT 1 CHECK (file_count >= 0),
    piece_length         INTEGER CHECK (piece_length IS NULL OR piece_length > 0),
    is_private           BOOLEAN NOT NULL DEFAULT true,
    created_by_client    TEXT,
    source_tag           TEXT,  -- the info dictionary's "source" field

    -- media metadata
    media_type           TEXT CHECK (media_type IS NULL OR media_type IN ('movie', 'episode', 'season', 'album', 'game', 'software', 'book', 'other')),
    resolution           TEXT,
    video_codec          TEXT,
    audio_codec          TEXT,
    source               TEXT,
    container            TEXT,
    hdr_format           TEXT,
    release_group        TEXT,
    year                 SMALLINT CHECK (year IS NULL OR year BETWEEN 1850 AND 2200),
    season_number        SMALLINT CHECK (season_number IS NULL OR season_number >= 0),
    episode_number       SMALLINT CHECK (episode_number IS NULL OR episode_number >= 0),
    imdb_id              TEXT CHECK (imdb_id IS NULL OR imdb_id ~ '^tt[0-9]{5,10}$'),
    tmdb_id              INTEGER CHECK (tmdb_id IS NULL OR tmdb_id > 0),
    nfo                  TEXT,
    mediainfo            TEXT,

    -- moderation
    status               TEXT NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'approved', 'rejected', 'postponed')),
    moderated_by         UUID REFERENCES users (id) ON DELETE SET NULL,
    moderated_at         TIMESTAMPTZ,
    moderation_reason    TEXT,

    -- promotions
    freeleech_percentage SMALLINT NOT NULL DEFAULT 0 CHECK (freeleech_percentage BETWEEN 0 AND 100),
    freeleech_until      TIMESTAMPTZ,  -- NULL with a percentage > 0: no end
    double_upload        BOOLEAN NOT NULL DEFAULT false,
    double_upload_until  TIMESTAMPTZ,
    is_featured          BOOLEAN NOT NULL DEFAULT false,
    featured_until       TIMESTAMPTZ,
    is_sticky            BOOLEAN NOT NULL DEFAULT false,
    is_internal          BOOLEAN NOT NULL DEFAULT false,

    -- swarm counters, kept by the tracker sync
    seeders              INTEGER NOT NULL DEFAULT 0 CHECK (seeders >= 0),
    leechers             INTEGER NOT NULL DEFAULT 0 CHECK (leechers >= 0),
    times_completed      INTEGER NOT NULL DEFAULT 0 CHECK (times_completed >= 0),
    last_seeder_at       TIMESTAMPTZ,
    last_activity_at     TIMESTAMPTZ,
    comments_count       INTEGER NOT NULL DEFAULT 0 CHECK (comments_count >= 0),

    search_vector        TSVECTOR GENERATED ALWAYS AS (
                             setweight(to_tsvector('simple'::regconfig, coalesce(name, '')), 'A') ||
                             setweight(to_tsvector('simple'::regconfig, coalesce(release_group, '')), 'B') ||
                             setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'C')) STORED,

    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at           TIMESTAMPTZ,
    deleted_by           UUID REFERENCES users (id) ON DELETE SET NULL,
    deletion_reason      TEXT,
    CONSTRAINT torrents_moderated_consistent CHECK (status = 'pending' OR moderated_at IS NOT NULL OR moderated_by IS NULL),
    CONSTRAINT torrents_deleted_consistent CHECK (deleted_at IS NOT NULL OR deletion_reason IS NULL)
);

CREATE INDEX torrents_search_idx ON torrents USING gin (search_vector);
CREATE INDEX torrents_name_trgm_idx ON torrents USING gin (name gin_trgm_ops);
CREATE INDEX torrents_release_group_trgm_idx ON torrents USING gin (release_group gin_trgm_ops) WHERE release_group IS NOT NULL;
CREATE INDEX torrents_category_idx ON torrents (category_id);
CREATE INDEX torrents_uploader_idx ON torrents (uploader_id, created_at DESC);
CREATE INDEX torrents_moderated_by_idx ON torrents (moderated_by) WHERE moderated_by IS NOT NULL;
CREATE INDEX torrents_deleted_by_idx ON torrents (deleted_by) WHERE deleted_by IS NOT NULL;
-- the browse page: approved, not deleted, newest first, optionally per category
CREATE INDEX torrents_browse_idx ON torrents (created_at DESC) WHERE status = 'approved' AND deleted_at IS NULL;
CREATE INDEX torrents_browse_category_idx ON torrents (category_id, created_at DESC) WHERE status = 'approved' AND deleted_at IS NULL;
CREATE INDEX torrents_sticky_idx ON torrents (created_at DESC) WHERE is_sticky AND deleted_at IS NULL;
CREATE INDEX torrents_featured_idx ON torrents (featured_until) WHERE is_featured;
CREATE INDEX torrents_pending_idx ON torrents (created_at) WHERE status IN ('pending', 'postponed');
CREATE INDEX torrents_status_idx ON torrents (status, created_at DESC);
CREATE INDEX torrents_seeders_idx ON torrents (seeders DESC) WHERE deleted_at IS NULL;
CREATE INDEX torrents_leechers_idx ON torrents (leechers DESC) WHERE deleted_at IS NULL;
CREATE INDEX torrents_completed_idx ON torrents (times_completed DESC) WHERE deleted_at IS NULL;
CREATE INDEX torrents_size_idx ON torrents (size);
CREATE INDEX torrents_freeleech_idx ON torrents (freeleech_until) WHERE freeleech_percentage > 0;
CREATE INDEX torrents_double_upload_idx ON torrents (double_upload_until) WHERE double_upload;
CREATE INDEX torrents_dead_idx ON torrents (last_seeder_at) WHERE seeders = 0 AND deleted_at IS NULL;
CREATE INDEX torrents_imdb_idx ON torrents (imdb_id) WHERE imdb_id IS NOT NULL;
CREATE INDEX torrents_tmdb_idx ON torrents (tmdb_id) WHERE tmdb_id IS NOT NULL;
CREATE INDEX torrents_year_idx ON torrents (year) WHERE year IS NOT NULL;
CREATE INDEX torrents_resolution_idx ON torrents (resolution, category_id) WHERE resolution IS NOT NULL;
CREATE INDEX torrents_deleted_at_idx ON torrents (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX torrents_updated_at_idx ON torrents (updated_at);

CREATE TRIGGER torrents_updated_at BEFORE UPDATE ON torrents
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
