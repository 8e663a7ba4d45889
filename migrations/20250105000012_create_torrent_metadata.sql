-- Metadata fetched from external databases (TMDB, IMDb, TVDB, IGDB, MusicBrainz, Discogs, AniDB):
-- their ids, cast, crew, genres, plot, artwork, ratings, and the full API response as JSONB.

CREATE TABLE torrent_metadata (
    id               UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    torrent_id       UUID NOT NULL UNIQUE REFERENCES torrents (id) ON DELETE CASCADE,
    tmdb_id          INTEGER CHECK (tmdb_id IS NULL OR tmdb_id > 0),
    imdb_id          TEXT CHECK (imdb_id IS NULL OR imdb_id ~ '^tt[0-9]{5,10}$'),
    tvdb_id          INTEGER CHECK (tvdb_id IS NULL OR tvdb_id > 0),
    igdb_id          INTEGER CHECK (igdb_id IS NULL OR igdb_id > 0),
    musicbrainz_id   UUID,
    discogs_id       INTEGER CHECK (discogs_id IS NULL OR discogs_id > 0),
    anidb_id         INTEGER CHECK (anidb_id IS NULL OR anidb_id > 0),
    title            TEXT,
    original_title   TEXT,
    year             SMALLINT CHECK (year IS NULL OR year BETWEEN 1850 AND 2200),
    tagline          TEXT,
    plot             TEXT,
    genres           TEXT[] NOT NULL DEFAULT '{}',
    directors        TEXT[] NOT NULL DEFAULT '{}',
    writers          TEXT[] NOT NULL DEFAULT '{}',
    actors           TEXT[] NOT NULL DEFAULT '{}',
    languages        TEXT[] NOT NULL DEFAULT '{}',
    countries        TEXT[] NOT NULL DEFAULT '{}',
    runtime_minutes  INTEGER CHECK (runtime_minutes IS NULL OR runtime_minutes > 0),
    poster_url       TEXT,
    backdrop_url     TEXT,
    trailer_url      TEXT,
    rating           NUMERIC(4,2) CHECK (rating IS NULL OR rating BETWEEN 0 AND 10),
    rating_count     INTEGER CHECK (rating_count IS NULL OR rating_count >= 0),
    imdb_rating      NUMERIC(4,2) CHECK (imdb_rating IS NULL OR imdb_rating BETWEEN 0 AND 10),
    metadata_json    JSONB NOT NULL DEFAULT '{}'::jsonb,
    provider         TEXT NOT NULL DEFAULT 'manual' CHECK (provider IN ('manual', 'tmdb', 'imdb', 'tvdb', 'igdb', 'musicbrainz', 'discogs', 'anidb')),
    fetched_at       TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX torrent_metadata_tmdb_idx ON torrent_metadata (tmdb_id) WHERE tmdb_id IS NOT NULL;
CREATE INDEX torrent_metadata_imdb_idx ON torrent_metadata (imdb_id) WHERE imdb_id IS NOT NULL;
CREATE INDEX torrent_metadata_tvdb_idx ON torrent_metadata (tvdb_id) WHERE tvdb_id IS NOT NULL;
CREATE INDEX torrent_metadata_igdb_idx ON torrent_metadata (igdb_id) WHERE igdb_id IS NOT NULL;
CREATE INDEX torrent_metadata_musicbrainz_idx ON torrent_metadata (musicbrainz_id) WHERE musicbrainz_id IS NOT NULL;
CREATE INDEX torrent_metadata_discogs_idx ON torrent_metadata (discogs_id) WHERE discogs_id IS NOT NULL;
CREATE INDEX torrent_metadata_anidb_idx ON torrent_metadata (anidb_id) WHERE anidb_id IS NOT NULL;
CREATE INDEX torrent_metadata_title_trgm_idx ON torrent_metadata USING gin (title gin_trgm_ops);
CREATE INDEX torrent_metadata_year_idx ON torrent_metadata (year);
CREATE INDEX torrent_metadata_genres_idx ON torrent_metadata USING gin (genres);
CREATE INDEX torrent_metadata_directors_idx ON torrent_metadata USING gin (directors);
CREATE INDEX torrent_metadata_actors_idx ON torrent_metadata USING gin (actors);
CREATE INDEX torrent_metadata_languages_idx ON torrent_metadata USING gin (languages);
CREATE INDEX torrent_metadata_json_idx ON torrent_metadata USING gin (metadata_json jsonb_path_ops);
CREATE INDEX torrent_metadata_stale_idx ON torrent_metadata (fetched_at NULLS FIRST) WHERE provider <> 'manual';

CREATE TRIGGER torrent_metadata_updated_at BEFORE UPDATE ON torrent_metadata
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
