-- Change notifications for swarmline-control's sync, which keeps the tracker's shared-memory tables
-- equal to these rows. Every change that the tracker enforces sends one NOTIFY on the channel
-- `swarmline_sync`, with a payload naming what to reload:
--   u:<users.tracker_id>   one account (its passkey, status, group, personal perks, bans)
--   g:<user_groups.id>     every account of a group (its rights changed)
--   t:<torrents.tracker_id> one torrent (hashes, moderation state, promotions)
--   k:<users.tracker_id>   one account's freeleech tokens
--   r                      the rules record (client allow list, IP bans, site settings)
-- NOTIFY is transactional (sent at COMMIT, identical payloads of one transaction merged), so the
-- sync never reads a change before it is visible. Columns the sync itself writes (torrents'
-- seeders, leechers, times_completed ...) and activity columns do not notify.

CREATE OR REPLACE FUNCTION sync_notify_tracker_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('swarmline_sync', TG_ARGV[0] || ':' ||
                      CASE TG_OP WHEN 'DELETE' THEN OLD.tracker_id ELSE NEW.tracker_id END);
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_sync_notify AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION sync_notify_tracker_id('u');
CREATE TRIGGER users_sync_notify_update AFTER UPDATE ON users
    FOR EACH ROW WHEN (OLD.passkey IS DISTINCT FROM NEW.passkey
                    OR OLD.group_id IS DISTINCT FROM NEW.group_id
                    OR OLD.status IS DISTINCT FROM NEW.status
                    OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
                    OR OLD.can_download IS DISTINCT FROM NEW.can_download
                    OR OLD.freeleech_until IS DISTINCT FROM NEW.freeleech_until
                    OR OLD.double_upload_until IS DISTINCT FROM NEW.double_upload_until)
    EXECUTE FUNCTION sync_notify_tracker_id('u');

CREATE TRIGGER torrents_sync_notify AFTER INSERT OR DELETE ON torrents
    FOR EACH ROW EXECUTE FUNCTION sync_notify_tracker_id('t');
CREATE TRIGGER torrents_sync_notify_update AFTER UPDATE ON torrents
    FOR EACH ROW WHEN (OLD.info_hash IS DISTINCT FROM NEW.info_hash
                    OR OLD.info_hash_v2 IS DISTINCT FROM NEW.info_hash_v2
                    OR OLD.status IS DISTINCT FROM NEW.status
                    OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
                    OR OLD.deletion_reason IS DISTINCT FROM NEW.deletion_reason
                    OR OLD.freeleech_percentage IS DISTINCT FROM NEW.freeleech_percentage
                    OR OLD.freeleech_until IS DISTINCT FROM NEW.freeleech_until
                    OR OLD.double_upload IS DISTINCT FROM NEW.double_upload
                    OR OLD.double_upload_until IS DISTINCT FROM NEW.double_upload_until)
    EXECUTE FUNCTION sync_notify_tracker_id('t');

CREATE OR REPLACE FUNCTION sync_notify_group() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('swarmline_sync', 'g:' || CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END;
$$;

CREATE TRIGGER user_groups_sync_notify AFTER INSERT OR UPDATE OR DELETE ON user_groups
    FOR EACH ROW EXECUTE FUNCTION sync_notify_group();

-- Rows that name an account by its UUID: tokens reload the account's tokens, account and download
-- bans reload the account, IP bans the rules.
CREATE OR REPLACE FUNCTION sync_notify_user_uuid(prefix text, account uuid) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_notify('swarmline_sync', prefix || ':' || tracker_id) FROM users WHERE id = account;
$$;

CREATE OR REPLACE FUNCTION sync_notify_token() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN PERFORM sync_notify_user_uuid('k', OLD.user_id); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM sync_notify_user_uuid('k', NEW.user_id); END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION sync_notify_ban() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP <> 'INSERT' AND OLD.ban_type = 'ip') OR (TG_OP <> 'DELETE' AND NEW.ban_type = 'ip') THEN
        PERFORM pg_notify('swarmline_sync', 'r');
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.user_id IS NOT NULL THEN PERFORM sync_notify_user_uuid('u', OLD.user_id); END IF;
    IF TG_OP <> 'DELETE' AND NEW.user_id IS NOT NULL THEN PERFORM sync_notify_user_uuid('u', NEW.user_id); END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER freeleech_tokens_sync_notify AFTER INSERT OR UPDATE OR DELETE ON freeleech_tokens
    FOR EACH ROW EXECUTE FUNCTION sync_notify_token();
CREATE TRIGGER bans_sync_notify AFTER INSERT OR UPDATE OR DELETE ON bans
    FOR EACH ROW EXECUTE FUNCTION sync_notify_ban();

CREATE OR REPLACE FUNCTION sync_notify_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('swarmline_sync', 'r');
    RETURN NULL;
END;
$$;

CREATE TRIGGER client_allowlist_sync_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON client_allowlist
    FOR EACH STATEMENT EXECUTE FUNCTION sync_notify_rules();
CREATE TRIGGER site_settings_sync_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON site_settings
    FOR EACH STATEMENT EXECUTE FUNCTION sync_notify_rules();

-- Exactly-once for the flush: moves a ring's committed watermark from `from_seq` to `to_seq`, or
-- fails the transaction when it is not at `from_seq` (another flusher committed in between).
CREATE OR REPLACE FUNCTION sync_advance_watermark(p_segment bigint, p_ring integer, p_from bigint,
                                                  p_to bigint, p_events bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_from = 0 THEN
        INSERT INTO sync_ring_watermarks (segment_id, ring) VALUES (p_segment, p_ring) ON CONFLICT DO NOTHING;
    END IF;
    UPDATE sync_ring_watermarks
       SET last_seq = p_to, events = events + p_events, updated_at = now()
     WHERE segment_id = p_segment AND ring = p_ring AND last_seq = p_from;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'sync watermark of segment % ring % is not at %: another flusher committed', p_segment, p_ring, p_from
            USING ERRCODE = 'serialization_failure';
    END IF;
END;
$$;
