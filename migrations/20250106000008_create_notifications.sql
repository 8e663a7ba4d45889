-- On-site notifications (a request you voted on was filled, a reply in a followed topic, a
-- warning, a new upload in a subscribed collection ...), with a link, structured data and read state.

CREATE TABLE notifications (
    id          UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind ~ '^[a-z0-9_.]+$'),   -- e.g. 'request.filled', 'forum.reply'
    title       TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 255),
    body        TEXT NOT NULL DEFAULT '',
    link        TEXT,
    data        JSONB NOT NULL DEFAULT '{}'::jsonb,
    actor_id    UUID REFERENCES users (id) ON DELETE SET NULL,
    read_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;
CREATE INDEX notifications_kind_idx ON notifications (kind, created_at DESC);
CREATE INDEX notifications_actor_idx ON notifications (actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX notifications_data_idx ON notifications USING gin (data jsonb_path_ops);
