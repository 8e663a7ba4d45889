-- Topics a member follows: how far they have read (the last post they saw) and how they want to
-- be told about new posts.

CREATE TABLE forum_subscriptions (
    id                 UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id            UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic_id           UUID NOT NULL REFERENCES forum_topics (id) ON DELETE CASCADE,
    last_read_post_id  UUID REFERENCES forum_posts (id) ON DELETE SET NULL,
    last_read_at       TIMESTAMPTZ,
    notify_site        BOOLEAN NOT NULL DEFAULT true,
    notify_email       BOOLEAN NOT NULL DEFAULT false,
    last_notified_at   TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT forum_subscriptions_unique UNIQUE (user_id, topic_id)
);

CREATE INDEX forum_subscriptions_topic_idx ON forum_subscriptions (topic_id);
CREATE INDEX forum_subscriptions_email_idx ON forum_subscriptions (topic_id) WHERE notify_email;
CREATE INDEX forum_subscriptions_last_read_post_idx ON forum_subscriptions (last_read_post_id) WHERE last_read_post_id IS NOT NULL;
CREATE INDEX forum_subscriptions_user_recent_idx ON forum_subscriptions (user_id, last_read_at DESC);
