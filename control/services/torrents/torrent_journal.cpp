#include "services/torrents/torrent_journal.hpp"

namespace swarmline::control::torrents {

void record_moderation(PgConn& db, const Actor& who, const std::string& torrent_id, const ModerationEntry& e) {
    static const Statement kInsert{
        "torrents_moderation_insert",
        "INSERT INTO torrent_moderation (torrent_id, moderator_id, action, previous_status, new_status, reason, notes, "
        "changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)"};
    db.run(kInsert, {torrent_id, who.user_id, e.action, e.previous_status, e.new_status, e.reason, e.notes,
                     e.changes_json});
}

void record_audit(PgConn& db, const Actor& who, std::string_view action, const std::string& torrent_id,
                  const std::string& changes_json) {
    static const Statement kInsert{
        "torrents_audit_insert",
        "INSERT INTO audit_logs (actor_id, actor_ip, action, entity_type, entity_id, changes, metadata) "
        "VALUES ($1, nullif($2, '')::inet, $3, 'torrent', $4, $5::jsonb, jsonb_build_object('request_id', $6::text))"};
    db.run(kInsert, {who.user_id, who.ip, action, torrent_id, changes_json, who.request_id});
}

namespace {

// A queue item of torrent `t`, whose payload is its searchable fields now.
constexpr const char* kQueueItem =
    "INSERT INTO search_index_queue (entity_type, entity_id, operation, payload) "
    "SELECT 'torrent', t.id, $2, jsonb_build_object('name', t.name, 'category_id', t.category_id, "
    "'status', t.status, 'size', t.size, 'release_group', t.release_group, 'resolution', t.resolution, "
    "'tags', (SELECT coalesce(jsonb_agg(g.name ORDER BY a.score DESC, g.name), '[]') FROM torrent_tag_assignments a "
    " JOIN torrent_tags g ON g.id = a.tag_id WHERE a.torrent_id = t.id), "
    "'deleted', t.deleted_at IS NOT NULL, 'created_at', t.created_at) FROM torrents t ";

}  // namespace

void queue_search_index(PgConn& db, const std::string& torrent_id, std::string_view operation) {
    static const std::string kSql = std::string(kQueueItem) + "WHERE t.id = $1";
    static const Statement kQueue{"torrents_search_queue", kSql.c_str()};
    db.run(kQueue, {torrent_id, operation});
}

void queue_search_updates(PgConn& db, const std::string& torrent_ids) {
    static const std::string kSql = std::string(kQueueItem) + "WHERE t.id = ANY($1::uuid[])";
    static const Statement kQueue{"torrents_search_queue_many", kSql.c_str()};
    db.run(kQueue, {torrent_ids, "update"});
}

std::string tagged_torrents(PgConn& db, const std::string& tag_id) {
    static const Statement kTagged{
        "torrents_tagged",
        "SELECT coalesce(array_agg(DISTINCT a.torrent_id), '{}')::text FROM torrent_tag_assignments a "
        "JOIN torrent_tags g ON g.id = a.tag_id WHERE g.id = $1 OR g.alias_of = $1"};
    return std::string(db.run(kTagged, {tag_id}).get(0, 0));
}

}  // namespace swarmline::control::torrents
