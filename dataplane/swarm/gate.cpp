#include <algorithm>
#include <cstdio>
#include <cstring>
#include <tuple>

#include "swarm/engine.hpp"

namespace swarmline::swarm {
namespace {

// Failure reasons, answered verbatim to the client.
constexpr std::string_view kUnknownPasskey = "Unknown passkey";
constexpr std::string_view kDisabled = "Your account is disabled";
constexpr std::string_view kClientNotAllowed = "Your client is not on the allow list";
constexpr std::string_view kBannedIp = "Your IP address is banned";
constexpr std::string_view kBlockedPort = "Your port is blacklisted: use a port above 1024 that no other service uses";
constexpr std::string_view kUnregistered = "Unregistered torrent";
constexpr std::string_view kPending = "Torrent is pending moderation";
constexpr std::string_view kCannotLeech = "Your account may not download: seeding only";

bool below(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b) noexcept {
    return std::memcmp(a.data(), b.data(), 16) < 0;
}

// The ranges are sorted and disjoint (RulesBoard::publish): the only candidate is the last range
// starting at or below the address.
bool banned(const shm::Rules& r, const std::array<std::uint8_t, 16>& ip) noexcept {
    const shm::IpRange* first = r.banned.data();
    const shm::IpRange* last = first + r.banned_range_count;
    const shm::IpRange* it =
        std::upper_bound(first, last, ip, [](const auto& a, const shm::IpRange& x) { return below(a, x.first); });
    return it != first && !below((it - 1)->last, ip);
}

bool client_allowed(const shm::Rules& r, const proto::PeerId& id) noexcept {
    if (r.client_prefix_count == 0) return true;
    for (std::uint32_t i = 0; i < r.client_prefix_count; ++i) {
        const shm::ClientPrefix& p = r.clients[i];
        if (p.length > 0 && p.length <= p.bytes.size() && std::memcmp(id.data(), p.bytes.data(), p.length) == 0) return true;
    }
    return false;
}

std::uint32_t or100(std::uint16_t pct) noexcept { return pct == 0 ? 100 : pct; }

constexpr std::size_t kPasskeySize = std::tuple_size_v<shm::Passkey>;

}  // namespace

struct Gate::State {
    const shm::Segment* segment;
    GateConfig config;
    std::unique_ptr<shm::Rules> rules = std::make_unique<shm::Rules>();
    std::uint64_t version = ~std::uint64_t{0};
    Policy policy;
    // "Unregistered torrent: <reason>" for each reason code, built once per rules version.
    std::array<std::array<char, shm::kReasonBytes + 32>, shm::kMaxDeleteReasons> unregistered{};
    std::array<std::uint8_t, shm::kMaxDeleteReasons> unregistered_len{};

    void refresh() noexcept {
        if (segment->rules().version() == version) return;
        version = segment->rules().read(*rules);
        const shm::Rules& r = *rules;
        policy.interval = r.interval;
        policy.interval_jitter = r.interval_jitter;
        policy.min_interval = r.min_interval;
        policy.warning_interval = r.warning_interval;
        policy.peer_timeout = r.peer_timeout;
        policy.numwant_default = r.numwant_default;
        policy.numwant_max = std::min<std::uint16_t>(r.numwant_max, kMaxPeersPerReply);
        policy.max_locations = r.max_locations;
        policy.peer_list_budget = r.peer_list_budget;
        policy.peer_list_refill_per_hour = r.peer_list_refill_per_hour;
        if (config.open_mode) {
            policy.max_locations = 0;
            policy.peer_list_budget = 0;
        }
        for (std::size_t i = 0; i < shm::kMaxDeleteReasons; ++i) {
            const auto& reason = r.delete_reasons[i];
            const std::size_t len = strnlen(reason.data(), reason.size());
            const int n = len == 0 ? std::snprintf(unregistered[i].data(), unregistered[i].size(), "%s", kUnregistered.data())
                                   : std::snprintf(unregistered[i].data(), unregistered[i].size(), "%s: %.*s",
                                                   kUnregistered.data(), static_cast<int>(len), reason.data());
            unregistered_len[i] = static_cast<std::uint8_t>(std::clamp(n, 0, static_cast<int>(unregistered[i].size() - 1)));
        }
    }

    Admission fail(std::string_view why) const noexcept {
        Admission a;
        a.outcome = Outcome::failure;
        a.message = why;
        a.policy = policy;
        return a;
    }
};

Gate::Gate(const shm::Segment& segment, GateConfig config) : s_(std::make_unique<State>()) {
    s_->segment = &segment;
    s_->config = config;
    if (s_->config.shards == 0) s_->config.shards = segment.sizes().shards;
    s_->refresh();
}

Gate::~Gate() = default;

const shm::Rules& Gate::rules() noexcept {
    s_->refresh();
    return *s_->rules;
}

Admission Gate::admit(const proto::Announce& a, const proto::Endpoint& from, std::uint32_t now) noexcept {
    State& s = *s_;
    s.refresh();
    const shm::Rules& r = *s.rules;
    Admission ok;
    ok.outcome = Outcome::ok;
    ok.swarm = a.info_hash;
    ok.shard = shard_of(a.info_hash, s.config.shards);
    ok.policy = s.policy;

    const shm::UsersTable& users = s.segment->users();
    std::optional<shm::UserEntry> user;
    if (!s.config.open_mode) {
        shm::Passkey key{};
        if (a.passkey.size() != key.size()) return s.fail(kUnknownPasskey);
        std::memcpy(key.data(), a.passkey.data(), key.size());
        user = users.find(key);
        if (!user) return s.fail(kUnknownPasskey);
        if (user->flags & shm::kUserDisabled) return s.fail(kDisabled);
    }
    if (!client_allowed(r, a.peer_id)) return s.fail(kClientNotAllowed);
    if (banned(r, from.ip) || (a.has_ipv4 && banned(r, a.claimed_v4.ip)) || (a.has_ipv6 && banned(r, a.claimed_v6.ip))) {
        return s.fail(kBannedIp);
    }
    if (shm::port_blocked(r, a.port)) return s.fail(kBlockedPort);
    if (s.config.open_mode) return ok;

    const auto torrent = s.segment->torrents().find(a.info_hash);
    if (!torrent) return s.fail(kUnregistered);
    switch (torrent->state) {
        case shm::TorrentState::active:
            break;
        case shm::TorrentState::pending:
            ok.outcome = Outcome::warning;
            ok.message = kPending;
            ok.short_interval = true;
            break;
        case shm::TorrentState::deleted:
            if (now < std::uint64_t{torrent->deleted_at} + r.deleted_reason_ttl &&
                torrent->reason_code < shm::kMaxDeleteReasons) {
                return s.fail({s.unregistered[torrent->reason_code].data(), s.unregistered_len[torrent->reason_code]});
            }
            return s.fail(kUnregistered);
        default:
            return s.fail(kUnregistered);
    }
    ok.can_leech = (user->flags & shm::kUserCanLeech) != 0;
    if (a.left > 0 && !ok.can_leech) return s.fail(kCannotLeech);

    ok.user_id = user->user_id;
    ok.torrent_id = torrent->torrent_id;
    ok.swarm = swarm_key_of(torrent->torrent_id);
    ok.shard = shard_of(ok.swarm, s.config.shards);
    if (user->flags & shm::kUserImmune) {
        ok.policy.max_locations = 0;
    } else if (user->max_locations != 0) {
        ok.policy.max_locations = user->max_locations;
    }

    // Credited download: nothing under any freeleech, else what the torrent's percentage leaves,
    // times the group's factor. Credited upload: the torrent's factor (200 = double), doubled again
    // by a global or group double upload, times the group's factor. Neutral counts neither.
    const bool neutral = torrent->neutral != 0;
    bool free = neutral || r.global_freeleech || (user->flags & shm::kUserGroupFreeleech) ||
                now < user->personal_freeleech_until;
    if (!free && s.segment->tokens().size() != 0) {
        const auto token = s.segment->tokens().find(shm::TokenKey{user->user_id, torrent->torrent_id});
        free = token && now < token->expires_at;
    }
    std::uint32_t down = 0;
    if (!free) {
        const bool fl_active = torrent->freeleech_pct > 0 && (torrent->freeleech_until == 0 || now < torrent->freeleech_until);
        down = 100 - (fl_active ? std::min<std::uint32_t>(torrent->freeleech_pct, 100) : 0);
        down = down * or100(user->download_factor_pct) / 100;
    }
    std::uint32_t up = 0;
    if (!neutral) {
        up = or100(torrent->upload_factor_pct);
        if (r.global_double_upload || (user->flags & shm::kUserDoubleUpload)) up *= 2;
        up = up * or100(user->upload_factor_pct) / 100;
    }
    ok.download_pct = static_cast<std::uint16_t>(std::min<std::uint32_t>(down, 0xffff));
    ok.upload_pct = static_cast<std::uint16_t>(std::min<std::uint32_t>(up, 0xffff));
    return ok;
}

void Gate::prefetch(const proto::Announce& a) const noexcept {
    const State& s = *s_;
    if (!s.config.open_mode && a.passkey.size() == kPasskeySize) {
        shm::Passkey key;
        std::memcpy(key.data(), a.passkey.data(), key.size());
        s.segment->users().prefetch(key);
    }
    if (!s.config.open_mode) s.segment->torrents().prefetch(a.info_hash);
}

Admission Gate::admit_scrape(const proto::Scrape& sc, const proto::Endpoint& from, std::uint32_t) noexcept {
    State& s = *s_;
    s.refresh();
    if (banned(*s.rules, from.ip)) return s.fail(kBannedIp);
    Admission ok;
    ok.outcome = Outcome::ok;
    ok.policy = s.policy;
    if (s.config.open_mode) return ok;
    shm::Passkey key{};
    if (sc.passkey.size() != key.size()) return s.fail(kUnknownPasskey);
    std::memcpy(key.data(), sc.passkey.data(), key.size());
    const auto user = s.segment->users().find(key);
    if (!user) return s.fail(kUnknownPasskey);
    if (user->flags & shm::kUserDisabled) return s.fail(kDisabled);
    ok.user_id = user->user_id;
    return ok;
}

}  // namespace swarmline::swarm
