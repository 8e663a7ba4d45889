// A dataplane killed with SIGKILL leaves its swarms in the segment; the next one attaches and
// finds every peer and count.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.hpp"

namespace swarmline::test {
namespace {

constexpr std::uint32_t kTorrents = 50;
constexpr std::uint32_t kPeersPerTorrent = 20;
constexpr std::uint32_t kT0 = 1'000'000;

void add_immune_user_and_torrents(shm::Segment& seg) {
    shm::UserEntry u{};
    u.user_id = 1;
    u.flags = shm::kUserCanLeech | shm::kUserImmune;
    seg.users().upsert(passkey_of(1), u);
    for (std::uint32_t t = 1; t <= kTorrents; ++t) {
        shm::TorrentEntry e{};
        e.torrent_id = t;
        seg.torrents().upsert(hash_of(t), e);
    }
}

// The child: fills the swarms, says so on `ready_fd`, then re-announces the same peers (which
// changes no count) until it is killed, so the kill lands in the middle of an update.
[[noreturn]] void child(const TempDir& dir, int ready_fd) {
    auto opened = shm::Segment::open(location_in(dir), small_sizes(1), shm::OpenMode::attach_or_create);
    if (!opened.segment) _exit(2);
    shm::Segment& seg = *opened.segment;
    add_immune_user_and_torrents(seg);
    swarm::Gate gate(seg, swarm::GateConfig{false, 1});
    swarm::Shard shard(seg, 0, 7);
    Output o;
    auto announce_all = [&](std::uint32_t now) {
        for (std::uint32_t t = 1; t <= kTorrents; ++t) {
            for (std::uint32_t p = 0; p < kPeersPerTorrent; ++p) {
                AnnounceBuilder b(1, hash_of(t), peer_id_of(t * 1000 + p), p % 4 == 0 ? 0 : 100);
                const auto from = v4(10, static_cast<std::uint8_t>(t), 0, static_cast<std::uint8_t>(p), 51413);
                const auto adm = gate.admit(b.a, from, now);
                if (adm.outcome == swarm::Outcome::failure) _exit(3);
                shard.announce(adm, b.a, from, now, o.out);
            }
        }
    };
    announce_all(kT0);
    const char ok = 'r';
    if (write(ready_fd, &ok, 1) != 1) _exit(4);
    for (std::uint32_t round = 1;; ++round) {
        // Seeders stay seeders and leechers leechers: only counters and times move.
        announce_all(kT0 + round * 600);
        shard.reap(kT0, 64);  // nothing is stale at kT0: walks the table without removing
    }
}

TEST(Restart, PeersAndCountsSurviveSigkill) {
    TempDir dir;
    {
        auto fresh = shm::Segment::open(location_in(dir), small_sizes(1), shm::OpenMode::recreate);
        ASSERT_TRUE(fresh.segment) << fresh.error;
    }
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        child(dir, fds[1]);
    }
    close(fds[1]);
    char c = 0;
    ASSERT_EQ(read(fds[0], &c, 1), 1);  // the swarms are filled
    close(fds[0]);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));

    auto opened = shm::Segment::open(location_in(dir), small_sizes(1), shm::OpenMode::attach_or_create);
    ASSERT_TRUE(opened.segment) << opened.error;
    EXPECT_FALSE(opened.segment->created());
    shm::Segment& seg = *opened.segment;
    const std::uint64_t published = seg.event_ring(0).published();
    EXPECT_GE(published, kTorrents * kPeersPerTorrent);

    swarm::Gate gate(seg, swarm::GateConfig{false, 1});
    swarm::Shard shard(seg, 0, 8);  // rebuilds its indexes from the segment
    for (std::uint32_t t = 1; t <= kTorrents; ++t) {
        const auto c2 = swarm::scrape_counts(seg, hash_of(t), false);
        EXPECT_EQ(c2.complete, kPeersPerTorrent / 4) << "torrent " << t;
        EXPECT_EQ(c2.incomplete, kPeersPerTorrent - kPeersPerTorrent / 4) << "torrent " << t;
    }
    // The peers are known: a leecher asking for everyone gets all the others, and a peer that
    // announces again is an update (no new-peer event), not a second record.
    seg.event_ring(0).release_through(published);  // what control does once it has committed them
    Output o;
    AnnounceBuilder b(1, hash_of(3), peer_id_of(3 * 1000 + 1), 100);
    b.numwant(200);
    const auto from = v4(10, 3, 0, 1, 51413);
    const auto r = shard.announce(gate.admit(b.a, from, kT0 + 100000), b.a, from, kT0 + 100000, o.out);
    EXPECT_EQ(r.n4, kPeersPerTorrent - 1);
    EXPECT_EQ(r.complete + r.incomplete, kPeersPerTorrent);
    shm::EventRing ring = seg.event_ring(0);
    EXPECT_EQ(ring.published(), published + 1);  // seq goes on where the killed process stopped
    shm::EventRecord last{};
    ASSERT_EQ(ring.peek(&last, 1), 1u);
    EXPECT_EQ(last.seq, published + 1);
    EXPECT_FALSE(last.flags & shm::kEventNewPeer);
}

}  // namespace
}  // namespace swarmline::test
