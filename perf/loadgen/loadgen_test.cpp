// What users of the load generator rely on: percentiles within the histogram's stated precision,
// the same info_hashes in the whitelist dump as on the wire, bad options refused, and real runs
// against the ceiling responders and a small HTTP tracker that count every answer.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "config.hpp"
#include "histogram.hpp"
#include "traffic.hpp"
#include "workload.hpp"

namespace swarmline::loadgen {
namespace {

TEST(Histogram, PercentilesWithinOneThirtySecond) {
    Histogram h;
    for (std::uint64_t v = 1; v <= 100'000; ++v) h.record(v * 1000);  // 1 us .. 100 ms
    EXPECT_EQ(h.count(), 100'000u);
    EXPECT_EQ(h.max(), 100'000'000u);
    for (double q : {0.5, 0.99, 0.999}) {
        const double truth = q * 100'000'000.0;
        const double got = static_cast<double>(h.quantile(q));
        EXPECT_GE(got, truth * (1 - 1.0 / 32)) << q;
        EXPECT_LE(got, truth * (1 + 1.0 / 32)) << q;
    }
    EXPECT_EQ(h.quantile(1.0), h.max());
}

TEST(Histogram, BucketsCoverEveryValue) {
    for (std::uint64_t v : {0ull, 1ull, 63ull, 64ull, 65ull, 1000ull, 123456789ull, ~0ull}) {
        const unsigned i = Histogram::index(v);
        ASSERT_LT(i, Histogram::kBuckets) << v;
        EXPECT_GE(Histogram::upper_bound(i), v) << v;
        if (i > 0) {
            EXPECT_LT(Histogram::upper_bound(i - 1), v) << v;
        }
    }
}

TEST(Histogram, EmptyAndMerged) {
    Histogram a, b;
    EXPECT_EQ(a.quantile(0.99), 0u);
    a.record(10);
    b.record(5000);
    a.merge(b);
    EXPECT_EQ(a.count(), 2u);
    EXPECT_EQ(a.quantile(0.5), 10u);
    EXPECT_EQ(a.max(), 5000u);
}

TEST(Workload, DumpMatchesTheHashesSent) {
    WorkloadConfig wc;
    wc.torrents = 1000;
    wc.peers = 2000;
    const Workload w(wc), again(wc);
    const std::string path = ::testing::TempDir() + "loadgen_hashes.txt";
    ASSERT_EQ(w.dump_info_hashes(path), "");
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::remove(path.c_str());
    ASSERT_EQ(lines.size(), 1000u);
    for (std::uint32_t t : {0u, 1u, 999u}) {
        char hex[41];
        const auto h = again.info_hash(t);
        for (std::size_t i = 0; i < h.size(); ++i) std::snprintf(hex + 2 * i, 3, "%02x", h[i]);
        EXPECT_EQ(lines[t], hex) << t;
    }
    EXPECT_NE(w.info_hash(0), w.info_hash(1));
}

TEST(Workload, PopularityIsSkewedAndInRange) {
    WorkloadConfig wc;
    wc.torrents = 10'000;
    const Workload w(wc);
    Rng rng(42);
    std::uint32_t head = 0;
    for (int i = 0; i < 100'000; ++i) {
        const std::uint32_t t = w.popular_torrent(rng);
        ASSERT_LT(t, wc.torrents);
        head += t < wc.torrents / 100 ? 1 : 0;
    }
    // Pareto(1, 2) capped at 101: P(x < 2) = 3/4 of draws land in the first 1 % of torrents.
    EXPECT_GT(head, 70'000u);
    EXPECT_LT(head, 80'000u);
}

TEST(Traffic, EventsFollowEachPeersLife) {
    Config c;
    c.torrents = 10;
    c.peers = 1;
    c.seeder_percent = 0;
    c.completed_permille = 100;
    c.stopped_permille = 100;
    ASSERT_EQ(c.resolve(), "");
    Workload w(c.workload);
    Traffic t(c, w);
    Rng rng(7);
    proto::Announce a;
    t.announce(0, 0, 0, rng, a);
    EXPECT_EQ(a.event, proto::Event::started);  // a peer's first announce
    EXPECT_NE(a.left, 0u);                      // a leecher
    int completed = 0, restarted = 0;
    proto::Event last = a.event;
    for (int i = 0; i < 10'000; ++i) {
        const bool was_seeder = w.peer(0).seeder;
        t.announce(0, 0, 0, rng, a);
        if (a.event == proto::Event::completed) {
            EXPECT_FALSE(was_seeder);  // only a leecher completes
            EXPECT_EQ(a.left, 0u);     // and announces as a seeder from then on
            ++completed;
        }
        if (a.event == proto::Event::started) {
            EXPECT_EQ(last, proto::Event::stopped);  // only a stopped peer starts again
            ++restarted;
        }
        last = a.event;
    }
    EXPECT_GT(completed, 0);
    EXPECT_GT(restarted, 0);
    EXPECT_EQ(a.info_hash, w.info_hash(w.peer(0).torrent));
    EXPECT_GE(a.port, 28000);
}

TEST(Traffic, FillAnnouncesStarted) {
    Config c;
    c.torrents = 10;
    c.peers = 10;
    c.fill = true;
    ASSERT_EQ(c.resolve(), "");
    Workload w(c.workload);
    Traffic t(c, w);
    Rng rng(1);
    proto::Announce a;
    for (int i = 0; i < 3; ++i) {
        t.announce(3, 0, 0, rng, a);
        EXPECT_EQ(a.event, proto::Event::started);
    }
}

TEST(Config, RefusesBadTargetsAndMixedProtocols) {
    Config c;
    c.target_urls = {"tcp://127.0.0.1:1"};
    EXPECT_NE(c.resolve(), "");
    c.target_urls = {"udp://127.0.0.1:6969", "http://127.0.0.1:6969"};
    EXPECT_NE(c.resolve(), "");
    c.target_urls = {"udp://[::1]:6969/{passkey}/announce"};
    EXPECT_NE(c.resolve(), "");  // a {passkey} path needs a passkey file
    c.target_urls = {"http://127.0.0.1:6969/announce"};
    c.peers_per_torrent = 3;
    c.torrents = 10;
    ASSERT_EQ(c.resolve(), "");
    EXPECT_EQ(c.peers, 30u);
    EXPECT_EQ(c.targets[0].scrape_path, "/scrape");
}

// Runs `argv`, returns its stdout; `ready` (if non-empty) is waited for on its stderr first.
struct Child {
    pid_t pid = -1;
    int out = -1;
    int err = -1;
};

Child spawn(const std::vector<std::string>& args) {
    int o[2], e[2];
    if (pipe(o) != 0 || pipe(e) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(o[1], 1);
        dup2(e[1], 2);
        close(o[0]);
        close(e[0]);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(o[1]);
    close(e[1]);
    return {pid, o[0], e[0]};
}

// Reads `fd` until it closes or `needle` appears (within 20 s); returns what was read.
std::string read_until(int fd, const std::string& needle) {
    std::string text;
    char buf[4096];
    for (int waited = 0; waited < 200; ++waited) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (!needle.empty() && text.find(needle) != std::string::npos) break;
    }
    return text;
}

// The top-level `key` of the report: it comes after the per-kind object that repeats some keys.
std::uint64_t json_number(const std::string& json, const std::string& key) {
    const auto at = json.rfind("\"" + key + "\":");
    if (at == std::string::npos) return ~0ull;
    return std::strtoull(json.c_str() + at + key.size() + 3, nullptr, 10);
}

// A ceiling responder on a free port (`protocol` is "udp" or "http", its option and its field in
// the ready line), stopped when the test ends however it ends.
struct Ceiling {
    Child child;
    std::string addr;
    Ceiling(const char* path, const std::string& protocol, const std::string& listen = "127.0.0.1:0") {
        child = spawn({path, "--" + protocol, listen, "--duration", "60"});
        const std::string ready = read_until(child.err, "\n");
        const std::string key = protocol + "=";
        if (const auto at = ready.find(key); at != std::string::npos)
            addr = ready.substr(at + key.size(), ready.find_first_of(" \n", at) - at - key.size());
    }
    ~Ceiling() {
        if (child.pid <= 0) return;
        kill(child.pid, SIGTERM);
        waitpid(child.pid, nullptr, 0);
        close(child.out);
        close(child.err);
    }
};

// Runs the load generator to its end; returns its stdout, plus the exit status when not 0.
std::string run_to_end(const std::vector<std::string>& args) {
    Child run = spawn(args);
    std::string report = read_until(run.out, "");
    int status = 0;
    waitpid(run.pid, &status, 0);
    close(run.out);
    close(run.err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) report += " (exit status " + std::to_string(status) + ")";
    return report;
}

// The load generator on the small workload every socket test uses, for one second unless `args`
// say otherwise (a later option wins), with a long timeout: a loaded machine may stall a run,
// which must not read as a lost answer.
std::string run_loadgen(const std::vector<std::string>& args) {
    std::vector<std::string> all{std::getenv("SWARMLINE_LOADGEN"), "--duration", "1", "--torrents", "1000", "--peers",
                                 "2000", "--json", "--timeout-ms", "10000"};
    all.insert(all.end(), args.begin(), args.end());
    return run_to_end(all);
}

// Tests that run the load generator (and the ceilings), which meson names in the environment.
class LoadgenAgainstHttp : public ::testing::Test {
protected:
    void SetUp() override {
        }
};

class LoadgenAgainstCeiling : public ::testing::Test {
protected:
    void SetUp() override {
        if (!std::getenv("SWARMLINE_LOADGEN") || !udp_ceiling() || !http_ceiling())
            GTEST_SKIP() << "SWARMLINE_LOADGEN / SWARMLINE_UDP_CEILING / SWARMLINE_HTTP_CEILING not set (meson sets them)";
    }
    static const char* udp_ceiling() { return std::getenv("SWARMLINE_UDP_CEILING"); }
    static const char* http_ceiling() { return std::getenv("SWARMLINE_HTTP_CEILING"); }
};

TEST_F(LoadgenAgainstCeiling, CountsEveryAnswer) {
    Ceiling ceiling(udp_ceiling(), "udp");
    ASSERT_FALSE(ceiling.addr.empty());
    // Open loop at a low rate; a long timeout, so a stalled machine cannot turn answers into losses.
    const std::string report = run_loadgen({"--target", "udp://" + ceiling.addr, "--rate", "2000"});
    const std::uint64_t responses = json_number(report, "responses");
    EXPECT_GT(responses, 100u) << report;
    EXPECT_EQ(json_number(report, "sent"), responses + json_number(report, "outstanding_at_end")) << report;
    EXPECT_EQ(json_number(report, "invalid"), 0u) << report;
    EXPECT_EQ(json_number(report, "timeouts"), 0u) << report;
}

// An open loop asked for far more than any server answers is always behind schedule, so it never
// sleeps: answers must still be collected, each freeing its slot for the next request.
TEST_F(LoadgenAgainstCeiling, OpenLoopBehindScheduleStillCollectsAnswers) {
    Ceiling ceiling(udp_ceiling(), "udp");
    ASSERT_FALSE(ceiling.addr.empty());
    const std::string report = run_loadgen({"--target", "udp://" + ceiling.addr, "--rate", "1000000", "--in-flight", "16"});
    EXPECT_GT(json_number(report, "responses"), 1000u) << report;
    EXPECT_GT(json_number(report, "unsent"), 0u) << report;  // behind schedule indeed
    EXPECT_EQ(json_number(report, "timeouts"), 0u) << report;
}

TEST_F(LoadgenAgainstCeiling, StopsAfterTheRequestBudget) {
    Ceiling ceiling(udp_ceiling(), "udp");
    ASSERT_FALSE(ceiling.addr.empty());
    // Exactly that many go out over both workers, all are answered, and the run ends before --duration.
    const std::string report = run_loadgen({"--target", "udp://" + ceiling.addr, "--duration", "60", "--requests", "501",
                                            "--workers", "2"});
    EXPECT_EQ(json_number(report, "sent"), 501u) << report;
    EXPECT_EQ(json_number(report, "responses"), 501u) << report;
}

TEST_F(LoadgenAgainstCeiling, HttpKeepAliveAndPipelined) {
    Ceiling ceiling(http_ceiling(), "http");
    ASSERT_FALSE(ceiling.addr.empty());
    const std::string report = run_loadgen({"--target", "http://" + ceiling.addr + "/announce", "--requests", "2000",
                                            "--duration", "60", "--in-flight", "8", "--pipeline", "8"});
    EXPECT_EQ(json_number(report, "responses"), 2000u) << report;
    EXPECT_EQ(json_number(report, "reconnects"), 0u) << report;  // kept alive throughout
    EXPECT_EQ(json_number(report, "invalid"), 0u) << report;
}

TEST_F(LoadgenAgainstCeiling, Ipv6) {
    const int probe = socket(AF_INET6, SOCK_DGRAM, 0);
    sockaddr_in6 lo{};
    lo.sin6_family = AF_INET6;
    lo.sin6_addr = in6addr_loopback;
    const bool have_v6 = probe >= 0 && bind(probe, reinterpret_cast<sockaddr*>(&lo), sizeof lo) == 0;
    if (probe >= 0) close(probe);
    if (!have_v6) GTEST_SKIP() << "no IPv6 loopback (::1) here";
    for (const std::string protocol : {"udp", "http"}) {
        Ceiling ceiling(protocol == "udp" ? udp_ceiling() : http_ceiling(), protocol, "[::1]:0");
        ASSERT_FALSE(ceiling.addr.empty()) << protocol;
        const std::string report = run_loadgen({"--target", protocol + "://" + ceiling.addr +
                                                (protocol == "http" ? "/announce" : ""), "--requests", "300",
                                                "--duration", "60", "--in-flight", "8"});
        EXPECT_EQ(json_number(report, "responses"), 300u) << protocol << ": " << report;
        EXPECT_EQ(json_number(report, "invalid"), 0u) << protocol << ": " << report;
    }
}

// The HTTP ceiling answers each request head exactly once, wherever the reads split it, and a
// client's half-close loses none of the answers it is owed.
TEST_F(LoadgenAgainstCeiling, HttpCeilingAnswersEveryHeadOnce) {
    Ceiling ceiling(http_ceiling(), "http");
    ASSERT_FALSE(ceiling.addr.empty());
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(std::stoi(ceiling.addr.substr(ceiling.addr.rfind(':') + 1))));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    const std::string request = "GET /announce?info_hash=%01 HTTP/1.1\r\nHost: tracker\r\n\r\n";
    for (char ch : request) send(fd, &ch, 1, MSG_NOSIGNAL);              // one byte a segment
    send(fd, request.data(), request.size(), MSG_NOSIGNAL);              // whole
    send(fd, request.data(), request.size() - 1, MSG_NOSIGNAL);          // split inside "\r\n\r\n"
    send(fd, "\n", 1, MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
    const std::string answers = read_until(fd, "");  // to the ceiling's close
    close(fd);
    std::size_t count = 0;
    for (auto at = answers.find("HTTP/1.1 200 OK\r\n"); at != std::string::npos;
         at = answers.find("HTTP/1.1 200 OK\r\n", at + 1))
        ++count;
    EXPECT_EQ(count, 3u) << answers;
    EXPECT_TRUE(answers.ends_with("5:peers0:e")) << answers;
}

// A minimal HTTP tracker on 127.0.0.1: answers every GET with `body`, keeps connections alive but
// closes each one after its third answer (as a server with a keep-alive limit does).
class TinyHttpTracker {
public:
    explicit TinyHttpTracker(std::string body) : body_(std::move(body)) {
        listener_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listener_, 128) != 0 ||
            getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            return;
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~TinyHttpTracker() {
        stop_.store(true, std::memory_order_relaxed);  // only a flag: the thread reads nothing else
        if (thread_.joinable()) thread_.join();
        for (auto& c : conns_) close(c.fd);
        close(listener_);
    }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

private:
    struct Conn {
        int fd;
        std::string in;
        int answered = 0;
        bool draining = false;  // answered its last: reads and drops input until the client closes
    };
    void serve() {
        while (!stop_.load(std::memory_order_relaxed)) {
            std::vector<pollfd> fds{{listener_, POLLIN, 0}};
            for (const auto& c : conns_) fds.push_back({c.fd, POLLIN, 0});
            if (poll(fds.data(), fds.size(), 50) <= 0) continue;
            if (fds[0].revents & POLLIN) {
                const int fd = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK);
                if (fd >= 0) conns_.push_back({fd, {}, 0});
            }
            for (std::size_t i = fds.size() - 1; i >= 1; --i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
                Conn& c = conns_[i - 1];
                char buf[4096];
                const ssize_t n = read(c.fd, buf, sizeof buf);
                if (n <= 0) {
                    close(c.fd);
                    conns_.erase(conns_.begin() + static_cast<std::ptrdiff_t>(i - 1));
                    continue;
                }
                if (c.draining) continue;
                c.in.append(buf, static_cast<std::size_t>(n));
                // `c` dies with an erase below, so the loop looks at it only while it is open.
                bool closed = false;
                while (!closed) {
                    const auto end = c.in.find("\r\n\r\n");
                    if (end == std::string::npos) break;
                    c.in.erase(0, end + 4);
                    const bool last = ++c.answered == 3;
                    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body_.size()) +
                                              (last ? "\r\nConnection: close" : "") + "\r\n\r\n" + body_;
                    if (send(c.fd, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) {
                        close(c.fd);
                        conns_.erase(conns_.begin() + static_cast<std::ptrdiff_t>(i - 1));
                        closed = true;
                    } else if (last) {
                        // A lingering close, as real servers do: closing with a pipelined request still
                        // unread would send a reset, and a reset may discard answers the client has not
                        // read yet. Half-close, then drop input until the client closes its side.
                        shutdown(c.fd, SHUT_WR);
                        c.draining = true;
                        c.in.clear();
                        closed = true;
                    }
                }
            }
        }
    }
    std::string body_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::vector<Conn> conns_;
    std::thread thread_;
};

TEST_F(LoadgenAgainstHttp, KeepsAliveAndReconnectsWhenClosed) {
    using namespace std::string_literals;  // the peer's bytes hold NULs
    TinyHttpTracker tracker("d8:intervali1800e5:peers6:\x7f\x00\x00\x01\x1a\xe1"s + "e");
    ASSERT_NE(tracker.port(), 0);
    const std::string report = run_loadgen({"--target", "http://127.0.0.1:" + std::to_string(tracker.port()) +
                                            "/announce", "--rate", "2000", "--in-flight", "8"});
    const std::uint64_t responses = json_number(report, "responses");
    EXPECT_GT(responses, 100u) << report;
    EXPECT_EQ(json_number(report, "invalid"), 0u) << report;
    EXPECT_EQ(json_number(report, "timeouts"), 0u) << report;
    EXPECT_EQ(json_number(report, "error_responses"), 0u) << report;
    // Every third answer closes its connection; each close is followed by a reconnect.
    EXPECT_GE(json_number(report, "reconnects") + 8, responses / 3) << report;
    EXPECT_LE(json_number(report, "reconnects"), responses / 3 + 8) << report;
    EXPECT_GT(json_number(report, "response_peers"), 0u) << report;
}

TEST_F(LoadgenAgainstHttp, PipelinesAndResendsWhatACloseDropped) {
    TinyHttpTracker tracker("d8:intervali1800ee");
    ASSERT_NE(tracker.port(), 0);
    // Four requests in flight per connection; the server answers three and closes, so every
    // connection drops one pipelined request, which must be sent again rather than lost.
    const std::string report = run_loadgen({"--target", "http://127.0.0.1:" + std::to_string(tracker.port()) +
                                            "/announce", "--in-flight", "4", "--pipeline", "4"});
    const std::uint64_t responses = json_number(report, "responses");
    EXPECT_GT(responses, 100u) << report;
    EXPECT_EQ(json_number(report, "invalid"), 0u) << report;
    EXPECT_EQ(json_number(report, "timeouts"), 0u) << report;
    EXPECT_EQ(json_number(report, "sent"), responses + json_number(report, "outstanding_at_end")) << report;
}

TEST_F(LoadgenAgainstHttp, StopsAfterTheRequestBudget) {
    TinyHttpTracker tracker("d8:intervali1800ee");
    ASSERT_NE(tracker.port(), 0);
    // Pipelined requests that the server's closes drop are sent again, outside the budget.
    const std::string report = run_loadgen({"--target", "http://127.0.0.1:" + std::to_string(tracker.port()) +
                                            "/announce", "--in-flight", "4", "--pipeline", "4", "--requests", "300",
                                            "--duration", "60"});
    EXPECT_EQ(json_number(report, "sent"), 300u) << report;
    EXPECT_EQ(json_number(report, "responses"), 300u) << report;
    EXPECT_EQ(json_number(report, "outstanding_at_end"), 0u) << report;
}

TEST_F(LoadgenAgainstHttp, CountsFailureReasonsAsErrors) {
    TinyHttpTracker tracker("d14:failure reason12:unregisterede");
    ASSERT_NE(tracker.port(), 0);
    const std::string report = run_loadgen({"--target", "http://127.0.0.1:" + std::to_string(tracker.port()) +
                                            "/announce", "--rate", "500", "--in-flight", "4"});
    EXPECT_EQ(json_number(report, "responses"), 0u) << report;
    EXPECT_GT(json_number(report, "error_responses"), 0u) << report;
    EXPECT_NE(report.find("\"first_error\":\"unregistered\""), std::string::npos) << report;
}

// A listener that never accepts: the kernel completes the handshakes and nobody answers. Every
// request times out, each connection that timed out is closed and opened again, and the run ends.
TEST_F(LoadgenAgainstHttp, CountsTimeoutsAndReconnects) {
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(listen(listener, 1024), 0);
    ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
    const std::string report = run_loadgen({"--target", "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) +
                                            "/announce", "--in-flight", "4", "--timeout-ms", "100", "--duration",
                                            "2"});
    close(listener);
    EXPECT_EQ(json_number(report, "responses"), 0u) << report;
    EXPECT_EQ(json_number(report, "invalid"), 0u) << report;
    EXPECT_GT(json_number(report, "timeouts"), 0u) << report;
    EXPECT_GT(json_number(report, "reconnects"), 0u) << report;
    EXPECT_EQ(json_number(report, "sent"), json_number(report, "timeouts") + json_number(report, "outstanding_at_end"))
        << report;
}

}  // namespace
}  // namespace swarmline::loadgen
