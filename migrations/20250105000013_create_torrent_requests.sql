-- Requests with bounties: what a member asks for, the bonus points members put on it, the votes,
-- and who filled it with which torrent.

CREATE TABLE torrent_requests (
    id                 UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    requester_id       UUID REFERENCES users (id) ON DELETE SET NULL,
    category_id        INTEGER NOT NULL REFERENCES torrent_categories (id) ON DELETE RESTRICT,
    title              TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 255),
    description        TEXT NOT NULL DEFAULT '',
    year               SMALLINT CHECK (year IS NULL OR year BETWEEN 1850 AND 2200),
    imdb_id            TEXT CHECK (imdb_id IS NULL OR imdb_id ~ '^tt[0-9]{5,10}$'),
    tmdb_id            INTEGER CHECK (tmdb_id IS NULL OR tmdb_id > 0),
    required_formats   TEXT[] NOT NULL DEFAULT '{}',
    required_sources   TEXT[] NOT NULL DEFAULT '{}',
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filled', 'closed', 'deleted')),
    bounty_total       NUMERIC(20,4) NOT NULL DEFAULT 0 CHECK (bounty_total >= 0),
    vote_count         INTEGER NOT NULL DEFAULT 0 CHECK (vote_count >= 0),
    filled_by          UUID REFERENCES users (id) ON DELETE SET NULL,
    filled_torrent_id  UUID REFERENCES torrents (id) ON DELETE SET NULL,
    filled_at          TIMESTAMPTZ,
    fill_approved_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    closed_by          UUID REFERENCES users (id) ON DELETE SET NULL,
    close_reason       TEXT,
    search_vector      TSVECTOR GENERATED ALWAYS AS (
                           setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') ||
                           setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B')) STORED,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at         TIMESTAMPTZ,
    -- filled_torrent_id may later become NULL (the torrent was purged); when it was filled stays known
    CONSTRAINT torrent_requests_filled_consistent CHECK (status <> 'filled' OR filled_at IS NOT NULL)
);

CREATE INDEX torrent_requests_search_idx ON torrent_requests USING gin (search_vector);
CREATE INDEX torrent_requests_title_trgm_idx ON torrent_requests USING gin (title gin_trgm_ops);
CREATE INDEX torrent_requests_requester_idx ON torrent_requests (requester_id, created_at DESC);
CREATE INDEX torrent_requests_category_idx ON torrent_requests (category_id, created_at DESC);
CREATE INDEX torrent_requests_open_bounty_idx ON torrent_requests (bounty_total DESC) WHERE status = 'open';
CREATE INDEX torrent_requests_open_votes_idx ON torrent_requests (vote_count DESC) WHERE status = 'open';
CREATE INDEX torrent_requests_open_created_idx ON torrent_requests (created_at DESC) WHERE status = 'open';
CREATE INDEX torrent_requests_filled_by_idx ON torrent_requests (filled_by, filled_at DESC) WHERE filled_by IS NOT NULL;
CREATE INDEX torrent_requests_filled_torrent_idx ON torrent_requests (filled_torrent_id) WHERE filled_torrent_id IS NOT NULL;
CREATE INDEX torrent_requests_fill_approved_by_idx ON torrent_requests (fill_approved_by) WHERE fill_approved_by IS NOT NULL;
CREATE INDEX torrent_requests_closed_by_idx ON torrent_requests (closed_by) WHERE closed_by IS NOT NULL;
CREATE INDEX torrent_requests_imdb_idx ON torrent_requests (imdb_id) WHERE imdb_id IS NOT NULL;
CREATE INDEX torrent_requests_formats_idx ON torrent_requests USING gin (required_formats);

CREATE TRIGGER torrent_requests_updated_at BEFORE UPDATE ON torrent_requests
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE torrent_request_bounties (
    id           UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    request_id   UUID NOT NULL REFERENCES torrent_requests (id) ON DELETE CASCADE,
    user_id      UUID REFERENCES users (id) ON DELETE SET NULL,
    amount       NUMERIC(20,4) NOT NULL CHECK (amount > 0),
    refunded_at  TIMESTAMPTZ,
    paid_out_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX torrent_request_bounties_request_idx ON torrent_request_bounties (request_id, created_at);
CREATE INDEX torrent_request_bounties_user_idx ON torrent_request_bounties (user_id, created_at DESC);
CREATE INDEX torrent_request_bounties_outstanding_idx ON torrent_request_bounties (request_id)
    WHERE refunded_at IS NULL AND paid_out_at IS NULL;

CREATE TABLE torrent_request_votes (
    id           UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    request_id   UUID NOT NULL REFERENCES torrent_requests (id) ON DELETE CASCADE,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT torrent_request_votes_one_per_user UNIQUE (request_id, user_id)
);

CREATE INDEX torrent_request_votes_user_idx ON torrent_request_votes (user_id, created_at DESC);
