-- Live chat rooms: public, private (allow list) or staff; per-room bans and moderators, slow mode,
-- message length limit and how long messages are kept. Pre-populated with the default rooms.

CREATE TABLE chat_rooms (
    id                      UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    name                    TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    slug                    TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    description             TEXT NOT NULL DEFAULT '',
    room_type               TEXT NOT NULL DEFAULT 'public' CHECK (room_type IN ('public', 'private', 'staff')),
    min_level               SMALLINT NOT NULL DEFAULT 5 CHECK (min_level BETWEEN 0 AND 25),
    allowed_user_ids        UUID[] NOT NULL DEFAULT '{}',   -- private rooms: who may join
    banned_user_ids         UUID[] NOT NULL DEFAULT '{}',   -- quick check; chat_room_bans keeps who/why/until
    slow_mode_seconds       INTEGER NOT NULL DEFAULT 0 CHECK (slow_mode_seconds BETWEEN 0 AND 3600),
    max_message_length      INTEGER NOT NULL DEFAULT 500 CHECK (max_message_length BETWEEN 1 AND 10000),
    message_retention_days  INTEGER NOT NULL DEFAULT 30 CHECK (message_retention_days > 0),
    sort_order              INTEGER NOT NULL DEFAULT 0,
    is_active               BOOLEAN NOT NULL DEFAULT true,
    created_by              UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX chat_rooms_name_key ON chat_rooms (lower(name));
CREATE INDEX chat_rooms_active_idx ON chat_rooms (sort_order) WHERE is_active;
CREATE INDEX chat_rooms_type_idx ON chat_rooms (room_type, min_level);
CREATE INDEX chat_rooms_allowed_idx ON chat_rooms USING gin (allowed_user_ids);
CREATE INDEX chat_rooms_banned_idx ON chat_rooms USING gin (banned_user_ids);
CREATE INDEX chat_rooms_created_by_idx ON chat_rooms (created_by) WHERE created_by IS NOT NULL;

CREATE TRIGGER chat_rooms_updated_at BEFORE UPDATE ON chat_rooms
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE chat_room_moderators (
    room_id     UUID NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    granted_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, user_id)
);

CREATE INDEX chat_room_moderators_user_idx ON chat_room_moderators (user_id);
CREATE INDEX chat_room_moderators_granted_by_idx ON chat_room_moderators (granted_by) WHERE granted_by IS NOT NULL;

CREATE TABLE chat_room_bans (
    id          UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    room_id     UUID NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    banned_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    reason      TEXT NOT NULL DEFAULT '',
    expires_at  TIMESTAMPTZ,   -- NULL: until lifted
    lifted_at   TIMESTAMPTZ,
    lifted_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX chat_room_bans_one_active ON chat_room_bans (room_id, user_id) WHERE lifted_at IS NULL;
CREATE INDEX chat_room_bans_user_idx ON chat_room_bans (user_id);
CREATE INDEX chat_room_bans_expiry_idx ON chat_room_bans (expires_at) WHERE lifted_at IS NULL AND expires_at IS NOT NULL;
CREATE INDEX chat_room_bans_banned_by_idx ON chat_room_bans (banned_by) WHERE banned_by IS NOT NULL;
CREATE INDEX chat_room_bans_lifted_by_idx ON chat_room_bans (lifted_by) WHERE lifted_by IS NOT NULL;

INSERT INTO chat_rooms (name, slug, description, room_type, min_level, slow_mode_seconds, message_retention_days, sort_order) VALUES
 ('General', 'general', 'Talk about anything.',                'public', 5, 0, 30, 10),
 ('Help',    'help',    'Ask for help with the site or your client.', 'public', 2, 5, 30, 20),
 ('Staff',   'staff',   'Staff only.',                         'staff', 20, 0, 365, 30);
