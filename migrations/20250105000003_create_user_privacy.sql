-- Gazelle-style paranoia: what other members may see of a profile (17 switches), plus notification
-- and digest preferences. One row per user, created by a trigger when the account is created.

CREATE TABLE user_privacy (
    user_id                   UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- visibility (true = visible to other members; staff always see everything)
    show_email                BOOLEAN NOT NULL DEFAULT false,
    show_uploaded             BOOLEAN NOT NULL DEFAULT true,
    show_downloaded           BOOLEAN NOT NULL DEFAULT true,
    show_ratio                BOOLEAN NOT NULL DEFAULT true,
    show_bonus_points         BOOLEAN NOT NULL DEFAULT false,
    show_seeding              BOOLEAN NOT NULL DEFAULT false,
    show_leeching             BOOLEAN NOT NULL DEFAULT false,
    show_snatched             BOOLEAN NOT NULL DEFAULT false,
    show_uploads              BOOLEAN NOT NULL DEFAULT true,
    show_requests             BOOLEAN NOT NULL DEFAULT true,
    show_collections          BOOLEAN NOT NULL DEFAULT true,
    show_invitees             BOOLEAN NOT NULL DEFAULT false,
    show_inviter              BOOLEAN NOT NULL DEFAULT false,
    show_last_seen            BOOLEAN NOT NULL DEFAULT true,
    show_achievements         BOOLEAN NOT NULL DEFAULT true,
    show_comments             BOOLEAN NOT NULL DEFAULT true,
    show_forum_posts          BOOLEAN NOT NULL DEFAULT true,
    hide_online_status        BOOLEAN NOT NULL DEFAULT false,
    -- e-mail notifications
    notify_pm_email           BOOLEAN NOT NULL DEFAULT true,
    notify_comment_email      BOOLEAN NOT NULL DEFAULT false,
    notify_forum_reply_email  BOOLEAN NOT NULL DEFAULT false,
    notify_request_filled_email BOOLEAN NOT NULL DEFAULT true,
    notify_warning_email      BOOLEAN NOT NULL DEFAULT true,
    digest_frequency          TEXT NOT NULL DEFAULT 'never' CHECK (digest_frequency IN ('never', 'daily', 'weekly')),
    digest_last_sent_at       TIMESTAMPTZ,
    updated_at                TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX user_privacy_digest_idx ON user_privacy (digest_frequency, digest_last_sent_at) WHERE digest_frequency <> 'never';
CREATE INDEX user_privacy_hidden_online_idx ON user_privacy (user_id) WHERE hide_online_status;

CREATE TRIGGER user_privacy_updated_at BEFORE UPDATE ON user_privacy
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE OR REPLACE FUNCTION create_user_privacy_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_privacy (user_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_create_privacy AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION create_user_privacy_row();
