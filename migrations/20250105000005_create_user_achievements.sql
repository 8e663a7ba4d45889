-- Gamification: badges a member earns, tiered Bronze to Diamond, each with an optional bonus point
-- and invite reward, and a switch to hide it from the profile.

CREATE TABLE user_achievements (
    id                  UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id             UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    achievement_key     TEXT NOT NULL CHECK (achievement_key ~ '^[a-z0-9_]+$'),
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    icon                TEXT,
    tier                TEXT NOT NULL DEFAULT 'bronze'
                        CHECK (tier IN ('bronze', 'silver', 'gold', 'platinum', 'diamond')),
    progress            BIGINT NOT NULL DEFAULT 0 CHECK (progress >= 0),
    target              BIGINT NOT NULL DEFAULT 1 CHECK (target > 0),
    bonus_points_reward NUMERIC(20,4) NOT NULL DEFAULT 0 CHECK (bonus_points_reward >= 0),
    invites_reward      INTEGER NOT NULL DEFAULT 0 CHECK (invites_reward >= 0),
    reward_claimed_at   TIMESTAMPTZ,
    is_visible          BOOLEAN NOT NULL DEFAULT true,
    awarded_at          TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT user_achievements_unique_tier UNIQUE (user_id, achievement_key, tier)
);

CREATE INDEX user_achievements_user_idx ON user_achievements (user_id, awarded_at DESC);
CREATE INDEX user_achievements_key_idx ON user_achievements (achievement_key, tier);
CREATE INDEX user_achievements_awarded_idx ON user_achievements (awarded_at DESC) WHERE awarded_at IS NOT NULL;
CREATE INDEX user_achievements_visible_idx ON user_achievements (user_id) WHERE is_visible AND awarded_at IS NOT NULL;
CREATE INDEX user_achievements_unclaimed_idx ON user_achievements (user_id)
    WHERE awarded_at IS NOT NULL AND reward_claimed_at IS NULL;

CREATE TRIGGER user_achievements_updated_at BEFORE UPDATE ON user_achievements
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
