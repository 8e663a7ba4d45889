// The DPDK backend end to end on virtual devices: the tracker's Workers behind the DPDK backend on
// net_af_packet over a veth pair (--no-huge), a client in another network namespace with ordinary
// kernel sockets. ARP and neighbour discovery are answered by the fast path (the client's kernel
// must resolve us before its first datagram leaves), BEP 15 runs through it, and HTTP reaches the
// kernel through the exception tap, which carries the same address, where io_uring serves it.
//
// EAL starts once per process, so one tracker serves every test of this file.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../dataplane/udp_client.hpp"
#include "io/backend.hpp"
#include "io/dpdk/dpdk_backend.hpp"
#include "io/handoff.hpp"
#include "io/worker.hpp"
#include "netns.hpp"
#include "shm/segment.hpp"

namespace {

using namespace swarmline;
namespace udp = proto::udp;
using io::dpdk::PortCounter;
using test::NetnsPair;
using test::UdpClient;

constexpr std::uint16_t kUdpPort = 6969;
constexpr std::uint16_t kHttpPort = 8080;
constexpr std::uint32_t kWorkers = 2;

// The Workers of one backend over their own segment, as the daemon wires them.
struct Tracker {
    std::unique_ptr<shm::Segment> segment;
    std::unique_ptr<io::HandoffRings> rings;
    std::vector<std::unique_ptr<io::Worker>> workers;
    std::unique_ptr<io::Backend> backend;

    std::string start(std::unique_ptr<io::Backend> b, io::Endpoints& endpoints, const std::string& shm_name) {
        shm::SegmentSizes sizes{};
        sizes.shards = kWorkers;
        sizes.peers_per_shard = 4096;
        sizes.v6_peers_per_shard = 1024;
        sizes.torrents_per_shard = 1024;
        sizes.users = 1024;
        sizes.torrents = 1024;
        sizes.tokens = 1024;
        sizes.event_ring = 4096;
        sizes.accumulator = 1024;
        shm::SegmentLocation where;
        where.name = shm_name;
        auto opened = shm::Segment::open(where, sizes, shm::OpenMode::recreate);
        if (!opened.segment) return "segment: " + opened.error;
        segment = std::move(opened.segment);
        // The mapping outlives the name: nothing is left in /dev/shm however the run ends.
        ::unlink(segment->path().c_str());
        rings = std::make_unique<io::HandoffRings>(kWorkers, 256);
        io::WorkerContext context;
        context.segment = segment.get();
        context.rings = rings.get();
        context.workers = kWorkers;
        context.open_mode = true;
        randombytes_buf(context.connection_secret.data(), context.connection_secret.size());
        std::vector<io::Worker*> ptrs;
        for (std::uint32_t i = 0; i < kWorkers; ++i) {
            workers.push_back(std::make_unique<io::Worker>(context, i));
            ptrs.push_back(workers.back().get());
        }
        backend = std::move(b);
        if (auto err = backend->open(endpoints); !err.empty()) return "open: " + err;
        if (auto err = backend->start(ptrs); !err.empty()) return "start: " + err;
        return {};
    }
    ~Tracker() {
        if (backend) {
            backend->request_stop();
            backend->join();
        }
    }
};

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

class DpdkBackend : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        skip_ = NetnsPair::unavailable();
        if (!skip_.empty()) return;
        if (sodium_init() < 0) {
            error_ = "libsodium failed to initialise";
            return;
        }
        // SWARMLINE_DPDK_NIC=net_tap: the NIC is a net_tap device whose kernel side moves to the
        // client namespace. Unlike net_af_packet it offers IPv4/UDP checksum offload, so the replies
        // take the offload path (the PMD computes what the flags ask for).
        const char* nic = std::getenv("SWARMLINE_DPDK_NIC");
        tap_nic_ = nic && std::string(nic) == "net_tap";
        ns_ = std::make_unique<NetnsPair>(!tap_nic_);
        if (!ns_->error().empty()) {
            error_ = "namespace set-up: " + ns_->error();
            return;
        }
        // net_tap signals the process for every frame the kernel writes to a tap: as dpdk_backend.hpp
        // asks, every thread but the DPDK workers blocks those signals (the test clients here wait
        // in poll(), which would return EINTR).
        sigset_t tap_signals;
        sigemptyset(&tap_signals);
        sigaddset(&tap_signals, SIGIO);
        for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) sigaddset(&tap_signals, sig);
        pthread_sigmask(SIG_BLOCK, &tap_signals, nullptr);
        // Everything the process starts from here on (EAL's threads, the workers, the io_uring
        // listeners) lives in the server namespace.
        if (!ns_->enter_server()) {
            error_ = "cannot enter " + ns_->server;
            return;
        }
        io::dpdk::Config config;
        const std::string tap_nic_if = "swdt" + std::to_string(::getpid());
        if (tap_nic_) {
            config.vdev = "net_tap_nic,iface=" + tap_nic_if;
            config.port = "net_tap_nic";
        } else {
            config.vdev = "net_af_packet0,iface=" + ns_->server_if + ",qpairs=" + std::to_string(kWorkers);
        }
        config.addresses = {ns_->server_v4() + "/24", ns_->server_v6() + "/64"};
        config.exception_iface = "swl0";
        config.no_huge = true;
        config.memory_mb = 256;
        config.file_prefix = "swl-test-" + std::to_string(::getpid());
        config.mbufs = 2047;
        config.idle_sleep_us = 100;  // the test host's cores are shared
        io::BackendSettings settings;
        settings.cores.assign(kWorkers, -1);
        io::Endpoints udp_endpoints;
        udp_endpoints.udp = {address(ns_->server_v4() + ":" + std::to_string(kUdpPort)),
                             address("[" + ns_->server_v6() + "]:" + std::to_string(kUdpPort))};
        dpdk_ = std::make_unique<Tracker>();
        const std::string shm_prefix = "swl-dpdk-test-" + std::to_string(::getpid());
        auto backend = io::dpdk::make_backend(config, settings);
        dpdk_backend_ = backend.get();
        if (auto err = dpdk_->start(std::move(backend), udp_endpoints, shm_prefix); !err.empty()) {
            error_ = "dpdk backend: " + err;
            return;
        }
        if (tap_nic_) {
            if (auto err = ns_->adopt_client_interface(tap_nic_if); !err.empty()) {
                error_ = "the tap NIC's kernel side: " + err;
                return;
            }
        }

        // HTTP is the kernel's: io_uring listens on the exception interface's copy of our address.
        io::Endpoints http_endpoints;
        http_endpoints.http = {address(ns_->server_v4() + ":" + std::to_string(kHttpPort)),
                               address("[" + ns_->server_v6() + "]:" + std::to_string(kHttpPort))};
        http_ = std::make_unique<Tracker>();
        if (auto err = http_->start(io::make_uring_backend(settings), http_endpoints, shm_prefix + "-http"); !err.empty())
            error_ = "io_uring backend on the exception interface: " + err;
    }

    static void TearDownTestSuite() {
        http_.reset();
        dpdk_.reset();
        ns_.reset();
    }

    void SetUp() override {
        if (!skip_.empty()) GTEST_SKIP() << skip_;
        ASSERT_TRUE(error_.empty()) << error_;
    }

    // A BEP 15 client socket in the client namespace.
    static std::unique_ptr<UdpClient> client(bool v6 = false) {
        std::unique_ptr<UdpClient> c;
        const auto to = v6 ? address("[" + ns_->server_v6() + "]:" + std::to_string(kUdpPort))
                           : address(ns_->server_v4() + ":" + std::to_string(kUdpPort));
        EXPECT_TRUE(ns_->in_client([&] { c = std::make_unique<UdpClient>(to); }));
        return c;
    }

    // Summed over the DPDK workers.
    static std::uint64_t port_count(PortCounter c) {
        std::uint64_t sum = 0;
        for (std::uint32_t i = 0; i < kWorkers; ++i) sum += dpdk_backend_->port_counters(i).get(c);
        return sum;
    }
    static std::uint64_t worker_count(io::Counter c) {
        std::uint64_t sum = 0;
        for (const auto& w : dpdk_->workers) sum += w->counters().get(c);
        return sum;
    }

    static inline io::dpdk::DpdkBackend* dpdk_backend_ = nullptr;
    static inline bool tap_nic_ = false;
    static inline std::string skip_;
    static inline std::string error_;
    static inline std::unique_ptr<NetnsPair> ns_;
    static inline std::unique_ptr<Tracker> dpdk_;
    static inline std::unique_ptr<Tracker> http_;
};

TEST_F(DpdkBackend, ConnectAnnounceAndScrapeOverIpv4) {
    auto leecher = client();
    auto seeder = client();
    // The first datagram needs our MAC: the fast path answers the client kernel's ARP request.
    ASSERT_EQ(ns_->run_in_client("ip neigh flush all"), 0);
    const std::uint64_t arp_before = port_count(PortCounter::answered_arp);
    auto id_l = leecher->connect();
    auto id_s = seeder->connect();
    ASSERT_TRUE(id_l && id_s);
    EXPECT_GT(port_count(PortCounter::answered_arp), arp_before);

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

TEST_F(DpdkBackend, ForgedConnectionIdIsRefused) {
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

TEST_F(DpdkBackend, ManySwarmsAreAnsweredWhicheverWorkerOwnsThem) {
    // Swarms are spread over both workers' shards: about half of these announces are handed to the
    // other worker, which sends the reply from its own queue with the MAC the first one learned.
    auto c = client();
    auto id = c->connect();
    ASSERT_TRUE(id);
    udp::Response r;
    std::vector<std::uint8_t> storage;
    const std::uint64_t handed_before = worker_count(io::Counter::handoff_sent);
    for (std::uint8_t i = 0; i < 32; ++i) {
        ASSERT_TRUE(c->announce(*id, announce_of(hash_of(static_cast<std::uint8_t>(i * 8)), 3, 40003, 9), r, storage))
            << "announce " << int(i);
        EXPECT_EQ(r.action, udp::Action::announce);
        EXPECT_EQ(r.leechers, 1u);
    }
    EXPECT_GT(worker_count(io::Counter::handoff_sent), handed_before) << "no announce crossed workers";
    EXPECT_EQ(port_count(PortCounter::no_neighbor), 0u);
}

TEST_F(DpdkBackend, Ipv6AnnounceAfterNeighbourDiscovery) {
    auto a = client(true);
    auto b = client(true);
    // The client kernel's neighbour solicitation for our address is answered by the fast path.
    ASSERT_EQ(ns_->run_in_client("ip -6 neigh flush all"), 0);
    const std::uint64_t nd_before = port_count(PortCounter::answered_neighbor);
    auto id_a = a->connect();
    auto id_b = b->connect();
    ASSERT_TRUE(id_a && id_b);
    EXPECT_GT(port_count(PortCounter::answered_neighbor), nd_before);
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

TEST_F(DpdkBackend, LargeIpv6ReplyArrivesInFragments) {
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
    const std::uint64_t fragmented = port_count(PortCounter::fragmented);
    auto a = announce_of(h, 0xee, 43000, 1000);
    a.numwant = 200;
    ASSERT_TRUE(c->announce(*id, a, r, storage));
    ASSERT_EQ(r.action, udp::Action::announce);
    EXPECT_EQ(r.seeders, 100u);
    EXPECT_EQ(r.peers.size(), 100u * 18u);
    EXPECT_EQ(port_count(PortCounter::fragmented) - fragmented, 1u);
}

TEST_F(DpdkBackend, HttpAnnounceReachesTheKernelThroughTheExceptionPath) {
    // TCP to the same address as the UDP tracker: the fast path hands it to the tap, the kernel's
    // io_uring server answers, and the reply leaves through DPDK again. Over IPv6 the kernel also
    // resolves the client itself: its neighbour solicitation leaves through DPDK and the
    // advertisement comes back through the exception path.
    for (const bool v6 : {false, true}) {
        SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
        const std::uint64_t to_kernel = port_count(PortCounter::to_kernel);
        const std::uint64_t from_kernel = port_count(PortCounter::from_kernel);
        const std::string host = v6 ? "[" + ns_->server_v6() + "]" : ns_->server_v4();
        const std::string url = "http://" + host + ":" + std::to_string(kHttpPort) +
                                "/announce?info_hash=%01%02%03%04%05%06%07%08%09%0a%0b%0c%0d%0e%0f%10%11%12%13%14"
                                "&peer_id=-XX0001-abcdefghijkl&port=51413&uploaded=0&downloaded=0&left=10&compact=1";
        std::string out;
        const int rc = ns_->run_in_client("curl -gsS --max-time 10 \"" + url + "\"", &out);
        ASSERT_EQ(rc, 0) << out;
        EXPECT_NE(out.find("8:interval"), std::string::npos) << out;
        // At least the SYN, the request and the ACKs went in, the SYN-ACK and the reply came out.
        EXPECT_GE(port_count(PortCounter::to_kernel) - to_kernel, 3u);
        EXPECT_GE(port_count(PortCounter::from_kernel) - from_kernel, 2u);
    }
}

TEST_F(DpdkBackend, LibtorrentDownloadsWithPeersFromTheFastPath) {
    const char* script = std::getenv("SWARMLINE_DPDK_LIBTORRENT");
    if (!script) GTEST_SKIP() << "SWARMLINE_DPDK_LIBTORRENT (the download script) is not set; meson test sets it";
    const std::uint64_t announces = worker_count(io::Counter::udp_announce);
    std::string out;
    const int rc = ns_->run_in_client(std::string("/usr/bin/python3 ") + script + " --tracker udp://" +
                                          ns_->server_v4() + ":" + std::to_string(kUdpPort) + "/announce --bind " +
                                          ns_->client_v4(),
                                      &out);
    if (rc == 77) GTEST_SKIP() << out;
    ASSERT_EQ(rc, 0) << out;
    EXPECT_GE(worker_count(io::Counter::udp_announce) - announces, 2u) << "both clients announced to us";
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

TEST_F(DpdkBackend, EchoIsAnsweredByTheFastPath) {
    const std::uint64_t before = port_count(PortCounter::answered_echo);
    EXPECT_TRUE(ping(*ns_, ns_->server_v4(), false));
    EXPECT_TRUE(ping(*ns_, ns_->server_v6(), true));
    EXPECT_EQ(port_count(PortCounter::answered_echo) - before, 2u);
}

}  // namespace
