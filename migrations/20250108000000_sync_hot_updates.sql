-- Index upkeep of the rows the tracker sync rewrites on every flush (user_statistics, peers,
-- snatches, torrent_statistics, announces), narrowed so that a busy tracker's flush stays cheap.
--
-- Why: a flush rewrites one row per active member, one per announcing peer and one per (member,
-- torrent) several times a second. PostgreSQL can update a row in place on its page without touching
-- any index (a HOT update) only when no indexed column changes and the page has room; otherwise every
-- index of the table gets a new entry for the new row version. The seed's indexes on the counters
-- themselves (uploaded, ratio, seedtime, last announce time, updated_at ...) changed on every flush,
-- so every flush paid every index of these tables: measured with EXPLAIN (ANALYZE, BUFFERS) and
-- perf/sync_bench, the index upkeep was most of a flush's time.
--
-- What changes:
--  * indexes whose key is a counter or time the sync rewrites every flush are dropped where nothing
--    in the project reads through them (no query orders or filters user_statistics,
--    torrent_statistics, peers or snatches by these columns; a leaderboard over user_statistics is
--    a top-N sort of one table). Indexes that back a foreign key or a lookup stay.
--  * peers_seeders_idx / peers_leechers_idx duplicate peers_torrent_seeder_idx (torrent_id, is_seeder).
--  * fillfactor leaves room on each page for the new row version, which a HOT update needs.
--  * announces is an append-only log written one row per announce: its two foreign keys cost two
--    row lookups and two row locks (FOR KEY SHARE on the member's and the torrent's rows) per
--    announce, as much as the rest of the insert. The sync writes only ids it has just resolved from
--    users and torrents; accounts and torrents are soft-deleted; old months are dropped whole by
--    drop_monthly_partitions_before(). The keys go; a hard-deleted account's or torrent's history
--    rows stay until their month is dropped.
--  * announces is append-only and arrives in created_at order: a BRIN index on created_at does what
--    the B-tree did (time-range scans inside a month) at a fraction of the upkeep.
--
-- The swarm counters on torrents (seeders, leechers, times_completed) keep their indexes: the site
-- sorts by them; the sync writes a torrents row only when one of them changed.

DROP INDEX user_statistics_uploaded_idx;
DROP INDEX user_statistics_downloaded_idx;
DROP INDEX user_statistics_ratio_idx;
DROP INDEX user_statistics_seedtime_idx;
DROP INDEX user_statistics_seeding_idx;
DROP INDEX user_statistics_updated_at_idx;
ALTER TABLE user_statistics SET (fillfactor = 70);

DROP INDEX peers_last_announce_idx;
DROP INDEX peers_seeders_idx;
DROP INDEX peers_leechers_idx;
ALTER TABLE peers SET (fillfactor = 70);

DROP INDEX snatches_last_announce_idx;
ALTER TABLE snatches SET (fillfactor = 70);

DROP INDEX torrent_statistics_activity_idx;
DROP INDEX torrent_statistics_seeders_idx;
DROP INDEX torrent_statistics_snatches_idx;
ALTER TABLE torrent_statistics SET (fillfactor = 70);

ALTER TABLE announces DROP CONSTRAINT announces_torrent_id_fkey;
ALTER TABLE announces DROP CONSTRAINT announces_user_id_fkey;
DROP INDEX announces_created_at_idx;
CREATE INDEX announces_created_at_brin ON announces USING brin (created_at);
