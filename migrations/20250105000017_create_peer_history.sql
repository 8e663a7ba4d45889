-- Periodic snapshots of each peer for analytics (transfer rates, seeding over time). TimescaleDB is
-- not in Debian, so this is native range partitioning by month on recorded_at, maintained by
-- create_upcoming_partitions() like announces, with a DEFAULT partition.

CREATE TABLE peer_history (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY,
    torrent_id           UUID NOT NULL REFERENCES torrents (id) ON DELETE CASCADE,
    user_id              UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    peer_id              BYTEA NOT NULL CHECK (octet_length(peer_id) = 20),
    ip                   INET,
    uploaded             BIGINT NOT NULL DEFAULT 0 CHECK (uploaded >= 0),
    downloaded           BIGINT NOT NULL DEFAULT 0 CHECK (downloaded >= 0),
    left_bytes           BIGINT NOT NULL DEFAULT 0 CHECK (left_bytes >= 0),
    upload_rate          BIGINT NOT NULL DEFAULT 0 CHECK (upload_rate >= 0),    -- bytes/s since the previous snapshot
    download_rate        BIGINT NOT NULL DEFAULT 0 CHECK (download_rate >= 0),
    is_seeder            BOOLEAN NOT NULL,
    client               TEXT,
    recorded_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (id, recorded_at)
) PARTITION BY RANGE (recorded_at);

CREATE INDEX peer_history_torrent_idx ON peer_history (torrent_id, recorded_at DESC);
CREATE INDEX peer_history_user_idx ON peer_history (user_id, recorded_at DESC);
CREATE INDEX peer_history_recorded_at_idx ON peer_history (recorded_at);

CREATE TABLE peer_history_default PARTITION OF peer_history DEFAULT;
SELECT create_monthly_partitions('peer_history', (now() AT TIME ZONE 'UTC')::date, 2);
