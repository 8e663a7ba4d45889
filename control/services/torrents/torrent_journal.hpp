// What every change to a torrent leaves behind, in the caller's transaction: a torrent_moderation
// row (staff actions), an audit_logs row, and a search_index_queue item for the search index.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "services/pg_pool.hpp"

namespace swarmline::control::torrents {

// Who acted and from where; the actor is empty for the operator's CLI.
struct Actor {
    std::optional<std::string> user_id;
    std::optional<std::string> ip;
    std::string request_id;
};

struct ModerationEntry {
    std::string action;  // torrent_moderation.action
    std::optional<std::string> previous_status;
    std::optional<std::string> new_status;
    std::optional<std::string> reason;
    std::optional<std::string> notes;
    std::string changes_json = "{}";
};

void record_moderation(PgConn& db, const Actor& who, const std::string& torrent_id, const ModerationEntry& e);

// audit_logs action such as "torrent.upload"; `changes_json` as {"field": {"old":..,"new":..}}.
void record_audit(PgConn& db, const Actor& who, std::string_view action, const std::string& torrent_id,
                  const std::string& changes_json = "{}");

// operation: index | update | delete. The payload is the torrent's searchable fields now (its tags
// included).
void queue_search_index(PgConn& db, const std::string& torrent_id, std::string_view operation);
// An update for each of `torrent_ids` (a uuid[] literal, as tagged_torrents gives).
void queue_search_updates(PgConn& db, const std::string& torrent_ids);
// The torrents that have the tag or one of its aliases, as a uuid[] literal: what a change of the
// tag changes in the search index.
std::string tagged_torrents(PgConn& db, const std::string& tag_id);

}  // namespace swarmline::control::torrents
