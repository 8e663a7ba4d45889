-- Progress of the shared-memory -> PostgreSQL flush (swarmline-control's sync). Each row is written in
-- the same transaction as the statistics it accounts for, so after a crash the flush resumes exactly
-- where its last COMMIT left it: a record at or below a ring's last_seq is never applied twice, and
-- an accumulator's growth past its committed values is never lost.
--
-- segment_id is the random identity the dataplane gives a segment when it creates it: a new segment
-- (after a reboot, or recreated with other sizes) restarts its rings at seq 1, and its rows start anew.

CREATE TABLE sync_ring_watermarks (
    segment_id   BIGINT NOT NULL,
    ring         INTEGER NOT NULL CHECK (ring >= 0),          -- the worker index
    last_seq     BIGINT NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    events       BIGINT NOT NULL DEFAULT 0 CHECK (events >= 0),  -- records committed in all
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (segment_id, ring)
);

-- The values of each accumulator slot that are already in user_statistics. A slot is cumulative
-- for one (user, torrent) while its gen stays the same; a new gen starts from zero.
CREATE TABLE sync_accumulator_marks (
    segment_id          BIGINT NOT NULL,
    shard               INTEGER NOT NULL CHECK (shard >= 0),
    slot                INTEGER NOT NULL CHECK (slot >= 0),
    gen                 BIGINT NOT NULL,
    user_tracker_id     INTEGER NOT NULL,
    torrent_tracker_id  INTEGER NOT NULL,
    announces           BIGINT NOT NULL DEFAULT 0,
    uploaded_raw        BIGINT NOT NULL DEFAULT 0,
    downloaded_raw      BIGINT NOT NULL DEFAULT 0,
    uploaded_credited   BIGINT NOT NULL DEFAULT 0,
    downloaded_credited BIGINT NOT NULL DEFAULT 0,
    seedtime            BIGINT NOT NULL DEFAULT 0,
    completions         BIGINT NOT NULL DEFAULT 0,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (segment_id, shard, slot)
);

-- Rows of segments that no longer exist are kept for the operator, who finds them by age.
CREATE INDEX sync_ring_watermarks_updated_idx ON sync_ring_watermarks (updated_at);
CREATE INDEX sync_accumulator_marks_updated_idx ON sync_accumulator_marks (updated_at);
