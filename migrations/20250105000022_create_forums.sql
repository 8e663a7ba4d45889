-- Forum structure: hierarchical forums with read/post/topic permission levels (compared with
-- user_groups.level), auto-lock of idle topics and denormalised counters. Pre-populated.

CREATE TABLE forums (
    id                 UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    parent_id          UUID REFERENCES forums (id) ON DELETE RESTRICT,
    name               TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    slug               TEXT NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    description        TEXT NOT NULL DEFAULT '',
    section            TEXT NOT NULL DEFAULT 'Community',
    sort_order         INTEGER NOT NULL DEFAULT 0,
    min_read_level     SMALLINT NOT NULL DEFAULT 5 CHECK (min_read_level BETWEEN 0 AND 25),
    min_post_level     SMALLINT NOT NULL DEFAULT 5 CHECK (min_post_level BETWEEN 0 AND 25),
    min_topic_level    SMALLINT NOT NULL DEFAULT 5 CHECK (min_topic_level BETWEEN 0 AND 25),
    auto_lock_days     INTEGER CHECK (auto_lock_days IS NULL OR auto_lock_days > 0),
    is_locked          BOOLEAN NOT NULL DEFAULT false,
    is_hidden          BOOLEAN NOT NULL DEFAULT false,
    topic_count        INTEGER NOT NULL DEFAULT 0 CHECK (topic_count >= 0),
    post_count         INTEGER NOT NULL DEFAULT 0 CHECK (post_count >= 0),
    last_post_id       UUID,        -- REFERENCES forum_posts, added with that table
    last_topic_id      UUID,        -- REFERENCES forum_topics, added with that table
    last_post_user_id  UUID REFERENCES users (id) ON DELETE SET NULL,
    last_post_at       TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT forums_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id),
    CONSTRAINT forums_levels_ordered CHECK (min_read_level <= min_post_level AND min_post_level <= min_topic_level)
);

CREATE INDEX forums_parent_idx ON forums (parent_id, sort_order);
CREATE INDEX forums_section_idx ON forums (section, sort_order);
CREATE INDEX forums_read_level_idx ON forums (min_read_level, sort_order) WHERE NOT is_hidden;
CREATE INDEX forums_last_post_user_idx ON forums (last_post_user_id) WHERE last_post_user_id IS NOT NULL;
CREATE INDEX forums_last_post_idx ON forums (last_post_id) WHERE last_post_id IS NOT NULL;
CREATE INDEX forums_last_topic_idx ON forums (last_topic_id) WHERE last_topic_id IS NOT NULL;

CREATE TRIGGER forums_updated_at BEFORE UPDATE ON forums
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

INSERT INTO forums (name, slug, description, section, sort_order, min_read_level, min_post_level, min_topic_level, auto_lock_days) VALUES
 ('Announcements',      'announcements',  'News from the staff.',                              'Site',      10, 2, 5, 20, NULL),
 ('Site Feedback',      'site-feedback',  'Suggestions and ideas for the site.',               'Site',      20, 5, 5, 5, 90),
 ('Bug Reports',        'bug-reports',    'Something broken? Tell us here.',                   'Site',      30, 5, 5, 5, 60),
 ('Help & Support',     'help',           'Questions about the site, clients and the tracker.', 'Site',      40, 2, 2, 2, 30),
 ('General Discussion', 'general',        'Anything that fits nowhere else.',                  'Community', 50, 5, 5, 5, NULL),
 ('Movies & TV',        'movies-tv',      'Films, series and everything on screen.',           'Community', 60, 5, 5, 5, NULL),
 ('Music',              'music',          'Albums, artists and gear.',                         'Community', 70, 5, 5, 5, NULL),
 ('Games & Software',   'games-software', 'Games, applications and operating systems.',        'Community', 80, 5, 5, 5, NULL),
 ('Requests Discussion','requests',       'Talk about requests and fills.',                    'Community', 90, 5, 5, 5, 180),
 ('Off-Topic',          'off-topic',      'Life, the universe and everything.',                'Community', 100, 5, 5, 5, NULL),
 ('Power User Lounge',  'power-lounge',   'For Power Users and above.',                        'Community', 110, 8, 8, 8, NULL),
 ('Staff',              'staff',          'Staff only.',                                       'Staff',     200, 20, 20, 20, NULL),
 ('Trash',              'trash',          'Locked and removed topics.',                        'Staff',     210, 20, 20, 25, NULL);
