-- Site-wide settings an administrator changes at run time (registration mode, announce intervals,
-- ratio rules ...), one JSONB value per key, with who changed it last. Defaults inserted here; the
-- control process reads them at start and on change.

CREATE TABLE site_settings (
    key          TEXT PRIMARY KEY CHECK (key ~ '^[a-z0-9_.]+$'),
    value        JSONB NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    is_public    BOOLEAN NOT NULL DEFAULT false,   -- may be shown to members / anonymous visitors
    updated_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX site_settings_public_idx ON site_settings (key) WHERE is_public;
CREATE INDEX site_settings_updated_by_idx ON site_settings (updated_by) WHERE updated_by IS NOT NULL;

CREATE TRIGGER site_settings_updated_at BEFORE UPDATE ON site_settings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

INSERT INTO site_settings (key, value, description, is_public) VALUES
 ('site.name',                       '"Swarmline"',  'The site''s name in pages and e-mail.', true),
 ('site.registration_mode',          '"invite"',     'open | invite | closed.', true),
 ('site.max_users',                  '5000',         'Registration closes at this many enabled accounts.', false),
 ('site.global_freeleech',           'false',        'Every download is freeleech while true.', true),
 ('site.global_double_upload',       'false',        'Every upload counts twice while true.', true),
 ('tracker.announce_interval',       '1800',         'Seconds between announces the tracker asks for.', false),
 ('tracker.min_announce_interval',   '900',          'Seconds below which an announce is refused.', false),
 ('tracker.max_peers_per_reply',     '50',           'Upper bound of numwant.', false),
 ('tracker.peer_timeout',            '3600',         'Seconds after the last announce a peer is dropped.', false),
 ('ratio.minimum',                   '0.6',          'Ratio below which a member is put on ratio watch.', true),
 ('ratio.watch_days',                '14',           'Days on ratio watch before downloading is suspended.', true),
 ('ratio.grace_bytes',               '5368709120',   'Downloaded bytes before the ratio rules apply.', true),
 ('hnr.min_seedtime_hours',          '72',           'Hours a completed torrent must be seeded.', true),
 ('hnr.grace_days',                  '14',           'Days after completion to reach the seed time.', true),
 ('bonus.freeleech_token_cost',      '1000',         'Bonus points per freeleech token.', true),
 ('bonus.upload_credit_cost_per_gib','250',          'Bonus points per GiB of upload credit.', true),
 ('invites.expiry_days',             '7',            'Days an invite stays valid.', false),
 ('sessions.lifetime_days',          '30',           'Days a remembered session lasts.', false);
