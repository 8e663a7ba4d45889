// HTTP/1.1 announces and scrapes over real sockets against a running swarmline-dataplane:
// compact and non-compact replies, scrape, pipelining, timeouts, limits and refusals.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "daemon_process.hpp"

namespace swarmline::test {
namespace {

std::string escape(std::string_view bytes) {
    static const char* hex = "0123456789ABCDEF";
    std::string s;
    for (unsigned char c : bytes) {
        s += '%';
        s += hex[c >> 4];
        s += hex[c & 15];
    }
    return s;
}

std::string hash_of(char seed) { return std::string(20, seed); }

std::string announce_target(const std::string& hash, char peer, int port, int left, bool compact) {
    return "/announce?info_hash=" + escape(hash) + "&peer_id=" + escape(std::string(20, peer)) +
           "&port=" + std::to_string(port) + "&uploaded=0&downloaded=0&left=" + std::to_string(left) +
           "&event=started&compact=" + (compact ? "1" : "0");
}

std::string get(const std::string& target, std::string_view extra = {}) {
    return "GET " + target + " HTTP/1.1\r\nHost: tracker\r\nUser-Agent: qBittorrent/4.5.2\r\n" + std::string(extra) +
           "\r\n";
}

class Connection {
public:
    explicit Connection(const io::net::Address& to) {
        fd_ = ::socket(to.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        connected_ = ::connect(fd_, to.sa(), to.length) == 0;
    }
    ~Connection() { ::close(fd_); }
    [[nodiscard]] bool connected() const { return connected_; }
    void send(std::string_view bytes) const { ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }

    // Reads until `count` whole responses arrived (or the peer closed, or 10 s passed without data).
    std::vector<std::string> responses(std::size_t count) {
        std::vector<std::string> out;
        while (out.size() < count) {
            auto head_end = buffer_.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                auto cl = buffer_.find("Content-Length: ");
                std::size_t length = cl < head_end ? std::stoul(buffer_.substr(cl + 16)) : 0;
                if (buffer_.size() >= head_end + 4 + length) {
                    out.push_back(buffer_.substr(0, head_end + 4 + length));
                    buffer_.erase(0, head_end + 4 + length);
                    continue;
                }
            }
            if (!read_more()) break;
        }
        return out;
    }
    // True when the server closes the connection (reading gives end of file) within `seconds`.
    bool closed_by_server(int seconds) {
        for (int waited = 0; waited < seconds * 10; ++waited) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char buf[4096];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return true;
            buffer_.append(buf, static_cast<std::size_t>(n));
        }
        return false;
    }
    std::string& buffer() { return buffer_; }

private:
    bool read_more() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 10000) <= 0) return false;
        char buf[65536];
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return false;
        buffer_.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    int fd_ = -1;
    bool connected_ = false;
    std::string buffer_;
};

std::string ask(const io::net::Address& to, const std::string& request) {
    Connection c(to);
    c.send(request);
    auto r = c.responses(1);
    return r.empty() ? std::string() : r[0];
}

// What curl (a client this test does not write) prints for `targets`, fetched in one invocation:
// curl keeps the connection alive between them. Empty when curl could not run.
std::string curl(const io::net::Address& at, const std::vector<std::string>& targets) {
    std::string cmd = "curl --silent --show-error --max-time 10";
    for (const auto& t : targets) cmd += " 'http://" + io::net::to_string(at) + t + "'";
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (p == nullptr) return {};
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    return ::pclose(p) == 0 ? out : "curl failed: " + out;
}

class Http : public ::testing::Test {
protected:
    void start(std::vector<std::string> args) {
        args.insert(args.end(), {"--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--admin", "127.0.0.1:0",
                                 "--peers-per-shard", "4096", "--v6-peers-per-shard", "1024", "--torrents-per-shard",
                                 "1024", "--users", "1024", "--torrents", "1024", "--tokens", "1024",
                                 "--event-ring", "1024", "--accumulator", "1024"});
        ASSERT_EQ(daemon_.start(args, shm_.path()), "");
        ASSERT_FALSE(daemon_.http.empty());
        at_ = daemon_.http[0];
    }
    void TearDown() override {
        if (HasFailure()) std::cerr << "daemon log:\n" << daemon_.log();
        if (daemon_.running()) {
            EXPECT_EQ(daemon_.stop(SIGTERM), 0) << "SIGTERM must drain and exit 0";
        }
    }
    DaemonProcess daemon_;
    ScratchShm shm_;
    io::net::Address at_;
};

TEST_F(Http, CurlAnnouncesCompactAndNotThenScrapesOnOneConnection) {
    start({"--open", "--workers", "1"});
    const std::string h = hash_of('k');
    const std::string out = curl(at_, {announce_target(h, 'a', 40011, 100, true), announce_target(h, 'b', 40012, 0, false),
                                       "/scrape?info_hash=" + escape(h)});
    // The second peer's non-compact reply lists the first; the scrape counts both.
    EXPECT_NE(out.find("4:porti40011e"), std::string::npos) << out;
    EXPECT_NE(out.find("5:filesd20:" + h + "d8:completei1e10:downloadedi0e10:incompletei1eee"), std::string::npos)
        << out;
    EXPECT_EQ(out.find("failure reason"), std::string::npos) << out;
    // One connection carried all three.
    EXPECT_NE(http_get(daemon_.admin, "/metrics").find("swarmline_http_connections_accepted_total 1\n"),
              std::string::npos);
}

TEST_F(Http, AnnounceCompactAndNotThenScrape) {
    start({"--open", "--workers", "2"});
    const std::string h = hash_of('h');
    std::string r = ask(at_, get(announce_target(h, 'a', 40001, 100, true)));
    ASSERT_TRUE(r.starts_with("HTTP/1.1 200")) << r;
    EXPECT_NE(r.find("8:intervali"), std::string::npos) << r;
    EXPECT_NE(r.find("10:incompletei1e"), std::string::npos) << r;

    r = ask(at_, get(announce_target(h, 'b', 40002, 0, true)));
    ASSERT_TRUE(r.starts_with("HTTP/1.1 200")) << r;
    const std::string compact_peer = std::string("5:peers6:\x7f\x00\x00\x01", 13) + "\x9c\x41";  // :40001
    EXPECT_NE(r.find(compact_peer), std::string::npos) << r;

    r = ask(at_, get(announce_target(h, 'c', 40003, 50, false)));
    ASSERT_TRUE(r.starts_with("HTTP/1.1 200")) << r;
    EXPECT_NE(r.find("2:ip9:127.0.0.1"), std::string::npos) << r;
    EXPECT_NE(r.find("4:porti40001e"), std::string::npos) << r;
    EXPECT_NE(r.find("4:porti40002e"), std::string::npos) << r;

    r = ask(at_, get("/scrape?info_hash=" + escape(h)));
    ASSERT_TRUE(r.starts_with("HTTP/1.1 200")) << r;
    EXPECT_NE(r.find("5:filesd20:" + h + "d8:completei1e10:downloadedi0e10:incompletei2eee"), std::string::npos)
        << r;
}

TEST_F(Http, Ipv6ListenerAnswersWithPeers6) {
    if (!io::net::ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback (::1) on this host";
    start({"--open", "--workers", "1", "--http", "[::1]:0"});
    ASSERT_EQ(daemon_.http.size(), 2u);
    const io::net::Address v6 = daemon_.http[0].v6() ? daemon_.http[0] : daemon_.http[1];
    ASSERT_TRUE(v6.v6());
    const std::string h = hash_of('6');
    std::string r = ask(v6, get(announce_target(h, 'a', 40001, 100, true)));
    ASSERT_TRUE(r.starts_with("HTTP/1.1 200")) << r;
    r = ask(v6, get(announce_target(h, 'b', 40002, 100, true)));
    ASSERT_TRUE(r.starts_with("HTTP/1.1 200")) << r;
    // ::1 port 40001, as 18 compact bytes under "peers6".
    const std::string peer6 = std::string("6:peers618:") + std::string(15, '\0') + "\x01\x9c\x41";
    EXPECT_NE(r.find(peer6), std::string::npos) << r;
}

TEST_F(Http, PipelinedBurstIsAnsweredInOrderOnOneConnection) {
    start({"--open", "--workers", "2"});
    Connection c(at_);
    ASSERT_TRUE(c.connected());
    std::string burst;
    constexpr int kRequests = 100;
    // Peers 0..99 of one swarm, each announcing as a leecher: reply i counts i+1 leechers.
    for (int i = 0; i < kRequests; ++i) {
        std::string target = "/announce?info_hash=" + escape(hash_of('p')) + "&peer_id=" +
                             escape(std::string(18, 'x') + char('A' + i / 26) + char('a' + i % 26)) +
                             "&port=" + std::to_string(41000 + i) + "&uploaded=0&downloaded=0&left=9&compact=1";
        burst += get(target);
    }
    c.send(burst);
    auto replies = c.responses(kRequests);
    ASSERT_EQ(replies.size(), static_cast<std::size_t>(kRequests));
    for (int i = 0; i < kRequests; ++i) {
        ASSERT_TRUE(replies[i].starts_with("HTTP/1.1 200")) << i << ": " << replies[i];
        EXPECT_NE(replies[i].find("10:incompletei" + std::to_string(i + 1) + "e"), std::string::npos)
            << "reply " << i << " out of order: " << replies[i];
    }
}

// A burst far larger than a connection's input buffer (8 KiB): what does not fit waits while the
// replies before it go out, and every request is still answered, in order.
TEST_F(Http, PipelinedBurstLargerThanTheInputIsAnsweredInOrder) {
    start({"--open", "--workers", "1"});
    Connection c(at_);
    ASSERT_TRUE(c.connected());
    std::string burst;
    constexpr int kRequests = 300;
    for (int i = 0; i < kRequests; ++i) {
        std::string target = "/announce?info_hash=" + escape(hash_of('q')) + "&peer_id=" +
                             escape(std::string(17, 'y') + char('A' + i / 100) + char('A' + i / 10 % 10) +
                                    char('a' + i % 10)) +
                             "&port=" + std::to_string(42000 + i) + "&uploaded=0&downloaded=0&left=9&compact=1";
        burst += get(target);
    }
    ASSERT_GT(burst.size(), 4 * 8192u);
    c.send(burst);
    auto replies = c.responses(kRequests);
    ASSERT_EQ(replies.size(), static_cast<std::size_t>(kRequests));
    for (int i = 0; i < kRequests; ++i)
        ASSERT_NE(replies[i].find("10:incompletei" + std::to_string(i + 1) + "e"), std::string::npos)
            << "reply " << i << " out of order: " << replies[i];
}

TEST_F(Http, IdleAndSlowConnectionsAreClosed) {
    start({"--open", "--workers", "1", "--http-idle-timeout", "1", "--http-header-timeout", "1"});
    Connection idle(at_);
    Connection slow(at_);
    ASSERT_TRUE(idle.connected() && slow.connected());
    slow.send("GET /announce?info_hash=");  // and never the rest (slowloris)
    EXPECT_TRUE(idle.closed_by_server(15));
    EXPECT_TRUE(slow.closed_by_server(15));
    std::string metrics = http_get(daemon_.admin, "/metrics");
    EXPECT_NE(metrics.find("swarmline_http_connections_timed_out_total 2"), std::string::npos) << metrics;
    // A keep-alive connection that keeps talking is not closed.
    Connection busy(at_);
    std::string r = ask(at_, get(announce_target(hash_of('k'), 'a', 40001, 1, true)));
    EXPECT_TRUE(r.starts_with("HTTP/1.1 200")) << r;
}

TEST_F(Http, OversizedAndUnknownRequestsAreRefused) {
    start({"--open", "--workers", "1"});
    std::string r = ask(at_, get("/announce?x=" + std::string(3000, 'a')));
    EXPECT_TRUE(r.starts_with("HTTP/1.1 414")) << r;
    EXPECT_NE(r.find("14:failure reason"), std::string::npos) << r;

    std::string many_headers;
    for (int i = 0; i < 200; ++i) many_headers += "X-Filler-" + std::to_string(i) + ": " + std::string(60, 'f') + "\r\n";
    r = ask(at_, get(announce_target(hash_of('o'), 'a', 40001, 1, true), many_headers));
    EXPECT_TRUE(r.starts_with("HTTP/1.1 431")) << r;

    r = ask(at_, get("/index.html"));
    EXPECT_TRUE(r.starts_with("HTTP/1.1 404")) << r;
    EXPECT_NE(r.find("14:failure reason"), std::string::npos) << r;

    r = ask(at_, "GET " + announce_target(hash_of('o'), 'a', 40001, 1, true) +
                          " HTTP/1.1\r\nHost: tracker\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/118.0\r\n\r\n");
    EXPECT_TRUE(r.starts_with("HTTP/1.1 403")) << r;

    r = ask(at_, get("/announce?info_hash=short"));
    EXPECT_TRUE(r.starts_with("HTTP/1.1 400")) << r;
    EXPECT_NE(r.find("14:failure reason"), std::string::npos) << r;
}

TEST_F(Http, PrivateModeWantsAPasskey) {
    start({"--workers", "1"});
    std::string r = ask(at_, get(announce_target(hash_of('q'), 'a', 40001, 1, true)));
    ASSERT_TRUE(r.starts_with("HTTP/1.1 200")) << r;
    EXPECT_NE(r.find("14:failure reason"), std::string::npos) << r;
    r = ask(at_, get("/ffffffffffffffffffffffffffffffff" + announce_target(hash_of('q'), 'a', 40001, 1, true)));
    EXPECT_NE(r.find("14:failure reason"), std::string::npos) << r;
}

TEST_F(Http, ConnectionsBeyondTheCapGet503) {
    start({"--open", "--workers", "1", "--http-max-connections", "2"});
    Connection a(at_);
    Connection b(at_);
    for (Connection* c : {&a, &b}) {
        c->send(get(announce_target(hash_of('c'), 'a', 40001, 1, true)));
        auto r = c->responses(1);
        ASSERT_EQ(r.size(), 1u);
        ASSERT_TRUE(r[0].starts_with("HTTP/1.1 200")) << r[0];
    }
    Connection third(at_);
    third.send(get(announce_target(hash_of('c'), 'b', 40002, 1, true)));
    auto r = third.responses(1);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].starts_with("HTTP/1.1 503")) << r[0];
    EXPECT_NE(r[0].find("14:failure reason"), std::string::npos) << r[0];
}

}  // namespace
}  // namespace swarmline::test
