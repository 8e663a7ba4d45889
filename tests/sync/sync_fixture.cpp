#include "sync_fixture.hpp"

#include <unistd.h>

#include <cstring>
#include <ctime>

namespace swarmline::control::sync::testing {

TestSegment::TestSegment(std::uint32_t shards, std::uint32_t event_ring) {
    char tmpl[] = "/tmp/swarmline-sync-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto sizes = shm::Segment::default_sizes(shards, 4096);
    sizes.event_ring = event_ring;
    shm::SegmentLocation where;
    where.shm_dir = dir_.string();
    auto opened = shm::Segment::open(where, sizes, shm::OpenMode::attach_or_create);
    if (!opened.segment) throw std::runtime_error("segment: " + opened.error);
    segment_ = std::move(opened.segment);
}

TestSegment::~TestSegment() {
    segment_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

SeededUser seed_user(db::Connection& conn, const std::string& name) {
    std::string passkey = name;
    passkey.resize(32, 'x');
    std::string rss = passkey;
    rss[31] = 'r';
    auto r = conn.exec_params(
        "INSERT INTO users (username, email, password_hash, passkey, rss_key, group_id, status) "
        "VALUES ($1, $1 || '@example.org', 'x', $2, $3, (SELECT id FROM user_groups WHERE is_default), 'active') "
        "RETURNING tracker_id",
        {name, passkey, rss});
    return {static_cast<std::uint32_t>(r.get_int64(0, 0)), passkey};
}

SeededTorrent seed_torrent(db::Connection& conn, const std::string& name) {
    SeededTorrent t{};
    for (std::size_t i = 0; i < t.info_hash.size(); ++i)
        t.info_hash[i] = static_cast<std::uint8_t>(name[i % name.size()] + i);
    auto r = conn.exec_params(
        "INSERT INTO torrents (info_hash, name, category_id, size, status, moderated_at) "
        "VALUES ($1, $2, (SELECT min(id) FROM torrent_categories), 1000000, 'approved', now()) RETURNING tracker_id",
        {db::Param::bytea(t.info_hash), name});
    t.tracker_id = static_cast<std::uint32_t>(r.get_int64(0, 0));
    return t;
}

UserTotals user_totals(db::Connection& conn, std::uint32_t tracker_id) {
    auto r = conn.exec_params(
        "SELECT s.uploaded, s.downloaded, s.uploaded_adjusted, s.downloaded_adjusted FROM user_statistics s "
        "JOIN users u ON u.id = s.user_id WHERE u.tracker_id = $1",
        {static_cast<std::int64_t>(tracker_id)});
    return {r.get_int64(0, 0), r.get_int64(0, 1), r.get_int64(0, 2), r.get_int64(0, 3)};
}

Announcer::Announcer(shm::Segment& segment)
    : segment_(segment), now_(static_cast<std::uint32_t>(std::time(nullptr))) {
    const auto n = segment.sizes().shards;
    gate_ = std::make_unique<swarm::Gate>(segment, swarm::GateConfig{false, n});
    for (std::uint32_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<swarm::Shard>(segment, i, 42 + i));
}

Announcer::~Announcer() = default;

proto::Announce Announcer::make(const SeededUser& user, const SeededTorrent& torrent, std::uint8_t peer) const {
    proto::Announce a;
    a.info_hash = torrent.info_hash;
    std::memcpy(a.peer_id.data(), "-qB4500-", 8);
    std::memset(a.peer_id.data() + 8, peer, 12);
    a.port = 51413;
    a.passkey = user.passkey;
    return a;
}

swarm::Admission Announcer::admit(const SeededUser& user, const SeededTorrent& torrent) {
    auto a = make(user, torrent, 1);
    proto::Endpoint from;
    from.ip = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    return gate_->admit(a, from, now_);
}

swarm::Outcome Announcer::announce(const SeededUser& user, const SeededTorrent& torrent, std::uint8_t peer,
                                   std::uint64_t uploaded, std::uint64_t downloaded, std::uint64_t left,
                                   proto::Event event) {
    auto a = make(user, torrent, peer);
    a.uploaded = uploaded;
    a.downloaded = downloaded;
    a.left = left;
    a.event = event;
    proto::Endpoint from;
    from.ip = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, peer};
    from.port = a.port;
    now_ += 1000;  // past the minimum interval (900 s), within the peer timeout (3600 s)
    auto adm = gate_->admit(a, from, now_);
    if (adm.outcome == swarm::Outcome::failure) return adm.outcome;
    std::array<std::uint8_t, 6 * swarm::kMaxPeersPerReply> v4{};
    swarm::PeerOutput out;
    out.v4 = v4.data();
    out.v4_capacity = swarm::kMaxPeersPerReply;
    return shards_[adm.shard]->announce(adm, a, from, now_, out).outcome;
}

}  // namespace swarmline::control::sync::testing
