-- The live swarms as last flushed by the tracker sync: one row per (torrent, user, peer_id) with the
-- peer's address, transfer counters, seeder flag, client and freeleech-token use. The tracker keeps
-- the authoritative swarm in shared memory; this table is what the site shows and what survives a
-- restart. ("left" is an SQL keyword, hence left_bytes.)

CREATE TABLE peers (
    torrent_id           UUID NOT NULL REFERENCES torrents (id) ON DELETE CASCADE,
    user_id              UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    peer_id              BYTEA NOT NULL CHECK (octet_length(peer_id) = 20),
    ip                   INET NOT NULL,
    port                 INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    uploaded             BIGINT NOT NULL DEFAULT 0 CHECK (uploaded >= 0),
    downloaded           BIGINT NOT NULL DEFAULT 0 CHECK (downloaded >= 0),
    left_bytes           BIGINT NOT NULL DEFAULT 0 CHECK (left_bytes >= 0),
    is_seeder            BOOLEAN NOT NULL DEFAULT false,
    is_connectable       BOOLEAN,
    client               TEXT,   -- client name and version decoded from the peer_id
    user_agent           TEXT,   -- HTTP User-Agent (NULL for UDP announces)
    protocol             TEXT NOT NULL DEFAULT 'udp' CHECK (protocol IN ('udp', 'http')),
    uses_freeleech_token BOOLEAN NOT NULL DEFAULT false,
    freeleech_token_id   UUID,  -- REFERENCES freeleech_tokens, added with that table
    seedtime_seconds     BIGINT NOT NULL DEFAULT 0 CHECK (seedtime_seconds >= 0),
    announce_count       INTEGER NOT NULL DEFAULT 1 CHECK (announce_count >= 0),
    started_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at         TIMESTAMPTZ,
    last_announce        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (torrent_id, user_id, peer_id)
);

CREATE INDEX peers_user_idx ON peers (user_id, is_seeder);
CREATE INDEX peers_torrent_seeder_idx ON peers (torrent_id, is_seeder);
CREATE INDEX peers_seeders_idx ON peers (torrent_id) WHERE is_seeder;
CREATE INDEX peers_leechers_idx ON peers (torrent_id) WHERE NOT is_seeder;
-- the reaper removes peers that stopped announcing
CREATE INDEX peers_last_announce_idx ON peers (last_announce);
CREATE INDEX peers_ip_idx ON peers (ip);
CREATE INDEX peers_client_idx ON peers (client);
CREATE INDEX peers_token_idx ON peers (freeleech_token_id) WHERE freeleech_token_id IS NOT NULL;
