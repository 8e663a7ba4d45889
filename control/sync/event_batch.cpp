#include "sync/event_batch.hpp"

#include <algorithm>
#include <cstring>

#include "proto/types.hpp"

namespace swarmline::control::sync {

std::size_t EventBatch::PeerKeyHash::operator()(const PeerKey& k) const noexcept {
    std::uint64_t p0 = 0, p1 = 0;
    std::memcpy(&p0, k.peer_id.data() + 4, 8);  // the first bytes name the client: little entropy
    std::memcpy(&p1, k.peer_id.data() + 12, 8);
    std::uint64_t h = (std::uint64_t{k.torrent_id} << 32 | k.user_id) * 0x9e3779b97f4a7c15ULL;
    h ^= p0 + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= p1 + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return static_cast<std::size_t>(h);
}

void EventBatch::add(std::span<const shm::EventRecord> records) {
    for (const auto& r : records) {
        ++events_;
        if (oldest_time_ == 0 || r.time < oldest_time_) oldest_time_ = r.time;

        auto& u = users_[r.user_id];
        u.user_id = r.user_id;
        u.uploaded_raw += r.uploaded_delta;
        u.downloaded_raw += r.downloaded_delta;
        u.uploaded += r.uploaded_credited;
        u.downloaded += r.downloaded_credited;
        u.seedtime += r.seedtime_delta;

        auto& t = torrents_[r.torrent_id];
        t.torrent_id = r.torrent_id;
        t.uploaded_raw += r.uploaded_delta;
        t.downloaded_raw += r.downloaded_delta;
        ++t.announces;
        const bool completed = r.event == static_cast<std::uint8_t>(proto::Event::completed);
        if (completed) ++t.completed;
        t.last_time = std::max(t.last_time, r.time);
        if (r.flags & shm::kEventFirstCompletion) {
            ++t.snatches;
            snatches_.push_back({r.user_id, r.torrent_id, r.time});
        }

        auto& p = peers_[PeerKey{r.torrent_id, r.user_id, r.peer_id}];
        if (p.first_time == 0) {
            p.torrent_id = r.torrent_id;
            p.user_id = r.user_id;
            p.peer_id = r.peer_id;
            p.first_time = r.time;
        }
        p.ip = r.ip;
        p.port = r.port;
        p.seeder = (r.flags & shm::kEventSeeder) != 0;
        p.removed = (r.flags & shm::kEventPeerRemoved) != 0;
        p.uploaded_total = r.uploaded_total;
        p.downloaded_total = r.downloaded_total;
        p.left = r.left;
        p.uploaded_delta += r.uploaded_delta;
        p.downloaded_delta += r.downloaded_delta;
        p.uploaded_credited += r.uploaded_credited;
        p.downloaded_credited += r.downloaded_credited;
        p.seedtime += r.seedtime_delta;
        ++p.announces;
        p.last_time = r.time;
        if (completed) p.completed_time = r.time;
    }
}

void EventBatch::add_accumulated(const shm::AccumulatorEntry& d, std::uint32_t now) {
    auto& u = users_[d.user_id];
    u.user_id = d.user_id;
    u.uploaded_raw += d.uploaded_raw;
    u.downloaded_raw += d.downloaded_raw;
    u.uploaded += d.uploaded_credited;
    u.downloaded += d.downloaded_credited;
    u.seedtime += d.seedtime;

    auto& t = torrents_[d.torrent_id];
    t.torrent_id = d.torrent_id;
    t.uploaded_raw += d.uploaded_raw;
    t.downloaded_raw += d.downloaded_raw;
    t.announces += d.announces;
    t.snatches += d.completions;
    t.last_time = std::max(t.last_time, now);
    if (d.completions) snatches_.push_back({d.user_id, d.torrent_id, now});
}

void EventBatch::clear() {
    users_.clear();
    peers_.clear();
    torrents_.clear();
    snatches_.clear();
    events_ = 0;
    oldest_time_ = 0;
}

std::vector<UserDelta> EventBatch::users() const {
    std::vector<UserDelta> out;
    out.reserve(users_.size());
    for (const auto& [id, u] : users_) out.push_back(u);
    return out;
}

std::vector<PeerState> EventBatch::peers() const {
    std::vector<PeerState> out;
    out.reserve(peers_.size());
    for (const auto& [k, p] : peers_) out.push_back(p);
    return out;
}

std::vector<PairDelta> EventBatch::pairs() const {
    std::unordered_map<std::uint64_t, PairDelta> by_pair;
    by_pair.reserve(peers_.size());
    auto at = [&](shm::UserId u, shm::TorrentId t) -> PairDelta& {
        auto& d = by_pair[std::uint64_t{u} << 32 | t];
        d.user_id = u;
        d.torrent_id = t;
        return d;
    };
    for (const auto& [k, p] : peers_) {
        auto& d = at(p.user_id, p.torrent_id);
        d.uploaded += p.uploaded_delta;
        d.downloaded += p.downloaded_delta;
        d.uploaded_credited += p.uploaded_credited;
        d.downloaded_credited += p.downloaded_credited;
        d.seedtime += p.seedtime;
        if (!d.has_ip || p.first_time < d.first_time) d.first_time = p.first_time;
        if (!d.has_ip || p.last_time >= d.last_time) {
            d.last_time = p.last_time;
            d.ip = p.ip;
        }
        d.has_ip = true;
    }
    for (const auto& s : snatches_) {
        auto& d = at(s.user_id, s.torrent_id);
        if (d.has_ip) continue;  // its peers' times stand
        d.first_time = d.last_time = std::max(d.last_time, s.time);
    }
    std::vector<PairDelta> out;
    out.reserve(by_pair.size());
    for (const auto& [key, d] : by_pair) out.push_back(d);
    return out;
}

std::vector<TorrentDelta> EventBatch::torrents() const {
    std::vector<TorrentDelta> out;
    out.reserve(torrents_.size());
    for (const auto& [id, t] : torrents_) out.push_back(t);
    return out;
}

}  // namespace swarmline::control::sync
