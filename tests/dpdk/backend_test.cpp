// swarmline-dataplane --backend dpdk end to end on virtual devices: the real daemon runs in a
// "server" network namespace with its NIC as net_af_packet on a veth (or as net_tap), --no-huge,
// and a client in another namespace uses ordinary kernel sockets. ARP and neighbour discovery are
// answered by the fast path (the client's kernel must resolve us before its first datagram
// leaves), BEP 15 runs through it, and HTTP to the same address and port reaches the kernel
// through the exception tap, where the daemon's io_uring HTTP worker hands each announce to the
// DPDK worker owning the swarm. The counters come from the daemon's /metrics.
//
// One daemon serves every test of a suite (EAL takes seconds to start): an open tracker for
// DpdkDaemon, a private one (users and torrents from the segment) for DpdkPrivateDaemon.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../dataplane/daemon_process.hpp"
#include "../dataplane/udp_client.hpp"
#include "netns.hpp"

namespace {

using namespace swarmline;
namespace udp = proto::udp;
using test::DaemonProcess;
using test::NetnsPair;
using test::UdpClient;

// UDP and HTTP on one address and port: the fast path takes the datagrams, the kernel the TCP.
constexpr std::uint16_t kPort = 6969;
constexpr std::uint32_t kWorkers = 2;

io::net::Address address(const std::string& text) {
    io::net::Address a;
    EXPECT_EQ(io::net::parse_address(text, a), nullptr) << text;
    return a;
}

proto::InfoHash hash_of(std::uint8_t b) {
    proto::InfoHash h{};
    h.fill(b);
    return h;
}

proto::Announce announce_of(const proto::InfoHash& h, std::uint8_t id, std::uint16_t port, std::uint64_t left) {
    proto::Announce a;
    a.info_hash = h;
    a.peer_id.fill(id);
    a.port = port;
    a.left = left;
    a.event = proto::Event::started;
    a.numwant = 50;
    return a;
}

// The sum over every line of `family` in a /metrics body whose labels contain `label` ("" for all).
std::uint64_t metric(const std::string& body, const std::string& family, const std::string& label) {
    std::uint64_t sum = 0;
    std::size_t at = 0;
    while ((at = body.find(family, at)) != std::string::npos) {
        const bool line_start = at == 0 || body[at - 1] == '\n';  // not a # HELP or # TYPE line
        const std::size_t eol = body.find('\n', at);
        const std::string line = body.substr(at, eol - at);
        at = eol;
        if (!line_start || line.size() <= family.size() || (line[family.size()] != '{' && line[family.size()] != ' ')) continue;
        if (!label.empty() && line.find(label) == std::string::npos) continue;
        sum += std::strtoull(line.c_str() + line.rfind(' ') + 1, nullptr, 10);
    }
    return sum;
}

class DpdkDaemon : public ::testing::Test {
protected:
    static void SetUpTestSuite() { start_daemon(true); }

    // `open`: any torrent from anyone (--open); else private mode, where only the passkeys and
    // torrents written into the segment are admitted.
    static void start_daemon(bool open) {
        error_.clear();
        skip_ = NetnsPair::unavailable();
        if (!skip_.empty()) return;
        const bool tap_nic = tap_nic_run();
        ns_ = std::make_unique<NetnsPair>(!tap_nic);
        if (!ns_->error().empty()) {
            error_ = "namespace set-up: " + ns_->error();
            return;
        }
        // The daemon is forked from this thread, so it starts in the server namespace; so does
        // every socket this thread makes (the admin listener is on the server's loopback).
        if (!ns_->enter_server()) {
            error_ = "cannot enter " + ns_->server;
            return;
        }
        const std::string pid = std::to_string(::getpid());
        // The suites run one after the other: the namespaces, the tap and the EAL of the first are
        // gone when the second starts, so it takes the same names.
        const std::string tap_nic_if = "swdt" + pid;
        const std::string vdev = tap_nic ? "net_tap_nic,iface=" + tap_nic_if
                                         : "net_af_packet0,iface=" + ns_->server_if + ",qpairs=" + std::to_string(kWorkers);
        const std::string v4 = ns_->server_v4() + ":" + std::to_string(kPort);
        const std::string v6 = "[" + ns_->server_v6() + "]:" + std::to_string(kPort);
        std::vector<std::string> args{
            "--backend", "dpdk", "--workers", std::to_string(kWorkers),
            "--udp", v4, "--udp", v6, "--http", v4, "--http", v6, "--admin", "127.0.0.1:0",
            "--dpdk-vdev", vdev, "--dpdk-address", ns_->server_v4() + "/24", "--dpdk-address", ns_->server_v6() + "/64",
            "--dpdk-exception-iface", "swl0", "--dpdk-http-workers", "1",
            "--dpdk-no-huge", "--dpdk-memory", "256", "--dpdk-file-prefix", "swl-test-" + pid, "--dpdk-mbufs", "2047",
            // The test host's cores are shared: a DPDK worker sleeps between polls once idle.
            "--dpdk-idle-sleep", "100",
            "--peers-per-shard", "4096", "--v6-peers-per-shard", "1024", "--torrents-per-shard", "1024",
            "--users", "1024", "--torrents", "1024", "--tokens", "1024", "--event-ring", "4096", "--accumulator", "1024"};
        if (open) args.emplace_back("--open");
        if (tap_nic) {
            args.emplace_back("--dpdk-port");
            args.emplace_back("net_tap_nic");
        }
        daemon_ = std::make_unique<DaemonProcess>();
        shm_ = std::make_unique<test::ScratchShm>();
        if (auto err = daemon_->start(args, shm_->path()); !err.empty()) {
            error_ = "swarmline-dataplane --backend dpdk: " + err;
            return;
        }
        if (tap_nic) {
            if (auto err = ns_->adopt_client_interface(tap_nic_if); !err.empty()) error_ = "the tap NIC's kernel side: " + err;
        }
    }

    // SWARMLINE_DPDK_NIC=net_tap: the NIC is a net_tap device whose kernel side moves to the client
    // namespace. Unlike net_af_packet it offers IPv4/UDP checksum offload, so the replies take the
    // offload path (the PMD computes what the flags ask for); otherwise they are checksummed in software.
    static bool tap_nic_run() {
        const char* nic = std::getenv("SWARMLINE_DPDK_NIC");
        return nic && std::string(nic) == "net_tap";
    }

    static void TearDownTestSuite() {
        if (daemon_ && daemon_->running()) {
            const int status = daemon_->stop(SIGTERM);
            EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the daemon's exit: " << status << "\n"
                                                                        << daemon_->log();
        }
        daemon_.reset();
        ns_.reset();
        shm_.reset();
    }

    void SetUp() override {
        if (!skip_.empty()) GTEST_SKIP() << skip_;
        ASSERT_TRUE(error_.empty()) << error_;
    }

    void TearDown() override {
        if (HasFailure() && daemon_) std::cerr << "the daemon's log:\n" << daemon_->log() << "\n";
    }

    // A BEP 15 client socket in the client namespace.
    static std::unique_ptr<UdpClient> client(bool v6 = false) {
        std::unique_ptr<UdpClient> c;
        const auto to = v6 ? address("[" + ns_->server_v6() + "]:" + std::to_string(kPort))
                           : address(ns_->server_v4() + ":" + std::to_string(kPort));
        EXPECT_TRUE(ns_->in_client([&] { c = std::make_unique<UdpClient>(to); }));
        return c;
    }

    static std::string metrics() { return test::http_get(daemon_->admin, "/metrics"); }
    // A DPDK port counter summed over the DPDK workers.
    static std::uint64_t port_count(const std::string& event) {
        return metric(metrics(), "swarmline_dpdk_frames_total", "event=\"" + event + "\"");
    }
    static std::uint64_t requests(const std::string& protocol, const std::string& request) {
        return metric(metrics(), "swarmline_requests_total",
                      "protocol=\"" + protocol + "\",request=\"" + request + "\",outcome=\"ok\"");
    }

    static inline std::string skip_;
    static inline std::string error_;
    static inline std::unique_ptr<test::ScratchShm> shm_;  // the daemon's segment
    static inline std::unique_ptr<NetnsPair> ns_;
    static inline std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(DpdkDaemon, ConnectAnnounceAndScrapeOverIpv4) {
    auto leecher = client();
    auto seeder = client();
    // The first datagram needs our MAC: the fast path answers the client kernel's ARP request.
    ASSERT_EQ(ns_->run_in_client("ip neigh flush all"), 0);
    const std::uint64_t arp_before = port_count("answered_arp");
    auto id_l = leecher->connect();
    auto id_s = seeder->connect();
    ASSERT_TRUE(id_l && id_s);
    EXPECT_GT(port_count("answered_arp"), arp_before);

    const proto::InfoHash h = hash_of(7);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(leecher->announce(*id_l, announce_of(h, 1, 40001, 1000), r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);
    EXPECT_GT(r.interval, 0u);
    EXPECT_EQ(r.leechers, 1u);
    EXPECT_EQ(r.peers.size(), 0u);

    ASSERT_TRUE(seeder->announce(*id_s, announce_of(h, 2, 40002, 0), r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);
    EXPECT_EQ(r.leechers, 1u);
    EXPECT_EQ(r.seeders, 1u);
    ASSERT_EQ(r.peers.size(), 6u);
    const std::string expected_peer = ns_->client_v4();
    char text[16];
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", r.peers[0], r.peers[1], r.peers[2], r.peers[3]);
    EXPECT_EQ(std::string(text), expected_peer) << "the address the datagram came from";
    EXPECT_EQ((r.peers[4] << 8) | r.peers[5], 40001);

    // 70 hashes: the most that fit one packet of a 1500-byte MTU (16 + 70 * 20 + 28 = 1444 bytes;
    // 74 would be 1524). The fast path does not reassemble: a fragmented request goes to the kernel.
    std::vector<proto::InfoHash> hashes;
    for (int i = 0; i < 70; ++i) hashes.push_back(i == 37 ? h : hash_of(static_cast<std::uint8_t>(100 + i)));
    std::uint8_t req[2048];
    const std::size_t n = udp::encode_scrape(req, *id_l, 4242, hashes);
    ASSERT_TRUE(leecher->exchange({req, n}, 4242, r, storage));
    ASSERT_EQ(r.action, udp::Action::scrape);
    ASSERT_EQ(r.scrape_count(), 70u);
    EXPECT_EQ(r.scrape_entry(37).seeders, 1u);
    EXPECT_EQ(r.scrape_entry(37).leechers, 1u);
    EXPECT_EQ(r.scrape_entry(0).seeders + r.scrape_entry(0).leechers, 0u);
}

TEST_F(DpdkDaemon, ForgedConnectionIdIsRefused) {
    auto c = client();
    auto id = c->connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(c->announce(*id ^ 0x1, announce_of(hash_of(1), 1, 40001, 5), r, storage));
    EXPECT_EQ(r.action, udp::Action::error);
    EXPECT_NE(r.message.find("connection id"), std::string_view::npos) << r.message;
    ASSERT_TRUE(c->announce(*id, announce_of(hash_of(1), 2, 40002, 5), r, storage));
    EXPECT_EQ(r.action, udp::Action::announce);
    EXPECT_EQ(r.leechers, 1u) << "the forged announce stored nothing";
}

TEST_F(DpdkDaemon, TruncatedAndRandomDatagramsAreHarmless) {
    // Every prefix of an announce, then random datagrams of every size up to the MTU: counted as
    // invalid, answered at most with a BEP 15 error, and the fast path still serves a real request.
    auto c = client();
    auto id = c->connect();
    ASSERT_TRUE(id);
    const std::uint64_t invalid = metric(metrics(), "swarmline_requests_total", "outcome=\"invalid\"");
    std::uint8_t full[1024];
    const std::size_t n = udp::encode_announce(full, *id, 99, announce_of(hash_of(3), 1, 40001, 5));
    for (std::size_t len = 0; len < n; ++len) c->send({full, len});
    std::mt19937 rng(12345);
    std::vector<std::uint8_t> junk(1472);
    for (int i = 0; i < 1000; ++i) {
        const std::size_t len = rng() % junk.size();
        for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
        c->send({junk.data(), len});
    }
    while (c->receive(200)) {
        // what came back for the junk (BEP 15 errors) is drained
    }
    auto again = c->connect();
    ASSERT_TRUE(again) << "the fast path stopped answering after junk";
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(c->announce(*again, announce_of(hash_of(3), 1, 40001, 5), r, storage));
    EXPECT_EQ(r.action, udp::Action::announce);
    EXPECT_GT(metric(metrics(), "swarmline_requests_total", "outcome=\"invalid\"") - invalid, 0u) << "junk was not counted";
    EXPECT_EQ(port_count("no_mbuf"), 0u);
}

TEST_F(DpdkDaemon, ManySwarmsAreAnsweredWhicheverWorkerOwnsThem) {
    // Swarms are spread over both workers' shards: about half of these announces are handed to the
    // other worker, which sends the reply from its own queue with the MAC the first one learned.
    auto c = client();
    auto id = c->connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    const std::uint64_t handed_before = metric(metrics(), "swarmline_handoff_sent_total", "");
    for (std::uint8_t i = 0; i < 32; ++i) {
        ASSERT_TRUE(c->announce(*id, announce_of(hash_of(static_cast<std::uint8_t>(i * 8)), 3, 40003, 9), r, storage))
            << "announce " << int(i);
        EXPECT_EQ(r.action, udp::Action::announce);
        EXPECT_EQ(r.leechers, 1u);
    }
    EXPECT_GT(metric(metrics(), "swarmline_handoff_sent_total", ""), handed_before) << "no announce crossed workers";
    EXPECT_EQ(port_count("no_neighbor"), 0u);
}

TEST_F(DpdkDaemon, Ipv6AnnounceAfterNeighbourDiscovery) {
    auto a = client(true);
    auto b = client(true);
    // The client kernel's neighbour solicitation for our address is answered by the fast path.
    ASSERT_EQ(ns_->run_in_client("ip -6 neigh flush all"), 0);
    const std::uint64_t nd_before = port_count("answered_neighbor");
    auto id_a = a->connect();
    auto id_b = b->connect();
    ASSERT_TRUE(id_a && id_b);
    EXPECT_GT(port_count("answered_neighbor"), nd_before);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    const proto::InfoHash h = hash_of(0x66);
    ASSERT_TRUE(a->announce(*id_a, announce_of(h, 1, 41001, 100), r, storage));
    ASSERT_TRUE(b->announce(*id_b, announce_of(h, 2, 41002, 0), r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);
    ASSERT_EQ(r.peers.size(), 18u) << "IPv6 peers are 18 bytes";
    EXPECT_EQ(r.peers[0], 0xfd);
    EXPECT_EQ(r.peers[15], 2);
    EXPECT_EQ((r.peers[16] << 8) | r.peers[17], 41001);
}

TEST_F(DpdkDaemon, LargeIpv6ReplyArrivesInFragments) {
    // 100 IPv6 peers in one swarm; the 101st asks for 200: 20 + 100 * 18 = 1820 bytes of reply, more
    // than one 1500-byte packet. The client's kernel reassembles the fragments.
    auto c = client(true);
    auto id = c->connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    const proto::InfoHash h = hash_of(0x77);
    for (std::uint16_t i = 0; i < 100; ++i) {
        auto a = announce_of(h, 0, static_cast<std::uint16_t>(42000 + i), 0);
        std::memcpy(a.peer_id.data(), &i, sizeof i);
        ASSERT_TRUE(c->announce(*id, a, r, storage)) << "peer " << i;
    }
    const std::uint64_t fragmented = port_count("fragmented");
    auto a = announce_of(h, 0xee, 43000, 1000);
    a.numwant = 200;
    ASSERT_TRUE(c->announce(*id, a, r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);
    EXPECT_EQ(r.seeders, 100u);
    EXPECT_EQ(r.peers.size(), 100u * 18u);
    EXPECT_EQ(port_count("fragmented") - fragmented, 1u);
}

TEST_F(DpdkDaemon, HttpAnnounceThroughTheExceptionPathJoinsTheSwarmOfTheFastPath) {
    // A seeder announces over UDP (the fast path, a DPDK worker owns the swarm); then HTTP to the
    // same address and port: the fast path hands the TCP to the tap, the kernel's io_uring HTTP
    // worker (which owns no shard) hands the announce to the owner, gets the reply back, and the
    // reply leaves through DPDK again. It sees the UDP seeder: one swarm whatever the protocol.
    // Over IPv6 the kernel also resolves the client itself: its neighbour solicitation leaves
    // through DPDK and the advertisement comes back through the exception path.
    proto::InfoHash h{};
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(i + 1);
    auto seeder = client();
    auto id = seeder->connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(seeder->announce(*id, announce_of(h, 9, 40777, 0), r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);

    for (const bool v6 : {false, true}) {
        SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
        const std::uint64_t to_kernel = port_count("to_kernel");
        const std::uint64_t from_kernel = port_count("from_kernel");
        const std::uint64_t handed = metric(metrics(), "swarmline_handoff_sent_total", "");
        const std::uint64_t http_announces = requests("http", "announce");
        const std::string host = v6 ? "[" + ns_->server_v6() + "]" : ns_->server_v4();
        const std::string url = "http://" + host + ":" + std::to_string(kPort) +
                                "/announce?info_hash=%01%02%03%04%05%06%07%08%09%0a%0b%0c%0d%0e%0f%10%11%12%13%14"
                                "&peer_id=-XX0001-abcdefghijk" + std::string(v6 ? "6" : "4") +
                                "&port=51413&uploaded=0&downloaded=0&left=10&compact=1";
        std::string out;
        const int rc = ns_->run_in_client("curl -gsS --max-time 10 \"" + url + "\"", &out);
        ASSERT_EQ(rc, 0) << out;
        EXPECT_NE(out.find("8:completei1e"), std::string::npos) << "the UDP seeder is in the swarm: " << out;
        // BEP 7: peers of the other family only go to a client that claimed an address of it.
        if (!v6) {
            EXPECT_NE(out.find("5:peers6:"), std::string::npos) << "one IPv4 peer (the seeder): " << out;
        }
        EXPECT_EQ(metric(metrics(), "swarmline_handoff_sent_total", "") - handed, 1u)
            << "the HTTP worker handed the announce to the DPDK worker owning the swarm";
        EXPECT_EQ(requests("http", "announce") - http_announces, 1u);
        // At least the SYN, the request and the ACKs went in, the SYN-ACK and the reply came out.
        EXPECT_GE(port_count("to_kernel") - to_kernel, 3u);
        EXPECT_GE(port_count("from_kernel") - from_kernel, 2u);
    }
}

TEST_F(DpdkDaemon, LibtorrentDownloadsWithPeersFromTheFastPath) {
    const char* script = std::getenv("SWARMLINE_DPDK_LIBTORRENT");
    if (!script) GTEST_SKIP() << "SWARMLINE_DPDK_LIBTORRENT (the download script) is not set; meson test sets it";
    const std::uint64_t announces = requests("udp", "announce");
    std::string out;
    const int rc = ns_->run_in_client(std::string("/usr/bin/python3 ") + script + " --tracker udp://" +
                                          ns_->server_v4() + ":" + std::to_string(kPort) + "/announce --bind " +
                                          ns_->client_v4(),
                                      &out);
    if (rc == 77) GTEST_SKIP() << out;
    ASSERT_EQ(rc, 0) << out;
    EXPECT_GE(requests("udp", "announce") - announces, 2u) << "both clients announced to us";
}

// One ICMP or ICMPv6 echo from the client namespace over a raw socket; true when the reply with our
// identifier and data came back.
bool ping(const NetnsPair& ns, const std::string& to, bool v6) {
    bool ok = false;
    ns.in_client([&] {
        const int protocol = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
        const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, protocol);
        if (fd < 0) return;
        sockaddr_storage ss{};
        socklen_t len;
        if (v6) {
            auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
            a->sin6_family = AF_INET6;
            inet_pton(AF_INET6, to.c_str(), &a->sin6_addr);
            len = sizeof *a;
        } else {
            auto* a = reinterpret_cast<sockaddr_in*>(&ss);
            a->sin_family = AF_INET;
            inet_pton(AF_INET, to.c_str(), &a->sin_addr);
            len = sizeof *a;
        }
        std::uint8_t req[16] = {static_cast<std::uint8_t>(v6 ? 128 : 8), 0, 0, 0, 0x12, 0x34, 0, 1,
                                'd', 'p', 'd', 'k', 'e', 'c', 'h', 'o'};
        if (!v6) {  // the kernel fills the ICMPv6 checksum, ICMPv4's is ours
            std::uint32_t sum = 0;
            for (std::size_t i = 0; i < sizeof req; i += 2) sum += static_cast<std::uint32_t>((req[i] << 8) | req[i + 1]);
            while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
            req[2] = static_cast<std::uint8_t>(~sum >> 8);
            req[3] = static_cast<std::uint8_t>(~sum);
        }
        ::sendto(fd, req, sizeof req, 0, reinterpret_cast<sockaddr*>(&ss), len);
        for (int i = 0; i < 20 && !ok; ++i) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 3000) <= 0) break;
            std::uint8_t buf[256];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            // A raw IPv4 socket gets the IP header too; ICMPv6 sockets start at the ICMP header.
            const std::size_t off = v6 ? 0 : static_cast<std::size_t>(buf[0] & 0x0f) * 4;
            if (n < static_cast<ssize_t>(off + sizeof req)) continue;
            ok = buf[off] == (v6 ? 129 : 0) && std::memcmp(buf + off + 4, req + 4, sizeof req - 4) == 0;
        }
        ::close(fd);
    });
    return ok;
}

TEST_F(DpdkDaemon, EchoIsAnsweredByTheFastPath) {
    const std::uint64_t before = port_count("answered_echo");
    EXPECT_TRUE(ping(*ns_, ns_->server_v4(), false));
    EXPECT_TRUE(ping(*ns_, ns_->server_v6(), true));
    EXPECT_EQ(port_count("answered_echo") - before, 2u);
}

TEST_F(DpdkDaemon, ChecksumsTakeThePathTheNicOffers) {
    // The two runs of this file cover both ways a reply gets its checksums: net_tap offers IPv4/UDP
    // checksum offload (and RSS over its two queues) and the replies above were marked for it;
    // net_af_packet offers neither and they were computed in software. The `dpdk ready` line says
    // which path this run took.
    const std::string& log = daemon_->log();
    const std::size_t at = log.find("dpdk ready");
    ASSERT_NE(at, std::string::npos) << log;
    const std::string line = log.substr(at, log.find('\n', at) - at);
    const std::string want = tap_nic_run() ? "rss=true tx_checksum_offload=true" : "tx_checksum_offload=false";
    EXPECT_NE(line.find(want), std::string::npos) << line;
}

// The same daemon without --open: what control would write (a user's passkey, a torrent) is
// written into the segment by tests/dataplane's swarmline-test-shm while the daemon runs.
class DpdkPrivateDaemon : public DpdkDaemon {
protected:
    static void SetUpTestSuite() { start_daemon(false); }
};

TEST_F(DpdkPrivateDaemon, TakesThePasskeyFromBep41UrlData) {
    const char* tool = std::getenv("SWARMLINE_TEST_SHM");
    if (!tool) GTEST_SKIP() << "SWARMLINE_TEST_SHM (the swarmline-test-shm tool) is not set; meson test sets it";
    const std::string key = "0123456789abcdef0123456789ABCDEF";
    std::string out;
    ASSERT_EQ(test::sh(std::string(tool) + " " + shm_->path() + " add-user " + key + " 501", &out), 0) << out;
    ASSERT_EQ(test::sh(std::string(tool) + " " + shm_->path() + " add-torrent " + std::string(40, '5') + " 77", &out), 0) << out;
    const proto::InfoHash registered = hash_of(0x55);

    auto c = client();
    auto id = c->connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    ASSERT_TRUE(c->announce(*id, announce_of(registered, 1, 40001, 10), r, storage, "/announce"));
    EXPECT_EQ(r.action, udp::Action::error) << "no passkey in a private tracker";
    ASSERT_TRUE(c->announce(*id, announce_of(registered, 1, 40001, 10), r, storage,
                            "/announce/ffffffffffffffffffffffffffffffff"));
    ASSERT_EQ(r.action, udp::Action::error);
    EXPECT_EQ(r.message, "Unknown passkey");
    ASSERT_TRUE(c->announce(*id, announce_of(hash_of(0x56), 1, 40001, 10), r, storage, "/" + key + "/announce"));
    ASSERT_EQ(r.action, udp::Action::error);
    EXPECT_EQ(r.message, "Unregistered torrent");
    ASSERT_TRUE(c->announce(*id, announce_of(registered, 1, 40001, 10), r, storage, "/announce/" + key));
    ASSERT_EQ(r.action, udp::Action::announce) << r.message;
    EXPECT_EQ(r.leechers, 1u) << "only the admitted announce joined the swarm";

    // The owning shard's event ring has the announce with the user and the torrent.
    ASSERT_EQ(test::sh(std::string(tool) + " " + shm_->path() + " events", &out), 0) << out;
    EXPECT_NE(out.find("user=501 torrent=77 event=2 left=10 "), std::string::npos) << out;
}

}  // namespace
