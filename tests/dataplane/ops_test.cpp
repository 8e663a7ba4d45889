// Operating the daemon: the admin listener, signals, configuration, and a kill -9 under load.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "daemon_process.hpp"
#include "udp_client.hpp"

namespace swarmline::test {
namespace {

namespace udp = proto::udp;

const std::vector<std::string> kSmall = {"--peers-per-shard", "4096", "--v6-peers-per-shard", "1024",
                                         "--torrents-per-shard", "1024", "--users", "1024", "--torrents", "1024",
                                         "--tokens", "1024", "--event-ring", "1024", "--accumulator", "1024"};

std::vector<std::string> with_small(std::vector<std::string> args) {
    args.insert(args.end(), kSmall.begin(), kSmall.end());
    return args;
}

proto::Announce announce_of(std::uint8_t hash_seed, std::uint8_t peer, std::uint16_t port) {
    proto::Announce a;
    a.info_hash.fill(hash_seed);
    a.peer_id.fill(peer);
    a.port = port;
    a.left = 100;
    a.numwant = 50;
    return a;
}

// The output of a command line (stdout and stderr) and its exit status.
std::pair<std::string, int> run(const std::string& command) {
    std::string out;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) return {out, -1};
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

class Ops : public ::testing::Test {
protected:
    void TearDown() override {
        if (HasFailure()) std::cerr << "daemon log:\n" << daemon_.log();
        if (daemon_.running()) daemon_.stop(SIGKILL);
        if (!config_.empty()) std::filesystem::remove(config_);
    }
    DaemonProcess daemon_;
    ScratchShm shm_;
    std::string config_;
};

TEST_F(Ops, MetricsAndHealthOnTheAdminListener) {
    ASSERT_EQ(daemon_.start(with_small({"--open", "--workers", "2", "--udp", "127.0.0.1:0", "--http", "127.0.0.1:0",
                                        "--admin", "127.0.0.1:0"}),
                            shm_.path()),
              "");
    std::string health = http_get(daemon_.admin, "/health");
    EXPECT_TRUE(health.starts_with("HTTP/1.1 200")) << health;
    EXPECT_NE(health.find("\r\n\r\nok"), std::string::npos) << health;

    UdpClient client(daemon_.udp[0]);
    auto id = client.connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(client.announce(*id, announce_of(1, 'a', 40001), r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);

    std::string m = http_get(daemon_.admin, "/metrics");
    ASSERT_TRUE(m.starts_with("HTTP/1.1 200")) << m;
    EXPECT_NE(m.find("swarmline_requests_total{protocol=\"udp\",request=\"announce\",outcome=\"ok\"} 1\n"),
              std::string::npos) << m;
    EXPECT_NE(m.find("swarmline_requests_total{protocol=\"udp\",request=\"connect\",outcome=\"ok\"} 1\n"),
              std::string::npos) << m;
    // One peer in one torrent, on whichever worker owns it; two workers reported.
    EXPECT_NE(m.find("swarmline_peers{worker=\"0\"}"), std::string::npos) << m;
    EXPECT_NE(m.find("swarmline_peers{worker=\"1\"}"), std::string::npos) << m;
    bool one_peer = m.find("swarmline_peers{worker=\"0\"} 1\n") != std::string::npos ||
                    m.find("swarmline_peers{worker=\"1\"} 1\n") != std::string::npos;
    EXPECT_TRUE(one_peer) << m;
    EXPECT_NE(m.find("swarmline_event_ring_depth{worker=\"0\"}"), std::string::npos) << m;
    EXPECT_NE(m.find("# TYPE swarmline_announces_folded_total counter\nswarmline_announces_folded_total{worker=\"0\"} 0\n"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("swarmline_worker_loop_iterations_total{worker=\"1\"}"), std::string::npos) << m;
    EXPECT_TRUE(http_get(daemon_.admin, "/nope").starts_with("HTTP/1.1 404"));
}

// The value of an unlabelled counter in a /metrics page (-1 when absent).
long long metric(const std::string& page, const std::string& name) {
    auto at = page.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stoll(page.substr(at + name.size() + 2));
}

TEST_F(Ops, RequestsForTorrentsOfAnotherWorkerAreAnsweredByTheOwner) {
    ASSERT_EQ(daemon_.start(with_small({"--open", "--workers", "2", "--udp", "127.0.0.1:0", "--http", "127.0.0.1:0",
                                        "--admin", "127.0.0.1:0"}),
                            shm_.path()),
              "");
    // One client socket lands on one worker; of 16 torrents, half are owned by the other worker
    // (shard_of reads the first bytes of the hash: t * 15 spreads them over both halves).
    UdpClient client(daemon_.udp[0]);
    auto id = client.connect();
    ASSERT_TRUE(id);
    for (std::uint8_t t = 1; t <= 16; ++t) {
        udp::Response r;
        std::vector<std::uint8_t> storage;
        ASSERT_TRUE(client.announce(*id, announce_of(static_cast<std::uint8_t>(t * 15), 'a', 40001), r, storage))
            << int(t);
        ASSERT_EQ(r.action, udp::Action::announce) << r.message;
        EXPECT_EQ(r.leechers, 1u);
    }
    // HTTP: one keep-alive connection, the same 16 torrents as a second peer; replies come back in order.
    std::string burst;
    for (int t = 1; t <= 16; ++t) {
        char byte[4];
        std::snprintf(byte, sizeof byte, "%%%02X", t * 15);
        std::string hash;
        for (int i = 0; i < 20; ++i) hash += byte;
        burst += "GET /announce?info_hash=" + hash + "&peer_id=" + std::string(20, 'b') +
                 "&port=40002&uploaded=0&downloaded=0&left=5&compact=1 HTTP/1.1\r\nHost: t\r\n\r\n";
    }
    auto count = [](const std::string& text, const std::string& what) {
        std::size_t n = 0;
        for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
        return n;
    };
    std::string replies;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_EQ(::connect(fd, daemon_.http[0].sa(), daemon_.http[0].length), 0);
    ASSERT_EQ(::send(fd, burst.data(), burst.size(), MSG_NOSIGNAL), static_cast<ssize_t>(burst.size()));
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[65536];
    while (count(replies, "HTTP/1.1 ") < 16 || !replies.ends_with("e")) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        replies.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    EXPECT_EQ(count(replies, "HTTP/1.1 200"), 16u) << replies;
    EXPECT_EQ(count(replies, "10:incompletei2e"), 16u) << replies;
    std::string m = http_get(daemon_.admin, "/metrics");
    EXPECT_GT(metric(m, "swarmline_handoff_sent_total"), 0) << m;
    EXPECT_EQ(metric(m, "swarmline_handoff_sent_total"), metric(m, "swarmline_handoff_received_total")) << m;
    EXPECT_EQ(metric(m, "swarmline_handoff_full_total"), 0) << m;
}

TEST_F(Ops, SighupReloadsTheLogLevelAndSigtermExitsCleanly) {
    config_ = shm_.path() + ".conf";
    {
        std::ofstream f(config_);
        f << "[control]\nsomething = else\n\n[dataplane]\nlog-level = info\nworkers = 1\n";
    }
    ASSERT_EQ(daemon_.start(with_small({"--config", config_, "--open", "--udp", "127.0.0.1:0", "--http",
                                        "127.0.0.1:0", "--admin", "127.0.0.1:0"}),
                            shm_.path()),
              "");
    EXPECT_NE(daemon_.log().find("workers=1"), std::string::npos) << "the file's workers = 1 was not applied";
    {
        std::ofstream f(config_);
        f << "[dataplane]\nlog-level = debug\nworkers = 1\n";
    }
    daemon_.signal(SIGHUP);
    EXPECT_TRUE(daemon_.wait_for_log("msg=reloaded log_level=debug"));
    int status = daemon_.stop(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_NE(daemon_.log().find("msg=stopped"), std::string::npos);
}

TEST_F(Ops, CommandLine) {
    const std::string exe = dataplane_path();
    auto [version, vs] = run(exe + " --version");
    EXPECT_EQ(vs, 0);
    EXPECT_TRUE(version.starts_with("swarmline-dataplane ")) << version;
    auto [config, cs] = run(exe + " --print-config --http 127.0.0.1:7000 --http [::1]:7000");
    EXPECT_EQ(cs, 0);
    EXPECT_NE(config.find("[dataplane]"), std::string::npos) << config;
    EXPECT_NE(config.find("\nhttp = 127.0.0.1:7000, [::1]:7000\n"), std::string::npos) << config;
    // Refused before anything starts, with what is missing: the NIC's addresses.
    auto [dpdk, ds] = run(exe + " --backend dpdk --shm " + shm_.path());
    EXPECT_EQ(ds, 2);
    EXPECT_NE(dpdk.find("dpdk-address"), std::string::npos) << dpdk;
    auto [bad, bs] = run(exe + " --no-such-option 1");
    EXPECT_EQ(bs, 2);
    EXPECT_NE(bad.find("no-such-option"), std::string::npos) << bad;
    auto [addr, as] = run(exe + " --udp 127.0.0.1 --shm " + shm_.path());
    EXPECT_EQ(as, 2);
    EXPECT_NE(addr.find("udp"), std::string::npos) << addr;
}

TEST_F(Ops, KillNineUnderLoadThenRestartKeepsThePeers) {
    ASSERT_EQ(daemon_.start(with_small({"--open", "--workers", "2", "--udp", "127.0.0.1:0", "--http", "127.0.0.1:0",
                                        "--admin", "127.0.0.1:0"}),
                            shm_.path()),
              "");
    const io::net::Address at = daemon_.udp[0];
    const std::string port = std::to_string(at.port());
    {
        UdpClient seed(at);
        auto id = seed.connect();
        ASSERT_TRUE(id);
        udp::Response r;
        std::vector<std::uint8_t> storage;
        ASSERT_TRUE(seed.announce(*id, announce_of(9, 's', 45000), r, storage));
        ASSERT_EQ(r.action, udp::Action::announce);
    }
    // Announces flow from another thread while the daemon is killed and restarted; the thread stops
    // by itself after a bounded number of rounds.
    std::atomic<bool> restarted{false};
    std::atomic<int> answered_before{0};
    std::atomic<int> answered_after{0};
    std::thread load([&] {
        UdpClient c(at);
        std::uint64_t id = 0;
        bool connected = false;
        for (int round = 0; round < 4000 && answered_after.load() < 50; ++round) {
            if (!connected) {
                auto got = c.connect();
                if (!got) continue;
                id = *got;
                connected = true;
            }
            udp::Response r;
            std::vector<std::uint8_t> storage;
            const bool after = restarted.load();
            if (!c.announce(id, announce_of(9, static_cast<std::uint8_t>('a' + round % 20), 46000), r, storage))
                continue;
            if (r.action == udp::Action::error) connected = false;  // a restart forgets connection ids
            else if (r.action == udp::Action::announce) (after ? answered_after : answered_before).fetch_add(1);
        }
    });
    // The kill lands while announces are being answered.
    for (int i = 0; i < 1000 && answered_before.load() < 20; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE(answered_before.load(), 20);
    int status = daemon_.stop(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status));
    std::string err = daemon_.start(with_small({"--open", "--workers", "2", "--udp", "127.0.0.1:" + port, "--http",
                                                "127.0.0.1:0", "--admin", "127.0.0.1:0"}),
                                    shm_.path());
    restarted.store(true);
    load.join();
    ASSERT_EQ(err, "");
    EXPECT_GE(answered_after.load(), 50) << "announces were not served after the restart";
    EXPECT_NE(daemon_.log().find("created=false"), std::string::npos) << "the restart did not attach to the segment";

    // The peer announced before the kill is still in the swarm.
    UdpClient late(at);
    auto id = late.connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    proto::Announce a = announce_of(9, 'z', 47000);
    a.numwant = 200;
    ASSERT_TRUE(late.announce(*id, a, r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);
    bool seed_found = false;
    for (std::size_t i = 0; i + 6 <= r.peers.size(); i += 6)
        if (((r.peers[i + 4] << 8) | r.peers[i + 5]) == 45000) seed_found = true;
    EXPECT_TRUE(seed_found) << "the seeder announced before kill -9 is gone";
}

// A client that connected before a crash keeps announcing with its connection id: the id's secret
// lives with the segment (shm::connection_secret), not in the process.
TEST_F(Ops, ConnectionIdIssuedBeforeKillNineIsAcceptedAfterRestart) {
    const auto args = [](const std::string& udp) {
        return with_small({"--open", "--workers", "2", "--udp", udp, "--http", "127.0.0.1:0", "--admin", "127.0.0.1:0"});
    };
    ASSERT_EQ(daemon_.start(args("127.0.0.1:0"), shm_.path()), "");
    const io::net::Address at = daemon_.udp[0];
    UdpClient c(at);
    auto id = c.connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(c.announce(*id, announce_of(11, 'b', 45100), r, storage));
    ASSERT_EQ(r.action, udp::Action::announce) << "the id is not even accepted before the restart";

    int status = daemon_.stop(SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_EQ(daemon_.start(args("127.0.0.1:" + std::to_string(at.port())), shm_.path()), "");
    ASSERT_NE(daemon_.log().find("created=false"), std::string::npos) << "the restart did not attach to the segment";

    ASSERT_TRUE(c.announce(*id, announce_of(11, 'c', 45100), r, storage));
    EXPECT_EQ(r.action, udp::Action::announce) << "the connection id issued before kill -9 was refused after the restart";
}

}  // namespace
}  // namespace swarmline::test
