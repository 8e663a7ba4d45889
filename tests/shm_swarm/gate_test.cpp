// The private-tracker rules checked before a swarm is touched.
#include <gtest/gtest.h>

#include <cstring>

#include "fixture.hpp"

namespace swarmline::test {
namespace {

using swarm::Outcome;

class GateTest : public EngineTest {
protected:
    void SetUp() override {
        EngineTest::SetUp();
        add_user(1);
        add_torrent(1);
    }
    swarm::Admission admit(const AnnounceBuilder& b, const proto::Endpoint& from = v4(192, 0, 2, 1, 51413),
                           std::uint32_t now = 1'000'000) {
        return gate_->admit(b.a, from, now);
    }
    void publish(const std::function<void(shm::Rules&)>& edit) {
        auto r = std::make_unique<shm::Rules>(shm::default_rules());
        edit(*r);
        seg_->rules().publish(*r);
    }
};

TEST_F(GateTest, AdmitsAKnownUserOnARegisteredTorrent) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    const auto adm = admit(b);
    EXPECT_EQ(adm.outcome, Outcome::ok) << adm.message;
    EXPECT_EQ(adm.user_id, 1u);
    EXPECT_EQ(adm.torrent_id, 1u);
    EXPECT_EQ(adm.swarm, swarm::swarm_key_of(1));
    EXPECT_EQ(adm.shard, swarm::shard_of(adm.swarm, 2));
    EXPECT_EQ(adm.download_pct, 100);
    EXPECT_EQ(adm.upload_pct, 100);
    EXPECT_EQ(adm.policy.max_locations, 3);
}

TEST_F(GateTest, UnknownPasskey) {
    AnnounceBuilder b(2, hash_of(1), peer_id_of(1), 100);
    EXPECT_EQ(admit(b).message, "Unknown passkey");
    b.a.passkey = "short";
    EXPECT_EQ(admit(b).outcome, Outcome::failure);
    b.a.passkey = {};
    EXPECT_EQ(admit(b).message, "Unknown passkey");
}

TEST_F(GateTest, DisabledUser) {
    add_user(2, shm::kUserCanLeech | shm::kUserDisabled);
    AnnounceBuilder b(2, hash_of(1), peer_id_of(1), 100);
    const auto adm = admit(b);
    EXPECT_EQ(adm.outcome, Outcome::failure);
    EXPECT_EQ(adm.message, "Your account is disabled");
}

TEST_F(GateTest, UnregisteredRejectedAndDeletedTorrents) {
    AnnounceBuilder b(1, hash_of(50), peer_id_of(1), 100);
    EXPECT_EQ(admit(b).message, "Unregistered torrent");
    add_torrent(2, shm::TorrentState::rejected);
    b.a.info_hash = hash_of(2);
    EXPECT_EQ(admit(b).message, "Unregistered torrent");

    publish([](shm::Rules& r) { std::strcpy(r.delete_reasons[4].data(), "Dupe of a better release"); });
    shm::TorrentEntry t{};
    t.torrent_id = 3;
    t.state = shm::TorrentState::deleted;
    t.reason_code = 4;
    t.deleted_at = 1'000'000;
    ASSERT_TRUE(seg_->torrents().upsert(hash_of(3), t));
    b.a.info_hash = hash_of(3);
    auto adm = admit(b, v4(192, 0, 2, 1, 51413), 1'000'000 + 3600);
    EXPECT_EQ(adm.outcome, Outcome::failure);
    EXPECT_EQ(adm.message, "Unregistered torrent: Dupe of a better release");
    adm = admit(b, v4(192, 0, 2, 1, 51413), 1'000'000 + 86400 + 1);  // after a day: no reason any more
    EXPECT_EQ(adm.message, "Unregistered torrent");
}

TEST_F(GateTest, PendingTorrentIsAWarningWithAShortInterval) {
    add_torrent(2, shm::TorrentState::pending);
    AnnounceBuilder b(1, hash_of(2), peer_id_of(1), 100);
    const auto adm = admit(b);
    EXPECT_EQ(adm.outcome, Outcome::warning);
    EXPECT_EQ(adm.message, "Torrent is pending moderation");
    const auto res = announce(b, v4(192, 0, 2, 1, 51413), 1'000'000);
    EXPECT_EQ(res.outcome, Outcome::warning);
    EXPECT_EQ(res.interval, shm::default_rules().warning_interval);
    EXPECT_EQ(res.incomplete, 1u);  // tracked all the same
}

TEST_F(GateTest, ClientAllowList) {
    publish([](shm::Rules& r) {
        r.clients[0].length = 4;
        std::memcpy(r.clients[0].bytes.data(), "-qB4", 4);
        r.clients[1].length = 3;
        std::memcpy(r.clients[1].bytes.data(), "-TR", 3);
        r.client_prefix_count = 2;
    });
    EXPECT_EQ(admit(AnnounceBuilder(1, hash_of(1), peer_id_of(1, "-qB4630-"), 100)).outcome, Outcome::ok);
    EXPECT_EQ(admit(AnnounceBuilder(1, hash_of(1), peer_id_of(1, "-TR3000-"), 100)).outcome, Outcome::ok);
    const auto adm = admit(AnnounceBuilder(1, hash_of(1), peer_id_of(1, "-XX0001-"), 100));
    EXPECT_EQ(adm.outcome, Outcome::failure);
    EXPECT_EQ(adm.message, "Your client is not on the allow list");
}

TEST_F(GateTest, BannedRangesV4AndV6) {
    publish([](shm::Rules& r) {
        r.banned[0].first = v4(198, 51, 100, 0, 0).ip;
        r.banned[0].last = v4(198, 51, 100, 255, 0).ip;
        r.banned[1].first = v6(0x0000, 0).ip;
        r.banned[1].last = v6(0x00ff, 0).ip;
        r.banned_range_count = 2;
    });
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    EXPECT_EQ(admit(b, v4(198, 51, 100, 7, 51413)).message, "Your IP address is banned");
    EXPECT_EQ(admit(b, v4(198, 51, 101, 7, 51413)).outcome, Outcome::ok);
    EXPECT_EQ(admit(b, v4(198, 51, 99, 255, 51413)).outcome, Outcome::ok);
    EXPECT_EQ(admit(b, v6(0x0042, 51413)).message, "Your IP address is banned");
    EXPECT_EQ(admit(b, v6(0x0100, 51413)).outcome, Outcome::ok);
    // A claimed address in a banned range is refused too.
    b.a.has_ipv4 = true;
    b.a.claimed_v4 = v4(198, 51, 100, 9, 51413);
    EXPECT_EQ(admit(b, v6(0x0100, 51413)).outcome, Outcome::failure);
}

TEST_F(GateTest, BlacklistedPorts) {
    for (std::uint16_t port : {0, 80, 1023, 1214, 4662, 6346, 6699}) {
        AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100, port);
        const auto adm = admit(b);
        EXPECT_EQ(adm.outcome, Outcome::failure) << port;
        EXPECT_NE(adm.message.find("port"), std::string_view::npos);
    }
    for (std::uint16_t port : {1024, 6881, 51413, 65535}) {
        EXPECT_EQ(admit(AnnounceBuilder(1, hash_of(1), peer_id_of(1), 100, port)).outcome, Outcome::ok) << port;
    }
}

TEST_F(GateTest, SeedOnlyUserMayNotLeechButMaySeed) {
    add_user(2, 0);
    EXPECT_EQ(admit(AnnounceBuilder(2, hash_of(1), peer_id_of(1), 100)).message,
              "Your account may not download: seeding only");
    EXPECT_EQ(admit(AnnounceBuilder(2, hash_of(1), peer_id_of(1), 0)).outcome, Outcome::ok);
}

TEST_F(GateTest, CreditedFactors) {
    AnnounceBuilder b(1, hash_of(1), peer_id_of(1), 100);
    shm::TorrentEntry t{};
    t.torrent_id = 1;
    t.freeleech_pct = 25;
    ASSERT_TRUE(seg_->torrents().upsert(hash_of(1), t));
    EXPECT_EQ(admit(b).download_pct, 75);
    t.freeleech_until = 1'000'000 - 1;  // expired
    ASSERT_TRUE(seg_->torrents().upsert(hash_of(1), t));
    EXPECT_EQ(admit(b).download_pct, 100);
    t = {};
    t.torrent_id = 1;
    t.upload_factor_pct = 200;
    ASSERT_TRUE(seg_->torrents().upsert(hash_of(1), t));
    EXPECT_EQ(admit(b).upload_pct, 200);

    t = {};
    t.torrent_id = 1;
    t.neutral = 1;
    ASSERT_TRUE(seg_->torrents().upsert(hash_of(1), t));
    auto adm = admit(b);
    EXPECT_EQ(adm.download_pct, 0);
    EXPECT_EQ(adm.upload_pct, 0);

    t = {};
    t.torrent_id = 1;
    ASSERT_TRUE(seg_->torrents().upsert(hash_of(1), t));
    add_user(1, shm::kUserCanLeech | shm::kUserGroupFreeleech | shm::kUserDoubleUpload);
    adm = admit(b);
    EXPECT_EQ(adm.download_pct, 0);
    EXPECT_EQ(adm.upload_pct, 200);

    shm::UserEntry u{};
    u.user_id = 1;
    u.flags = shm::kUserCanLeech;
    u.personal_freeleech_until = 1'000'000 + 10;
    ASSERT_TRUE(seg_->users().upsert(passkey_of(1), u));
    EXPECT_EQ(admit(b).download_pct, 0);
    u.personal_freeleech_until = 0;
    u.download_factor_pct = 50;
    ASSERT_TRUE(seg_->users().upsert(passkey_of(1), u));
    EXPECT_EQ(admit(b).download_pct, 50);

    ASSERT_TRUE(seg_->tokens().upsert(shm::TokenKey{1, 1}, shm::TokenEntry{1'000'000 + 60}));
    EXPECT_EQ(admit(b).download_pct, 0);
    EXPECT_EQ(admit(b, v4(192, 0, 2, 1, 51413), 1'000'000 + 60).download_pct, 50);  // token expired

    publish([](shm::Rules& r) { r.global_freeleech = 1; });
    EXPECT_EQ(admit(b, v4(192, 0, 2, 1, 51413), 1'000'000 + 60).download_pct, 0);
}

TEST_F(GateTest, ImmuneUsersAndPersonalLocationLimits) {
    add_user(2, shm::kUserCanLeech | shm::kUserImmune);
    EXPECT_EQ(admit(AnnounceBuilder(2, hash_of(1), peer_id_of(1), 100)).policy.max_locations, 0);
    shm::UserEntry u{};
    u.user_id = 3;
    u.flags = shm::kUserCanLeech;
    u.max_locations = 7;
    ASSERT_TRUE(seg_->users().upsert(passkey_of(3), u));
    EXPECT_EQ(admit(AnnounceBuilder(3, hash_of(1), peer_id_of(1), 100)).policy.max_locations, 7);
}

TEST_F(GateTest, OpenModeTakesAnyHashWithoutPasskey) {
    swarm::Gate open(*seg_, swarm::GateConfig{true, 2});
    AnnounceBuilder b(99, hash_of(12345), peer_id_of(1), 100);
    b.a.passkey = {};
    const auto adm = open.admit(b.a, v4(192, 0, 2, 1, 51413), 1'000'000);
    EXPECT_EQ(adm.outcome, Outcome::ok);
    EXPECT_EQ(adm.user_id, 0u);
    EXPECT_EQ(adm.policy.max_locations, 0);
}

TEST_F(GateTest, ScrapeNeedsAKnownEnabledUser) {
    proto::Scrape s;
    const shm::Passkey good = passkey_of(1), bad = passkey_of(9);
    s.passkey = std::string_view(good.data(), good.size());
    EXPECT_EQ(gate_->admit_scrape(s, v4(192, 0, 2, 1, 1), 0).outcome, Outcome::ok);
    s.passkey = std::string_view(bad.data(), bad.size());
    EXPECT_EQ(gate_->admit_scrape(s, v4(192, 0, 2, 1, 1), 0).message, "Unknown passkey");
}

TEST(UserAgent, BrowsersAreRecognizedClientsAreNot) {
    EXPECT_TRUE(swarm::is_browser_user_agent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0"));
    EXPECT_TRUE(swarm::is_browser_user_agent("Opera/9.80 (Windows NT 6.1)"));
    EXPECT_TRUE(swarm::is_browser_user_agent("Lynx/2.8.9rel.1 libwww-FM/2.14"));
    EXPECT_FALSE(swarm::is_browser_user_agent("qBittorrent/4.6.3"));
    EXPECT_FALSE(swarm::is_browser_user_agent("Transmission/4.0.5"));
    EXPECT_FALSE(swarm::is_browser_user_agent("Deluge 2.1.1 libtorrent/2.0.9.0"));
    EXPECT_FALSE(swarm::is_browser_user_agent(""));
}

}  // namespace
}  // namespace swarmline::test
