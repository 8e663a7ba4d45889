-- Denormalised per-torrent statistics for the site: current swarm, peaks, transfer totals, average
-- speeds and a health score, with dead-torrent detection (no seeder for a long time).

CREATE TABLE torrent_statistics (
    torrent_id            UUID PRIMARY KEY REFERENCES torrents (id) ON DELETE CASCADE,
    seeders               INTEGER NOT NULL DEFAULT 0 CHECK (seeders >= 0),
    leechers              INTEGER NOT NULL DEFAULT 0 CHECK (leechers >= 0),
    snatches              INTEGER NOT NULL DEFAULT 0 CHECK (snatches >= 0),
    peak_seeders          INTEGER NOT NULL DEFAULT 0 CHECK (peak_seeders >= 0),
    peak_leechers         INTEGER NOT NULL DEFAULT 0 CHECK (peak_leechers >= 0),
    peak_at               TIMESTAMPTZ,
    total_uploaded        BIGINT NOT NULL DEFAULT 0 CHECK (total_uploaded >= 0),
    total_downloaded      BIGINT NOT NULL DEFAULT 0 CHECK (total_downloaded >= 0),
    avg_upload_speed      BIGINT NOT NULL DEFAULT 0 CHECK (avg_upload_speed >= 0),    -- bytes/s
    avg_download_speed    BIGINT NOT NULL DEFAULT 0 CHECK (avg_download_speed >= 0),
    health_score          NUMERIC(5,2) NOT NULL DEFAULT 0 CHECK (health_score BETWEEN 0 AND 100),
    is_dead               BOOLEAN NOT NULL DEFAULT false,
    last_seeder_at        TIMESTAMPTZ,
    last_activity_at      TIMESTAMPTZ,
    last_completed_at     TIMESTAMPTZ,
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX torrent_statistics_dead_idx ON torrent_statistics (last_seeder_at) WHERE is_dead;
CREATE INDEX torrent_statistics_health_idx ON torrent_statistics (health_score);
CREATE INDEX torrent_statistics_seeders_idx ON torrent_statistics (seeders DESC);
CREATE INDEX torrent_statistics_snatches_idx ON torrent_statistics (snatches DESC);
CREATE INDEX torrent_statistics_activity_idx ON torrent_statistics (last_activity_at DESC);
-- reseed requests: leechers waiting, nobody seeding
CREATE INDEX torrent_statistics_reseed_idx ON torrent_statistics (leechers DESC) WHERE seeders = 0 AND leechers > 0;

CREATE TRIGGER torrent_statistics_updated_at BEFORE UPDATE ON torrent_statistics
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
