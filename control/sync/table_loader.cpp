#include "sync/table_loader.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <unordered_set>

#include "base/log.hpp"

namespace swarmline::control::sync {
namespace {

// One row per account with everything its UserEntry is made of. Disabled: not active, soft-deleted,
// in a group that may not log in, or under an account ban in force.
constexpr std::string_view kUsersSql = R"SQL(
SELECT u.tracker_id, u.passkey,
       (NOT u.is_enabled OR NOT g.can_login OR EXISTS (
            SELECT 1 FROM bans b WHERE b.user_id = u.id AND b.ban_type = 'account' AND b.lifted_at IS NULL
               AND (b.expires_at IS NULL OR b.expires_at > now()))) AS disabled,
       (g.can_download AND u.can_download AND NOT EXISTS (
            SELECT 1 FROM bans b WHERE b.user_id = u.id AND b.ban_type = 'download' AND b.lifted_at IS NULL
               AND (b.expires_at IS NULL OR b.expires_at > now()))) AS can_leech,
       g.freeleech,
       (g.double_upload OR coalesce(u.double_upload_until > now(), false)) AS double_upload,
       g.immune,
       CASE WHEN u.freeleech_until > now() THEN extract(epoch FROM u.freeleech_until)::bigint ELSE 0 END,
       least(round(g.upload_multiplier * 100), 65535)::integer,
       least(round(g.download_multiplier * 100), 65535)::integer
FROM users u JOIN user_groups g ON g.id = u.group_id
)SQL";

// Deleted torrents stay for a day so that their peers learn why (rules.deleted_reason_ttl).
constexpr std::string_view kTorrentsSql = R"SQL(
SELECT t.tracker_id, t.info_hash, t.info_hash_v2, t.status, t.deleted_at IS NOT NULL,
       coalesce(extract(epoch FROM t.deleted_at)::bigint, 0), coalesce(t.deletion_reason, ''),
       CASE WHEN t.freeleech_until IS NULL OR t.freeleech_until > now() THEN t.freeleech_percentage ELSE 0 END,
       CASE WHEN t.freeleech_percentage > 0 AND t.freeleech_until > now()
            THEN extract(epoch FROM t.freeleech_until)::bigint ELSE 0 END,
       (t.double_upload AND (t.double_upload_until IS NULL OR t.double_upload_until > now()))
FROM torrents t
WHERE (t.deleted_at IS NULL OR t.deleted_at > now() - interval '1 day')
)SQL";

constexpr std::string_view kTokensSql = R"SQL(
SELECT u.tracker_id, t.tracker_id, extract(epoch FROM f.expires_at)::bigint
FROM freeleech_tokens f JOIN users u ON u.id = f.user_id JOIN torrents t ON t.id = f.torrent_id
WHERE f.status = 'active' AND f.expires_at > now()
)SQL";

// NULL reads as 0, and so does a value that is not a number (a site setting of another kind).
std::uint64_t u64(const db::Result& r, int row, int col) {
    if (r.is_null(row, col)) return 0;
    auto v = r.get(row, col);
    std::uint64_t out = 0;
    std::from_chars(v.data(), v.data() + v.size(), out);
    return out;
}

// A bytea column in hex output form (\x...) decoded into `out`; false when it is not `n` bytes.
bool bytes_into(const db::Result& r, int row, int col, std::uint8_t* out, std::size_t n) {
    if (r.is_null(row, col)) return false;
    auto v = r.get(row, col);
    if (v.size() != 2 + 2 * n || v[0] != '\\' || v[1] != 'x') return false;
    for (std::size_t i = 0; i < n; ++i) {
        auto p = v.data() + 2 + 2 * i;
        if (std::from_chars(p, p + 2, out[i], 16).ptr != p + 2) return false;
    }
    return true;
}

std::string id_array(const std::vector<std::int64_t>& ids) {
    std::string s = "{";
    for (auto id : ids) {
        if (s.size() > 1) s += ',';
        s += std::to_string(id);
    }
    return s + "}";
}

std::uint32_t clamp32(std::uint64_t v) { return static_cast<std::uint32_t>(std::min<std::uint64_t>(v, UINT32_MAX)); }
std::uint16_t clamp16(std::uint64_t v) { return static_cast<std::uint16_t>(std::min<std::uint64_t>(v, UINT16_MAX)); }

bool parse_id(std::string_view s, std::int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

struct PasskeyHash {
    std::size_t operator()(const shm::Passkey& k) const noexcept {
        return std::hash<std::string_view>{}(std::string_view(k.data(), k.size()));
    }
};
struct HashKeyHash {
    std::size_t operator()(const shm::InfoHashKey& k) const noexcept {
        std::size_t h;
        std::memcpy(&h, k.data(), sizeof h);  // a SHA digest: any 8 bytes are uniform
        return h;
    }
};
struct TokenKeyHash {
    std::size_t operator()(const shm::TokenKey& k) const noexcept {
        return std::hash<std::uint64_t>{}(std::uint64_t{k.user_id} << 32 | k.torrent_id);
    }
};
struct TokenKeyEq {
    bool operator()(const shm::TokenKey& a, const shm::TokenKey& b) const noexcept {
        return a.user_id == b.user_id && a.torrent_id == b.torrent_id;
    }
};

// A CIDR's first and last address as IPv4-mapped IPv6 (the form the dataplane compares).
bool parse_ip(std::string_view text, std::array<std::uint8_t, 16>& out) {
    std::string s(text);
    out.fill(0);
    if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return true;
    out[10] = out[11] = 0xff;
    return inet_pton(AF_INET, s.c_str(), out.data() + 12) == 1;
}

// A key given up by one row may already have been taken by another row of the same change set (two
// accounts swapping passkeys): it is erased only while it still names the row giving it up.
void erase_user_key(shm::UsersTable& table, const shm::Passkey& key, shm::UserId owner) {
    if (auto e = table.find(key); e && e->user_id == owner) table.erase(key);
}
void erase_torrent_key(shm::TorrentsTable& table, const shm::InfoHashKey& key, shm::TorrentId owner) {
    if (auto e = table.find(key); e && e->torrent_id == owner) table.erase(key);
}

}  // namespace

void ChangeSet::add(std::string_view p) {
    std::int64_t id = 0;
    if (p == "r") {
        rules = true;
    } else if (p.size() > 2 && p[1] == ':' && parse_id(p.substr(2), id)) {
        switch (p[0]) {
            case 'u': users.push_back(id); break;
            case 'g': groups.push_back(id); break;
            case 't': torrents.push_back(id); break;
            case 'k': token_users.push_back(id); break;
            default: everything = true;
        }
    } else {
        everything = true;
    }
}

TableLoader::TableLoader(shm::Segment& segment, SyncMetrics& metrics)
    : segment_(segment), metrics_(metrics), reasons_{"Torrent deleted"} {
    // Writers repair what a crashed predecessor left half-written before writing anything.
    segment_.users().repair();
    segment_.torrents().repair();
    segment_.tokens().repair();
}

std::string TableLoader::load_all(db::Connection& pg) try {
    load_users(pg, Scope::all, {});
    load_torrents(pg, Scope::all, {});
    load_tokens(pg, Scope::all, {});
    load_rules(pg);
    metrics_.full_loads.fetch_add(1, std::memory_order_relaxed);
    return {};
} catch (const db::Error& e) {
    return std::string("loading the tables: ") + e.what();
}

std::string TableLoader::apply(db::Connection& pg, ChangeSet c) try {
    if (c.everything) return load_all(pg);
    // Far more rows than one statement should name: one full pass costs less.
    constexpr std::size_t kFullPassAbove = 20000;
    auto dedupe = [](std::vector<std::int64_t>& v) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    };
    dedupe(c.users), dedupe(c.groups), dedupe(c.torrents), dedupe(c.token_users);
    if (!c.groups.empty()) load_users(pg, Scope::groups, c.groups);
    if (!c.users.empty()) load_users(pg, c.users.size() > kFullPassAbove ? Scope::all : Scope::ids, c.users);
    if (!c.torrents.empty()) load_torrents(pg, c.torrents.size() > kFullPassAbove ? Scope::all : Scope::ids, c.torrents);
    if (!c.token_users.empty())
        load_tokens(pg, c.token_users.size() > kFullPassAbove ? Scope::all : Scope::ids, c.token_users);
    if (c.rules || reasons_changed_) load_rules(pg);
    return {};
} catch (const db::Error& e) {
    return std::string("applying changes: ") + e.what();
}

void TableLoader::load_users(db::Connection& pg, Scope scope, const std::vector<std::int64_t>& ids) {
    std::string sql(kUsersSql);
    std::string arr = id_array(ids);
    if (scope == Scope::ids) sql += "WHERE u.tracker_id = ANY($1::integer[])";
    if (scope == Scope::groups) sql += "WHERE u.group_id = ANY($1::integer[])";
    auto r = scope == Scope::all ? pg.exec(sql) : pg.exec_params(sql, {arr});

    auto& table = segment_.users();
    std::unordered_map<shm::UserId, shm::Passkey> seen;
    seen.reserve(static_cast<std::size_t>(r.rows()));
    std::uint32_t full = 0;
    for (int i = 0, n = r.rows(); i < n; ++i) {
        const auto id = static_cast<shm::UserId>(u64(r, i, 0));
        shm::Passkey key{};
        auto pk = r.get(i, 1);
        std::memcpy(key.data(), pk.data(), std::min(pk.size(), key.size()));
        shm::UserEntry e{};
        e.user_id = id;
        if (r.get_bool(i, 2)) e.flags |= shm::kUserDisabled;
        if (r.get_bool(i, 3)) e.flags |= shm::kUserCanLeech;
        if (r.get_bool(i, 4)) e.flags |= shm::kUserGroupFreeleech;
        if (r.get_bool(i, 5)) e.flags |= shm::kUserDoubleUpload;
        if (r.get_bool(i, 6)) e.flags |= shm::kUserImmune;
        e.personal_freeleech_until = clamp32(u64(r, i, 7));
        e.upload_factor_pct = clamp16(u64(r, i, 8));
        e.download_factor_pct = clamp16(u64(r, i, 9));

        auto old = passkeys_.find(id);
        if (old != passkeys_.end() && old->second != key) erase_user_key(table, old->second, id);
        if (!table.upsert(key, e)) ++full;
        passkeys_[id] = key;
        seen.emplace(id, key);
    }
    metrics_.rows_published.fetch_add(seen.size(), std::memory_order_relaxed);

    if (scope == Scope::ids) {  // named but gone: the account was deleted
        for (auto id : ids) {
            auto uid = static_cast<shm::UserId>(id);
            if (seen.count(uid)) continue;
            if (auto it = passkeys_.find(uid); it != passkeys_.end()) {
                erase_user_key(table, it->second, uid);
                passkeys_.erase(it);
            }
        }
    } else if (scope == Scope::all) {
        std::unordered_set<shm::Passkey, PasskeyHash> live;
        live.reserve(seen.size());
        for (const auto& [id, key] : seen) live.insert(key);
        std::vector<shm::Passkey> stale;
        table.for_each([&](const shm::Passkey& k, const shm::UserEntry&) {
            if (!live.count(k)) stale.push_back(k);
        });
        for (const auto& k : stale) table.erase(k);
        passkeys_ = std::move(seen);
    }
    if (full) log::error("sync: users table full", {{"refused", std::to_string(full)}});
}

std::uint8_t TableLoader::reason_code(std::string_view reason) {
    if (reason.empty()) return 0;
    reason = reason.substr(0, shm::kReasonBytes - 1);
    for (std::size_t i = 1; i < reasons_.size(); ++i)
        if (reasons_[i] == reason) return static_cast<std::uint8_t>(i);
    if (reasons_.size() >= shm::kMaxDeleteReasons) return 0;  // the generic reason
    reasons_.emplace_back(reason);
    reasons_changed_ = true;
    return static_cast<std::uint8_t>(reasons_.size() - 1);
}

void TableLoader::load_torrents(db::Connection& pg, Scope scope, const std::vector<std::int64_t>& ids) {
    std::string sql(kTorrentsSql);
    std::string arr = id_array(ids);
    if (scope == Scope::ids) sql += " AND t.tracker_id = ANY($1::integer[])";
    auto r = scope == Scope::ids ? pg.exec_params(sql, {arr}) : pg.exec(sql);

    struct Row {
        TorrentKeys keys;
        shm::TorrentEntry entry;
    };
    std::vector<Row> rows;
    rows.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0, n = r.rows(); i < n; ++i) {
        Row row{};
        auto& keys = row.keys;
        std::array<std::uint8_t, 32> v2{};
        if (!bytes_into(r, i, 1, keys.v1.data(), keys.v1.size())) continue;  // the schema checks 20 bytes
        keys.has_v2 = bytes_into(r, i, 2, v2.data(), v2.size());
        if (keys.has_v2) std::memcpy(keys.v2.data(), v2.data(), keys.v2.size());  // BEP 52: truncated to 20

        auto& e = row.entry;
        e.torrent_id = static_cast<shm::TorrentId>(u64(r, i, 0));
        auto status = r.get(i, 3);
        if (r.get_bool(i, 4)) {
            e.state = shm::TorrentState::deleted;
            e.deleted_at = clamp32(u64(r, i, 5));
            e.reason_code = reason_code(r.get(i, 6));
        } else if (status == "approved") {
            e.state = shm::TorrentState::active;
        } else if (status == "rejected") {
            e.state = shm::TorrentState::rejected;
        } else {
            e.state = shm::TorrentState::pending;  // pending, postponed
        }
        e.freeleech_pct = static_cast<std::uint8_t>(std::min<std::uint64_t>(u64(r, i, 7), 100));
        e.freeleech_until = clamp32(u64(r, i, 8));
        e.upload_factor_pct = r.get_bool(i, 9) ? 200 : 100;
        rows.push_back(row);
    }
    // A deletion reason the rules do not hold yet is published before the torrent that names it.
    if (reasons_changed_) load_rules(pg);

    auto& table = segment_.torrents();
    std::unordered_map<shm::TorrentId, TorrentKeys> seen;
    std::uint32_t full = 0;
    for (const auto& [keys, e] : rows) {
        const auto id = e.torrent_id;
        if (auto old = torrent_keys_.find(id); old != torrent_keys_.end()) {
            if (old->second.v1 != keys.v1) erase_torrent_key(table, old->second.v1, id);
            if (old->second.has_v2 && (!keys.has_v2 || old->second.v2 != keys.v2))
                erase_torrent_key(table, old->second.v2, id);
        }
        if (!table.upsert(keys.v1, e)) ++full;
        if (keys.has_v2 && !table.upsert(keys.v2, e)) ++full;
        torrent_keys_[id] = keys;
        seen.emplace(id, keys);
    }
    metrics_.rows_published.fetch_add(seen.size(), std::memory_order_relaxed);

    auto drop = [&table](const TorrentKeys& k, shm::TorrentId id) {
        erase_torrent_key(table, k.v1, id);
        if (k.has_v2) erase_torrent_key(table, k.v2, id);
    };
    if (scope == Scope::ids) {  // named but gone: deleted for good, or deleted more than a day ago
        for (auto id : ids) {
            auto tid = static_cast<shm::TorrentId>(id);
            if (seen.count(tid)) continue;
            if (auto it = torrent_keys_.find(tid); it != torrent_keys_.end()) {
                drop(it->second, tid);
                torrent_keys_.erase(it);
            }
        }
    } else {
        std::unordered_set<shm::InfoHashKey, HashKeyHash> live;
        for (const auto& [id, k] : seen) {
            live.insert(k.v1);
            if (k.has_v2) live.insert(k.v2);
        }
        std::vector<shm::InfoHashKey> stale;
        table.for_each([&](const shm::InfoHashKey& k, const shm::TorrentEntry&) {
            if (!live.count(k)) stale.push_back(k);
        });
        for (const auto& k : stale) table.erase(k);
        torrent_keys_ = std::move(seen);
    }
    if (full) log::error("sync: torrents table full", {{"refused", std::to_string(full)}});
}

void TableLoader::load_tokens(db::Connection& pg, Scope scope, const std::vector<std::int64_t>& user_ids) {
    std::string sql(kTokensSql);
    std::string arr = id_array(user_ids);
    if (scope == Scope::ids) sql += " AND u.tracker_id = ANY($1::integer[])";
    auto r = scope == Scope::ids ? pg.exec_params(sql, {arr}) : pg.exec(sql);

    auto& table = segment_.tokens();
    std::unordered_map<shm::UserId, std::vector<shm::TorrentId>> seen;
    std::uint32_t full = 0;
    for (int i = 0, n = r.rows(); i < n; ++i) {
        shm::TokenKey key{static_cast<shm::UserId>(u64(r, i, 0)),
                          static_cast<shm::TorrentId>(u64(r, i, 1))};
        if (!table.upsert(key, shm::TokenEntry{clamp32(u64(r, i, 2))})) ++full;
        seen[key.user_id].push_back(key.torrent_id);
    }
    metrics_.rows_published.fetch_add(static_cast<std::uint64_t>(r.rows()), std::memory_order_relaxed);

    if (scope == Scope::ids) {
        for (auto id : user_ids) {
            auto uid = static_cast<shm::UserId>(id);
            auto& now = seen[uid];
            for (auto tid : tokens_[uid])
                if (std::find(now.begin(), now.end(), tid) == now.end()) table.erase(shm::TokenKey{uid, tid});
            if (now.empty()) tokens_.erase(uid);
            else tokens_[uid] = now;
        }
    } else {
        std::unordered_set<shm::TokenKey, TokenKeyHash, TokenKeyEq> live;
        for (const auto& [uid, tids] : seen)
            for (auto tid : tids) live.insert({uid, tid});
        std::vector<shm::TokenKey> stale;
        table.for_each([&](const shm::TokenKey& k, const shm::TokenEntry&) {
            if (!live.count(k)) stale.push_back(k);
        });
        for (const auto& k : stale) table.erase(k);
        tokens_ = std::move(seen);
    }
    if (full) log::error("sync: tokens table full", {{"refused", std::to_string(full)}});
}

void TableLoader::load_rules(db::Connection& pg) {
    auto rules = std::make_unique<shm::Rules>(shm::default_rules());

    auto settings = pg.exec(
        "SELECT key, value #>> '{}' FROM site_settings WHERE key IN ('site.global_freeleech', "
        "'site.global_double_upload', 'tracker.announce_interval', 'tracker.min_announce_interval', "
        "'tracker.max_peers_per_reply', 'tracker.peer_timeout')");
    for (int i = 0, n = settings.rows(); i < n; ++i) {
        auto key = settings.get(i, 0);
        auto value = settings.get(i, 1);
        std::uint64_t num = u64(settings, i, 1);
        if (key == "site.global_freeleech") rules->global_freeleech = value == "true";
        else if (key == "site.global_double_upload") rules->global_double_upload = value == "true";
        else if (key == "tracker.announce_interval" && num) rules->interval = clamp32(num);
        else if (key == "tracker.min_announce_interval") rules->min_interval = clamp32(num);
        else if (key == "tracker.max_peers_per_reply" && num) rules->numwant_max = clamp16(num);
        else if (key == "tracker.peer_timeout" && num) rules->peer_timeout = clamp32(num);
    }
    rules->numwant_default = std::min(rules->numwant_default, rules->numwant_max);

    // Only prefixes the dataplane can hold (up to 15 bytes); refused builds are not expressible
    // in an allow list and stay out of it.
    auto clients = pg.exec(
        "SELECT peer_id_prefix FROM client_allowlist WHERE is_allowed AND octet_length(peer_id_prefix) <= 15 "
        "ORDER BY peer_id_prefix");
    std::uint32_t nclients = 0;
    for (int i = 0, n = clients.rows(); i < n && nclients < shm::kMaxClientPrefixes; ++i) {
        auto hex = clients.get(i, 0);
        auto len = (hex.size() - 2) / 2;
        auto& c = rules->clients[nclients];
        if (!bytes_into(clients, i, 0, reinterpret_cast<std::uint8_t*>(c.bytes.data()), len)) continue;
        c.length = static_cast<std::uint8_t>(len);
        ++nclients;
    }
    rules->client_prefix_count = nclients;

    auto bans = pg.exec(
        "SELECT host(network(ip_range)), host(broadcast(ip_range)) FROM bans WHERE ban_type = 'ip' "
        "AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > now()) ORDER BY ip_range LIMIT 4096");
    std::uint32_t nbans = 0;
    for (int i = 0, n = bans.rows(); i < n; ++i) {
        auto& range = rules->banned[nbans];
        if (parse_ip(bans.get(i, 0), range.first) && parse_ip(bans.get(i, 1), range.last)) ++nbans;
    }
    rules->banned_range_count = nbans;

    for (std::size_t i = 0; i < reasons_.size(); ++i) {
        auto& dst = rules->delete_reasons[i];
        std::memset(dst.data(), 0, dst.size());
        std::memcpy(dst.data(), reasons_[i].data(), std::min(reasons_[i].size(), dst.size() - 1));
    }
    reasons_changed_ = false;
    segment_.rules().publish(*rules);
}

}  // namespace swarmline::control::sync
