-- The moderation history of every torrent: who approved, rejected, postponed, edited, deleted or
-- restored it, why, and the before/after changes as JSONB.

CREATE TABLE torrent_moderation (
    id               UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    torrent_id       UUID NOT NULL REFERENCES torrents (id) ON DELETE CASCADE,
    moderator_id     UUID REFERENCES users (id) ON DELETE SET NULL,
    action           TEXT NOT NULL CHECK (action IN ('approved', 'rejected', 'postponed', 'edited', 'deleted', 'restored', 'promoted')),
    previous_status  TEXT CHECK (previous_status IS NULL OR previous_status IN ('pending', 'approved', 'rejected', 'postponed')),
    new_status       TEXT CHECK (new_status IS NULL OR new_status IN ('pending', 'approved', 'rejected', 'postponed')),
    reason           TEXT,
    notes            TEXT,  -- staff-only
    changes          JSONB NOT NULL DEFAULT '{}'::jsonb,
    notified_uploader BOOLEAN NOT NULL DEFAULT false,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX torrent_moderation_torrent_idx ON torrent_moderation (torrent_id, created_at DESC);
CREATE INDEX torrent_moderation_moderator_idx ON torrent_moderation (moderator_id, created_at DESC);
CREATE INDEX torrent_moderation_action_idx ON torrent_moderation (action, created_at DESC);
CREATE INDEX torrent_moderation_created_at_idx ON torrent_moderation (created_at DESC);
CREATE INDEX torrent_moderation_changes_idx ON torrent_moderation USING gin (changes jsonb_path_ops);
