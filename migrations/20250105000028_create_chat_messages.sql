-- Chat messages: replies, @mentions (an array of user ids, GIN-indexed for "messages mentioning
-- me"), system messages, moderation deletes. Old messages are removed per the room's retention.

CREATE TABLE chat_messages (
    id          UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    room_id     UUID NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id     UUID REFERENCES users (id) ON DELETE SET NULL,   -- NULL: a system message
    reply_to_id UUID REFERENCES chat_messages (id) ON DELETE SET NULL,
    body        TEXT NOT NULL CHECK (char_length(body) BETWEEN 1 AND 10000),
    mentions    UUID[] NOT NULL DEFAULT '{}',
    is_system   BOOLEAN NOT NULL DEFAULT false,
    edited_at   TIMESTAMPTZ,
    deleted_at  TIMESTAMPTZ,
    deleted_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX chat_messages_room_idx ON chat_messages (room_id, created_at DESC);
CREATE INDEX chat_messages_visible_idx ON chat_messages (room_id, created_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX chat_messages_user_idx ON chat_messages (user_id, created_at DESC);
CREATE INDEX chat_messages_mentions_idx ON chat_messages USING gin (mentions);
CREATE INDEX chat_messages_reply_to_idx ON chat_messages (reply_to_id) WHERE reply_to_id IS NOT NULL;
CREATE INDEX chat_messages_deleted_by_idx ON chat_messages (deleted_by) WHERE deleted_by IS NOT NULL;
CREATE INDEX chat_messages_created_at_idx ON chat_messages (created_at);
