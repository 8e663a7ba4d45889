// Shared set-up of the shm/swarm tests: a segment in a private directory, users and torrents,
// announces built field by field.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "proto/types.hpp"
#include "shm/segment.hpp"
#include "swarm/engine.hpp"

namespace swarmline::test {

inline shm::SegmentSizes small_sizes(std::uint32_t shards = 2) {
    shm::SegmentSizes s{};
    s.shards = shards;
    s.peers_per_shard = 4096;
    s.v6_peers_per_shard = 1024;
    s.torrents_per_shard = 512;
    s.users = 256;
    s.torrents = 256;
    s.tokens = 256;
    s.event_ring = 1024;
    s.accumulator = 64;
    return s;
}

// A directory of its own under /dev/shm, removed at the end: tests run in parallel.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/dev/shm/swarmline-test-XXXXXX";
        const char* made = mkdtemp(tmpl);
        path_ = made != nullptr ? made : "";
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    std::string path_;
};

inline shm::SegmentLocation location_in(const TempDir& dir) {
    shm::SegmentLocation where;
    where.name = "segment";
    where.shm_dir = dir.path();
    return where;
}

inline proto::InfoHash hash_of(std::uint32_t n) {
    proto::InfoHash h{};
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>((n * 2654435761u) >> ((i % 4) * 8)) ^ static_cast<std::uint8_t>(i);
    std::memcpy(h.data() + 16, &n, 4);
    return h;
}

inline proto::PeerId peer_id_of(std::uint32_t n, const char* client = "-qB4630-") {
    proto::PeerId id{};
    std::memcpy(id.data(), client, 8);
    std::memcpy(id.data() + 8, &n, 4);
    return id;
}

inline shm::Passkey passkey_of(std::uint32_t n) {
    shm::Passkey k{};
    const std::string s = std::string(24, 'k') + std::to_string(10000000 + n);
    std::memcpy(k.data(), s.data(), k.size());
    return k;
}

inline proto::Endpoint v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
    return proto::Endpoint::from_v4(static_cast<std::uint32_t>(a) | (static_cast<std::uint32_t>(b) << 8) |
                                        (static_cast<std::uint32_t>(c) << 16) | (static_cast<std::uint32_t>(d) << 24),
                                    port);
}

inline proto::Endpoint v6(std::uint16_t last, std::uint16_t port) {
    proto::Endpoint e;
    e.ip[0] = 0x20;
    e.ip[1] = 0x01;
    e.ip[2] = 0x0d;
    e.ip[3] = 0xb8;
    e.ip[14] = static_cast<std::uint8_t>(last >> 8);
    e.ip[15] = static_cast<std::uint8_t>(last);
    e.port = port;
    return e;
}

// An announce whose passkey views storage owned by the builder.
struct AnnounceBuilder {
    shm::Passkey key{};
    proto::Announce a;

    AnnounceBuilder(std::uint32_t user, const proto::InfoHash& h, const proto::PeerId& id, std::uint64_t left,
                    std::uint16_t port = 51413) {
        key = passkey_of(user);
        a.info_hash = h;
        a.peer_id = id;
        a.left = left;
        a.port = port;
        a.passkey = std::string_view(key.data(), key.size());
    }
    AnnounceBuilder& event(proto::Event e) {
        a.event = e;
        return *this;
    }
    AnnounceBuilder& counters(std::uint64_t up, std::uint64_t down) {
        a.uploaded = up;
        a.downloaded = down;
        return *this;
    }
    AnnounceBuilder& numwant(std::int32_t n) {
        a.numwant = n;
        return *this;
    }
    AnnounceBuilder& key_param(std::uint32_t k) {
        a.key = k;
        a.has_key = true;
        return *this;
    }
    AnnounceBuilder& left(std::uint64_t l) {
        a.left = l;
        return *this;
    }
};

// Reply buffers of the largest size.
struct Output {
    std::array<std::uint8_t, 6 * swarm::kMaxPeersPerReply> b4{};
    std::array<std::uint8_t, 18 * swarm::kMaxPeersPerReply> b6{};
    std::array<std::uint8_t, 20 * swarm::kMaxPeersPerReply> ids4{};
    std::array<std::uint8_t, 20 * swarm::kMaxPeersPerReply> ids6{};
    swarm::PeerOutput out;
    Output() {
        out.v4 = b4.data();
        out.v4_capacity = swarm::kMaxPeersPerReply;
        out.v6 = b6.data();
        out.v6_capacity = swarm::kMaxPeersPerReply;
        out.peer_ids4 = ids4.data();
        out.peer_ids6 = ids6.data();
    }
};

// A segment with users and torrents, a Gate and one Shard per shard.
class EngineTest : public ::testing::Test {
protected:
    void SetUp() override { open(small_sizes()); }

    void open(const shm::SegmentSizes& sizes) {
        auto opened = shm::Segment::open(location_in(dir_), sizes, shm::OpenMode::recreate);
        ASSERT_TRUE(opened.segment) << opened.error;
        seg_ = std::move(opened.segment);
        gate_ = std::make_unique<swarm::Gate>(*seg_, swarm::GateConfig{false, sizes.shards});
        shards_.clear();
        for (std::uint32_t i = 0; i < sizes.shards; ++i) shards_.push_back(std::make_unique<swarm::Shard>(*seg_, i, 42 + i));
    }

    void add_user(std::uint32_t n, std::uint32_t flags = shm::kUserCanLeech) {
        shm::UserEntry u{};
        u.user_id = n;
        u.flags = flags;
        ASSERT_TRUE(seg_->users().upsert(passkey_of(n), u));
    }
    void add_torrent(std::uint32_t n, shm::TorrentState state = shm::TorrentState::active) {
        shm::TorrentEntry t{};
        t.torrent_id = n;
        t.state = state;
        ASSERT_TRUE(seg_->torrents().upsert(hash_of(n), t));
    }

    // The Gate, then the owning Shard, as a worker does.
    swarm::AnnounceResult announce(const AnnounceBuilder& b, const proto::Endpoint& from, std::uint32_t now, Output& o) {
        const swarm::Admission adm = gate_->admit(b.a, from, now);
        if (adm.outcome == swarm::Outcome::failure) {
            swarm::AnnounceResult r;
            r.outcome = adm.outcome;
            r.message = adm.message;
            return r;
        }
        return shards_[adm.shard]->announce(adm, b.a, from, now, o.out);
    }
    swarm::AnnounceResult announce(const AnnounceBuilder& b, const proto::Endpoint& from, std::uint32_t now) {
        Output o;
        return announce(b, from, now, o);
    }

    TempDir dir_;
    std::unique_ptr<shm::Segment> seg_;
    std::unique_ptr<swarm::Gate> gate_;
    std::vector<std::unique_ptr<swarm::Shard>> shards_;
};

}  // namespace swarmline::test
