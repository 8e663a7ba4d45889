-- Snatches: one row per member and torrent they downloaded, opened on the first announce and
-- completed on the "completed" event, with the transfer and seed time on that torrent since. The
-- hit-and-run job reads it (completed, seeded less than required, not immune).

CREATE TABLE snatches (
    id                UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id           UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    torrent_id        UUID NOT NULL REFERENCES torrents (id) ON DELETE CASCADE,
    uploaded          BIGINT NOT NULL DEFAULT 0 CHECK (uploaded >= 0),
    downloaded        BIGINT NOT NULL DEFAULT 0 CHECK (downloaded >= 0),
    uploaded_credited BIGINT NOT NULL DEFAULT 0 CHECK (uploaded_credited >= 0),
    downloaded_credited BIGINT NOT NULL DEFAULT 0 CHECK (downloaded_credited >= 0),
    seedtime_seconds  BIGINT NOT NULL DEFAULT 0 CHECK (seedtime_seconds >= 0),
    leechtime_seconds BIGINT NOT NULL DEFAULT 0 CHECK (leechtime_seconds >= 0),
    started_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at      TIMESTAMPTZ,
    last_announce_at  TIMESTAMPTZ,
    last_ip           INET,
    client            TEXT,
    is_seeding        BOOLEAN NOT NULL DEFAULT false,
    hit_and_run_at    TIMESTAMPTZ,   -- when the job judged it a hit-and-run
    immune            BOOLEAN NOT NULL DEFAULT false,   -- excused by staff or a freeleech event
    CONSTRAINT snatches_unique UNIQUE (user_id, torrent_id)
);

CREATE INDEX snatches_torrent_idx ON snatches (torrent_id, completed_at DESC);
CREATE INDEX snatches_user_completed_idx ON snatches (user_id, completed_at DESC) WHERE completed_at IS NOT NULL;
-- hit-and-run candidates: completed, not seeding, not yet judged, not immune
CREATE INDEX snatches_hnr_candidates_idx ON snatches (completed_at)
    WHERE completed_at IS NOT NULL AND NOT is_seeding AND hit_and_run_at IS NULL AND NOT immune;
CREATE INDEX snatches_hnr_idx ON snatches (user_id) WHERE hit_and_run_at IS NOT NULL;
CREATE INDEX snatches_last_announce_idx ON snatches (last_announce_at);
