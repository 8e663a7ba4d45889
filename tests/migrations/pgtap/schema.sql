-- pgTAP checks of the schema contract other parts of Swarmline rely on (migrations/README.md):
-- key columns and their types, keys, the indexes that queries need, and constraints that refuse
-- bad rows. Each test_* function runs in its own rolled-back transaction under runtests().

CREATE FUNCTION test_user_contract() RETURNS SETOF TEXT LANGUAGE plpgsql AS $$
BEGIN
    RETURN NEXT col_is_pk('users', 'id');
    RETURN NEXT col_type_is('users', 'id', 'uuid');
    RETURN NEXT col_type_is('users', 'tracker_id', 'integer');
    RETURN NEXT col_is_unique('users', 'tracker_id');
    RETURN NEXT col_type_is('users', 'passkey', 'character(32)');
    RETURN NEXT col_is_unique('users', 'passkey');
    RETURN NEXT col_not_null('users', 'passkey');
    RETURN NEXT col_type_is('users', 'password_hash', 'text');
    RETURN NEXT fk_ok('users', 'group_id', 'user_groups', 'id');
    RETURN NEXT fk_ok('users', 'invited_by', 'users', 'id');
    RETURN NEXT has_column('users', 'email_verified_at');
    RETURN NEXT has_column('users', 'deleted_at');
    RETURN NEXT col_type_is('users', 'is_enabled', 'boolean');
    RETURN NEXT has_index('users', 'users_username_key');
    RETURN NEXT index_is_unique('users', 'users_username_key');
    RETURN NEXT col_is_pk('user_statistics', 'user_id');
    RETURN NEXT fk_ok('user_statistics', 'user_id', 'users', 'id');
    RETURN NEXT has_column('user_statistics', 'uploaded_adjusted');
    RETURN NEXT has_column('user_statistics', 'downloaded_adjusted');
    RETURN NEXT col_type_is('user_statistics', 'bonus_points', 'numeric(20,4)');
    RETURN NEXT col_type_is('user_groups', 'level', 'smallint');
    RETURN NEXT results_eq('SELECT name FROM user_groups ORDER BY level DESC LIMIT 1', ARRAY['Sysop'], 'Sysop ranks highest');
    RETURN NEXT results_eq('SELECT count(*)::int FROM user_groups', ARRAY[13], '13 default groups');
END;
$$;

CREATE FUNCTION test_torrent_contract() RETURNS SETOF TEXT LANGUAGE plpgsql AS $$
BEGIN
    RETURN NEXT col_is_pk('torrents', 'id');
    RETURN NEXT col_type_is('torrents', 'tracker_id', 'integer');
    RETURN NEXT col_type_is('torrents', 'info_hash', 'bytea');
    RETURN NEXT col_is_unique('torrents', 'info_hash');
    RETURN NEXT col_is_unique('torrents', 'info_hash_v2');
    RETURN NEXT col_is_null('torrents', 'info_hash_v2');
    RETURN NEXT fk_ok('torrents', 'category_id', 'torrent_categories', 'id');
    RETURN NEXT fk_ok('torrents', 'uploader_id', 'users', 'id');
    RETURN NEXT col_type_is('torrents', 'search_vector', 'tsvector');
    RETURN NEXT index_is_type('torrents', 'torrents_search_idx', 'gin');
    RETURN NEXT index_is_type('torrents', 'torrents_name_trgm_idx', 'gin');
    RETURN NEXT col_is_pk('peers', ARRAY['torrent_id', 'user_id', 'peer_id']);
    RETURN NEXT col_type_is('peers', 'ip', 'inet');
    RETURN NEXT has_column('peers', 'left_bytes');
    RETURN NEXT has_column('peers', 'last_announce');
    RETURN NEXT fk_ok('peers', 'freeleech_token_id', 'freeleech_tokens', 'id');
    RETURN NEXT is_partitioned('announces');
    RETURN NEXT is_partitioned('peer_history');
    RETURN NEXT is_partitioned('audit_logs');
    RETURN NEXT has_function('create_monthly_partitions', ARRAY['regclass', 'date', 'integer']);
    RETURN NEXT has_function('create_upcoming_partitions', ARRAY['integer']);
    RETURN NEXT index_is_type('bans', 'bans_ip_range_idx', 'gist');
    RETURN NEXT index_is_type('torrent_metadata', 'torrent_metadata_genres_idx', 'gin');
    RETURN NEXT index_is_type('audit_logs', 'audit_logs_changes_idx', 'gin');
END;
$$;

CREATE FUNCTION test_constraints_refuse_bad_rows() RETURNS SETOF TEXT LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id)
    VALUES ('tapuser', 'tap@example.org', 'h', 'TAPtapTAPtapTAPtapTAPtapTAPtap01', md5('r'), 4);
    RETURN NEXT throws_ok(
        $q$INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id)
           VALUES ('other', 'other@example.org', 'h', 'TAPtapTAPtapTAPtapTAPtapTAPtap01', md5('s'), 4)$q$,
        '23505', NULL, 'a passkey is unique');
    RETURN NEXT throws_ok(
        $q$INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id)
           VALUES ('other', 'other@example.org', 'h', 'not-a-passkey', md5('s'), 4)$q$,
        '23514', NULL, 'a passkey is 32 alphanumerics');
    RETURN NEXT throws_ok(
        $q$INSERT INTO torrents (info_hash, name, category_id, size) VALUES ('\x00', 'x', 1, 1)$q$,
        '23514', NULL, 'a v1 info_hash is 20 bytes');
    RETURN NEXT throws_ok($q$UPDATE user_statistics SET bonus_points = -0.0001$q$, '23514', NULL,
        'bonus points never go negative');
    RETURN NEXT lives_ok($q$UPDATE user_statistics SET bonus_points = 0$q$, 'a zero balance is fine');
END;
$$;
