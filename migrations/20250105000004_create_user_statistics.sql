-- Transfer and activity totals of each member, one row per user (created by a trigger with the
-- account). uploaded/downloaded are the raw bytes the clients reported; the *_adjusted columns are
-- what was credited after freeleech, double upload and group multipliers, and the ratio uses them.

CREATE TABLE user_statistics (
    user_id                 UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    uploaded                BIGINT NOT NULL DEFAULT 0 CHECK (uploaded >= 0),
    downloaded              BIGINT NOT NULL DEFAULT 0 CHECK (downloaded >= 0),
    uploaded_adjusted       BIGINT NOT NULL DEFAULT 0 CHECK (uploaded_adjusted >= 0),
    downloaded_adjusted     BIGINT NOT NULL DEFAULT 0 CHECK (downloaded_adjusted >= 0),
    -- NULL while nothing was downloaded (an infinite ratio)
    ratio                   NUMERIC GENERATED ALWAYS AS (
                                CASE WHEN downloaded_adjusted = 0 THEN NULL
                                     ELSE round(uploaded_adjusted::numeric / downloaded_adjusted, 4) END) STORED,
    seedtime_seconds        BIGINT NOT NULL DEFAULT 0 CHECK (seedtime_seconds >= 0),
    leechtime_seconds       BIGINT NOT NULL DEFAULT 0 CHECK (leechtime_seconds >= 0),
    seeding_count           INTEGER NOT NULL DEFAULT 0 CHECK (seeding_count >= 0),
    leeching_count          INTEGER NOT NULL DEFAULT 0 CHECK (leeching_count >= 0),
    snatched_count          INTEGER NOT NULL DEFAULT 0 CHECK (snatched_count >= 0),
    uploads_count           INTEGER NOT NULL DEFAULT 0 CHECK (uploads_count >= 0),
    seeding_size            BIGINT NOT NULL DEFAULT 0 CHECK (seeding_size >= 0),
    requests_made_count     INTEGER NOT NULL DEFAULT 0 CHECK (requests_made_count >= 0),
    requests_filled_count   INTEGER NOT NULL DEFAULT 0 CHECK (requests_filled_count >= 0),
    requests_voted_count    INTEGER NOT NULL DEFAULT 0 CHECK (requests_voted_count >= 0),
    bounty_spent            NUMERIC(20,4) NOT NULL DEFAULT 0 CHECK (bounty_spent >= 0),
    bounty_earned           NUMERIC(20,4) NOT NULL DEFAULT 0 CHECK (bounty_earned >= 0),
    bonus_points            NUMERIC(20,4) NOT NULL DEFAULT 0 CHECK (bonus_points >= 0),
    bonus_points_earned     NUMERIC(20,4) NOT NULL DEFAULT 0 CHECK (bonus_points_earned >= 0),
    bonus_points_spent      NUMERIC(20,4) NOT NULL DEFAULT 0 CHECK (bonus_points_spent >= 0),
    bonus_points_updated_at TIMESTAMPTZ,
    freeleech_tokens        INTEGER NOT NULL DEFAULT 0 CHECK (freeleech_tokens >= 0),
    hit_and_runs            INTEGER NOT NULL DEFAULT 0 CHECK (hit_and_runs >= 0),
    comments_count          INTEGER NOT NULL DEFAULT 0 CHECK (comments_count >= 0),
    forum_posts_count       INTEGER NOT NULL DEFAULT 0 CHECK (forum_posts_count >= 0),
    invited_count           INTEGER NOT NULL DEFAULT 0 CHECK (invited_count >= 0),
    updated_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Leaderboards and ratio watch.
CREATE INDEX user_statistics_uploaded_idx ON user_statistics (uploaded_adjusted DESC);
CREATE INDEX user_statistics_downloaded_idx ON user_statistics (downloaded_adjusted DESC);
CREATE INDEX user_statistics_ratio_idx ON user_statistics (ratio) WHERE ratio IS NOT NULL;
CREATE INDEX user_statistics_bonus_idx ON user_statistics (bonus_points DESC);
CREATE INDEX user_statistics_seedtime_idx ON user_statistics (seedtime_seconds DESC);
CREATE INDEX user_statistics_seeding_idx ON user_statistics (seeding_count DESC) WHERE seeding_count > 0;
CREATE INDEX user_statistics_uploads_idx ON user_statistics (uploads_count DESC) WHERE uploads_count > 0;
CREATE INDEX user_statistics_hnr_idx ON user_statistics (hit_and_runs) WHERE hit_and_runs > 0;
CREATE INDEX user_statistics_updated_at_idx ON user_statistics (updated_at);

CREATE TRIGGER user_statistics_updated_at BEFORE UPDATE ON user_statistics
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE OR REPLACE FUNCTION create_user_statistics_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_statistics (user_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_create_statistics AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION create_user_statistics_row();
