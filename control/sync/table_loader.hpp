// PostgreSQL -> shared memory: keeps the segment's users, torrents, tokens and rules equal to the
// database. Control is the only writer of those tables (see shm/control_tables.hpp), and this class
// is the only code in control that writes them, always from one thread.
//
// It remembers what it published under each id (a user's passkey, a torrent's hashes, a user's
// tokens), so that a changed passkey or hash, or a vanished row, is erased from the segment too.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shm/segment.hpp"
#include "db/pg.hpp"
#include "sync/sync_metrics.hpp"

namespace swarmline::control::sync {

// The changes named by a batch of `swarmline_sync` notification payloads (see the sync_notify
// migration), merged.
struct ChangeSet {
    std::vector<std::int64_t> users;        // u:<tracker_id>
    std::vector<std::int64_t> groups;       // g:<group id>
    std::vector<std::int64_t> torrents;     // t:<tracker_id>
    std::vector<std::int64_t> token_users;  // k:<tracker_id>
    bool rules = false;                     // r
    bool everything = false;                // a payload this version does not know: reload all

    void add(std::string_view payload);
    [[nodiscard]] bool empty() const noexcept {
        return users.empty() && groups.empty() && torrents.empty() && token_users.empty() && !rules && !everything;
    }
};

class TableLoader {
public:
    TableLoader(shm::Segment& segment, SyncMetrics& metrics);

    // Publishes every row and erases what the segment holds that PostgreSQL no longer has (after a
    // restart of control the segment still holds the previous run's tables). "" or the error.
    std::string load_all(db::Connection& pg);
    // Publishes the rows a change set names. "" or the error (the caller then does load_all).
    std::string apply(db::Connection& pg, ChangeSet changes);

private:
    // Each throws db::Error; load_all and apply turn it into their answer.
    enum class Scope { all, ids, groups };
    void load_users(db::Connection& pg, Scope scope, const std::vector<std::int64_t>& ids);
    void load_torrents(db::Connection& pg, Scope scope, const std::vector<std::int64_t>& ids);
    void load_tokens(db::Connection& pg, Scope scope, const std::vector<std::int64_t>& user_ids);
    void load_rules(db::Connection& pg);
    std::uint8_t reason_code(std::string_view reason);

    shm::Segment& segment_;
    SyncMetrics& metrics_;
    std::unordered_map<shm::UserId, shm::Passkey> passkeys_;
    struct TorrentKeys {
        shm::InfoHashKey v1;
        shm::InfoHashKey v2;
        bool has_v2;
    };
    std::unordered_map<shm::TorrentId, TorrentKeys> torrent_keys_;
    std::unordered_map<shm::UserId, std::vector<shm::TorrentId>> tokens_;
    std::vector<std::string> reasons_;  // deletion reasons by reason_code; published with the rules
    bool reasons_changed_ = false;
};

}  // namespace swarmline::control::sync
