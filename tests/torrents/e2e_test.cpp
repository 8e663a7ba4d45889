// End to end: a torrent uploaded on the site and downloaded by two members is announced by real
// BitTorrent clients (python3-libtorrent) with the announce URLs written into their files, against
// the real swarmline-dataplane fed by the sync from PostgreSQL: the two find each other through the
// tracker alone and the leecher completes, over HTTP and over UDP (BEP 41 passkey path), and the
// transfer is credited to the members whose passkeys the files carry. Hybrid torrents are announced
// by both info hashes (v1 and the truncated v2), each answered with the other client; v1-only and
// v2-only torrents by their one. A freeleech set on the site before the swarm reaches the dataplane:
// the member's download then counts nothing against its ratio. An upload that needs approval is
// announced only with the tracker's pending warning until a moderator approves it; then members
// download it and swarm it.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "../dataplane/daemon_process.hpp"
#include "sync/sync_service.hpp"
#include "torrents_fixture.hpp"

namespace swarmline::control::test {
namespace {

using Clock = std::chrono::steady_clock;

// The command's exit status and its output (stdout and stderr).
std::pair<int, std::string> run(const std::string& cmd) {
    std::string out;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return {-1, "popen failed"};
    std::array<char, 4096> buf{};
    while (const auto n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    const int st = pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

class Swarming : public TorrentsTest {
protected:
    void configure() override {
        ASSERT_EQ(daemon_.start({"--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--workers", "2"}, shm_.path()), "");
        ASSERT_FALSE(daemon_.http.empty());
        ASSERT_FALSE(daemon_.udp.empty());
        config().announce_url = "http://" + io::net::to_string(daemon_.http[0]);
        sql("INSERT INTO site_settings (key, value) VALUES ('tracker.udp_announce_url', '\"udp://" +
            io::net::to_string(daemon_.udp[0]) + "\"')");
        // The clients announce started, completed and stopped within seconds.
        sql("UPDATE site_settings SET value = '0' WHERE key = 'tracker.min_announce_interval'");
        sync::SyncConfig sc;
        sc.database_url = database().url();
        sc.shm_path = shm_.path();
        sc.flush_interval_ms = 20;
        ASSERT_EQ(sync_.start(sc), "");
    }
    void TearDown() override {
        sync_.stop();
        if (daemon_.running()) {
            EXPECT_EQ(daemon_.stop(SIGTERM), 0) << daemon_.log();
        }
        if (!work_.empty()) std::filesystem::remove_all(work_);
        TorrentsTest::TearDown();
    }
    // A payload in work_ and its .torrent (VERSION: hybrid, v1 or v2); empty when libtorrent is missing.
    std::string make(const std::string& tag, const std::string& version) {
        work_ = std::filesystem::temp_directory_path() / ("swarmline-torrents-e2e-" + std::to_string(getpid()) + tag);
        std::filesystem::create_directories(work_);
        const auto made = run(py_ + " make " + work_ + " " + work_ + "/new.torrent --version " + version);
        if (made.first == 77) return "";
        EXPECT_EQ(made.first, 0) << made.second;
        std::ifstream in(work_ + "/new.torrent", std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    std::string download_to(const std::string& token, const std::string& id, const std::string& file) {
        const auto r = call("GET", "/api/v1/torrents/" + id + "/download", "", token);
        EXPECT_EQ(r.status, 200u) << r.body;
        std::ofstream(file, std::ios::binary) << r.body;
        return file;
    }
    std::int64_t downloaded(const std::string& user_id, const char* column = "downloaded") {
        const auto v = sql(std::string("SELECT coalesce((SELECT ") + column + " FROM user_statistics WHERE user_id = '" +
                           user_id + "'), 0)");
        return v.empty() ? 0 : std::stoll(v);
    }

    void expect_credited_download(bool freeleech) {
        // The member whose passkey the leecher's file carries is credited with the download.
        const auto end = Clock::now() + std::chrono::seconds(60);
        while (downloaded(member_id_) < 2 * 1024 * 1024 && Clock::now() < end)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        EXPECT_GE(downloaded(member_id_), 2 * 1024 * 1024) << daemon_.log();
        // Once, though a hybrid's client announces it under both info hashes with the same totals.
        EXPECT_LT(downloaded(member_id_), 4 * 1024 * 1024) << daemon_.log();
        if (freeleech) {
            EXPECT_EQ(downloaded(member_id_, "downloaded_adjusted"), 0) << "freeleech: nothing counts against the ratio";
        } else {
            EXPECT_EQ(downloaded(member_id_, "downloaded_adjusted"), downloaded(member_id_));
        }
    }

    const std::string py_ = std::string("/usr/bin/python3 ") + SWARMLINE_SWARM_CLIENTS;
    swarmline::test::ScratchShm shm_;
    swarmline::test::DaemonProcess daemon_;
    sync::SyncService sync_;
    std::string work_;
};

class EndToEnd : public Swarming, public ::testing::WithParamInterface<const char*> {};

TEST_P(EndToEnd, UploadedTorrentIsSwarmedThroughTheTracker) {
    const std::string param = GetParam();
    const std::string transport = param.substr(0, param.find('+'));
    const bool freeleech = param.ends_with("+freeleech");
    const std::string version = param.ends_with("+v2") ? "v2" : param.ends_with("+v1") ? "v1" : "hybrid";
    const auto bytes = make(transport + version, version);
    if (bytes.empty()) GTEST_SKIP() << "python3-libtorrent is missing";

    const auto up = upload(uploader_, bytes, "software-linux");
    ASSERT_EQ(up.status, 201u) << up.body;
    ASSERT_EQ(up.str("/status"), "approved");
    if (version == "v2") {
        // Clients announce its SHA-256 info hash truncated to 20 bytes; the site keys it by that.
        ASSERT_EQ(up.str("/info_hash_v2").size(), 64u) << up.body;
        EXPECT_EQ(up.str("/info_hash"), up.str("/info_hash_v2").substr(0, 40)) << up.body;
    } else if (version == "v1") {
        EXPECT_FALSE(up.has("/info_hash_v2") && !up.str("/info_hash_v2").empty()) << up.body;
    } else {
        // Both hashes stored: v1 is the key, the truncated v2 announces the same torrent.
        ASSERT_EQ(up.str("/info_hash_v2").size(), 64u) << up.body;
        EXPECT_NE(up.str("/info_hash"), up.str("/info_hash_v2").substr(0, 40)) << up.body;
    }
    if (freeleech) {
        const auto fl = call("PATCH", "/api/v1/torrents/" + up.str("/id"), R"({"freeleech_percentage":100})", moderator_);
        ASSERT_EQ(fl.status, 200u) << fl.body;
    }
    const auto seed = download_to(uploader_, up.str("/id"), work_ + "/seed.torrent");
    const auto leech = download_to(member_, up.str("/id"), work_ + "/leech.torrent");

    const auto swarm = run(py_ + " swarm " + seed + " " + leech + " " + work_ + " --transport " + transport);
    ASSERT_EQ(swarm.first, 0) << swarm.second << "\ndataplane log:\n" << daemon_.log();
    // The leecher's first reply for each hash it announced named the seeder (swarm_clients.py checks
    // that); these are the hashes.
    const std::string replies = version == "hybrid" ? "v1 1 peers, v2 1 peers" : version + " 1 peers";
    EXPECT_NE(swarm.second.find("its tracker replies: " + replies + "\n"), std::string::npos) << swarm.second;
    expect_credited_download(freeleech);
}

INSTANTIATE_TEST_SUITE_P(Transports, EndToEnd,
                         ::testing::Values("http", "udp", "http+freeleech", "http+v1", "udp+v1", "http+v2", "udp+v2"));

// The issue's flow: a member whose group needs approval uploads; the tracker answers announces of
// the pending torrent with its warning (the dataplane's rule for pending torrents: answered, with
// a short interval) and members cannot download it; a moderator approves; a member downloads the
// .torrent and a real client gets the uploader's seeder from the tracker.
using Approval = Swarming;

TEST_F(Approval, PendingUploadIsSwarmedOnceAModeratorApprovesIt) {
    const auto bytes = make("approval", "hybrid");
    if (bytes.empty()) GTEST_SKIP() << "python3-libtorrent is missing";
    const auto up = upload(power_, bytes, "software-linux");
    ASSERT_EQ(up.status, 201u) << up.body;
    ASSERT_EQ(up.str("/status"), "pending") << "Power User uploads need approval";
    const auto id = up.str("/id");
    EXPECT_EQ(call("GET", "/api/v1/torrents/" + id + "/download", "", member_).status, 404u);

    const auto seed = download_to(power_, id, work_ + "/seed.torrent");
    const auto pending = run(py_ + " announce " + seed + " " + work_ + " --transport http");
    ASSERT_EQ(pending.first, 0) << pending.second << "\ndataplane log:\n" << daemon_.log();
    EXPECT_NE(pending.second.find("v1 reply: 0 peers"), std::string::npos) << pending.second;
    EXPECT_NE(pending.second.find("v2 reply: 0 peers"), std::string::npos) << pending.second;
    EXPECT_NE(pending.second.find("Torrent is pending moderation"), std::string::npos) << pending.second;

    const auto ok = moderate(id, "approve");
    ASSERT_EQ(ok.status, 200u) << ok.body;
    const auto leech = download_to(member_, id, work_ + "/leech.torrent");
    const auto swarm = run(py_ + " swarm " + seed + " " + leech + " " + work_ + " --transport http");
    ASSERT_EQ(swarm.first, 0) << swarm.second << "\ndataplane log:\n" << daemon_.log();
    // The seeder, and the client that announced while pending if the tracker still lists it.
    EXPECT_TRUE(std::regex_search(swarm.second, std::regex("its tracker replies: v1 [12] peers, v2 [12] peers\n")))
        << swarm.second;
    // Approved, the torrent is announced without the warning.
    const auto live = run(py_ + " announce " + seed + " " + work_ + " --transport http");
    EXPECT_EQ(live.first, 0) << live.second;
    EXPECT_EQ(live.second.find("pending moderation"), std::string::npos) << live.second;
    expect_credited_download(false);
}

}  // namespace
}  // namespace swarmline::control::test
