// The HTTP/1.1 request parser: real client heads (captured by tests/fuzz/capture_requests.py),
// incremental input, pipelining, keep-alive rules of 1.0 and 1.1, and the status of every error.
#include <gtest/gtest.h>

#include <string>

#include "proto/http_request.hpp"

namespace swarmline::proto::http {
namespace {

const std::string kLibtorrent =
    "GET /0123456789abcdefABCDEF0123456789/announce?info_hash=j%ael%25%83%a8%08%85%80%27%10%8di%feC%84%408%96%b6"
    "&peer_id=-LT2080-_s!bDuN_S)x)&port=46379&uploaded=0&downloaded=0&left=111234&corrupt=0&key=9C5BD964"
    "&event=started&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0 HTTP/1.1\r\n"
    "Host: 127.0.0.1:34671\r\n"
    "User-Agent: libtorrent/2.0.8.0\r\n"
    "Accept-Encoding: gzip\r\n"
    "Connection: close\r\n"
    "\r\n";

const std::string kTransmission =
    "GET /0123456789abcdefABCDEF0123456789/announce?info_hash=j%ael%25%83%a8%08%85%80%27%10%8di%feC%84%408%96%b6"
    "&peer_id=-TR3000-kj40zatv4jev&port=51413&uploaded=0&downloaded=0&left=111234&numwant=0&key=57908695"
    "&compact=1&supportcrypto=1&event=stopped HTTP/1.1\r\n"
    "Host: 127.0.0.1:45553\r\n"
    "User-Agent: Transmission/3.00\r\n"
    "Accept: */*\r\n"
    "Accept-Encoding: deflate, gzip, br, zstd\r\n"
    "\r\n";

TEST(HttpRequest, RealClients) {
    Request r;
    ParseResult p = parse_request(kLibtorrent, r);
    ASSERT_EQ(p.status, Status::complete) << p.step;
    EXPECT_EQ(p.consumed, kLibtorrent.size());
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.target.substr(0, 43), "/0123456789abcdefABCDEF0123456789/announce?");
    EXPECT_EQ(r.target.back(), '0');
    EXPECT_EQ(r.user_agent, "libtorrent/2.0.8.0");
    EXPECT_EQ(r.version_minor, 1);
    EXPECT_FALSE(r.keep_alive) << "Connection: close";

    p = parse_request(kTransmission, r);
    ASSERT_EQ(p.status, Status::complete) << p.step;
    EXPECT_EQ(r.user_agent, "Transmission/3.00");
    EXPECT_TRUE(r.keep_alive) << "HTTP/1.1 default";
}

TEST(HttpRequest, IncrementalInputNeedsMoreUntilTheEmptyLine) {
    Request r;
    for (std::size_t n = 0; n < kTransmission.size(); ++n) {
        const ParseResult p = parse_request(std::string_view(kTransmission).substr(0, n), r);
        ASSERT_EQ(p.status, Status::need_more) << "at " << n << ": " << (p.step ? p.step : "");
    }
    EXPECT_EQ(parse_request(kTransmission, r).status, Status::complete);
}

TEST(HttpRequest, PipelinedRequestsParseOneAtATime) {
    const std::string second = "GET /scrape HTTP/1.0\r\n\r\n";
    const std::string buffer = kTransmission + second + "GET /ann";
    Request r;
    ParseResult p = parse_request(buffer, r);
    ASSERT_EQ(p.status, Status::complete);
    EXPECT_EQ(p.consumed, kTransmission.size());
    std::string_view rest = std::string_view(buffer).substr(p.consumed);
    p = parse_request(rest, r);
    ASSERT_EQ(p.status, Status::complete) << p.step;
    EXPECT_EQ(p.consumed, second.size());
    EXPECT_EQ(r.target, "/scrape");
    EXPECT_EQ(r.version_minor, 0);
    EXPECT_FALSE(r.keep_alive) << "HTTP/1.0 default";
    rest = rest.substr(p.consumed);
    EXPECT_EQ(parse_request(rest, r).status, Status::need_more);
}

TEST(HttpRequest, KeepAliveRules) {
    struct Case {
        std::string head;
        bool keep_alive;
    };
    const Case cases[] = {
        {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nHost: x\r\nconnection: Keep-Alive, CLOSE\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\n\r\n", true},
        {"GET / HTTP/1.0\r\n\r\n", false},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
        {"GET / HTTP/1.0\r\nConnection:  Keep-Alive \r\n\r\n", true},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false},
    };
    for (const Case& c : cases) {
        Request r;
        const ParseResult p = parse_request(c.head, r);
        ASSERT_EQ(p.status, Status::complete) << c.head << p.step;
        EXPECT_EQ(r.keep_alive, c.keep_alive) << c.head;
    }
}

TEST(HttpRequest, ProxyHeadersAreExposed) {
    Request r;
    ASSERT_EQ(parse_request("GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.1, 10.0.0.1\r\n"
                            "X-Real-IP:192.0.2.1\r\nContent-Length: 0\r\n\r\n", r).status,
              Status::complete);
    EXPECT_EQ(r.x_forwarded_for, "192.0.2.1, 10.0.0.1");
    EXPECT_EQ(r.x_real_ip, "192.0.2.1");
}

void expect_error(std::string_view head, std::uint16_t status, std::string_view step, const Limits& limits = {}) {
    Request r;
    const ParseResult p = parse_request(head, r, limits);
    ASSERT_EQ(p.status, Status::error) << head;
    EXPECT_EQ(p.http_status, status) << head;
    EXPECT_EQ(std::string_view(p.step), step) << head;
}

TEST(HttpRequest, ErrorsCarryTheStatusToSend) {
    expect_error("POST /announce HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed");
    expect_error("HEAD /announce HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method not allowed");
    expect_error("BREW /announce HTTP/1.1\r\nHost: x\r\n\r\n", 501, "method not implemented");
    expect_error("get /announce HTTP/1.1\r\nHost: x\r\n\r\n", 501, "method not implemented");
    expect_error("\x16\x03\x01\x02", 400, "invalid method");  // a TLS ClientHello
    expect_error("GET /a\x01 HTTP/1.1\r\n\r\n", 400, "invalid character in request target");
    expect_error("GET\r\n\r\n", 400, "invalid method");
    expect_error(" GET / HTTP/1.1\r\n\r\n", 400, "malformed request line");
    expect_error("GET /\r\n\r\n", 400, "malformed request line");
    expect_error("GET http://x/announce HTTP/1.1\r\nHost: x\r\n\r\n", 400, "request target not in origin form");
    expect_error("GET / HTTP/1.1 \r\n\r\n", 400, "malformed HTTP version");
    expect_error("GET / HTTX/1.1\r\n\r\n", 400, "malformed HTTP version");
    expect_error("GET / HTTP/2.0\r\n\r\n", 505, "HTTP version not supported");
    expect_error("GET / HTTP/1.2\r\n\r\n", 505, "HTTP version not supported");
    expect_error("GET / HTTP/1.1\r\n\r\n", 400, "missing Host header");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host header");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400, "malformed header field");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400, "malformed header field");
    expect_error("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "invalid header field name");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\n folded: x\r\n\r\n", 400, "invalid header field name");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n", 400, "invalid header field value");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", 400, "request with a body");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400, "request with a body");
    expect_error("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "request with a body");
}

TEST(HttpRequest, EveryByteOfTheTargetIsChecked) {
    // Targets of several lengths with one bad byte at every position (the check runs 8 at a time).
    for (const char bad : {'\0', '\t', ' ', '\x7f', '\x80', '\xff'}) {
        for (std::size_t len : {1u, 7u, 8u, 9u, 17u, 64u}) {
            for (std::size_t pos = 1; pos < len + 1; ++pos) {
                std::string target = "/" + std::string(len, '~');
                target[pos] = bad;
                Request r;
                const ParseResult p = parse_request("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n", r);
                ASSERT_EQ(p.status, Status::error) << int(bad) << " at " << pos << " of " << len;
            }
        }
    }
    std::string all;
    for (int c = 0x21; c < 0x7f; ++c) all += static_cast<char>(c);
    Request r;
    EXPECT_EQ(parse_request("GET /" + all + " HTTP/1.1\r\nHost: x\r\n\r\n", r).status, Status::complete);
}

TEST(HttpRequest, SizeLimits) {
    Limits l;
    l.max_target = 100;
    l.max_head = 400;
    l.max_headers = 3;
    // A target over the limit: 414 with the whole line, and already while it is still arriving.
    const std::string long_target = "GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n";
    expect_error(long_target, 414, "request target too long", l);
    expect_error("GET /" + std::string(200, 'a'), 414, "request line too long", l);
    const std::string exact = "GET /" + std::string(99, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n";
    Request r;
    EXPECT_EQ(parse_request(exact, r, l).status, Status::complete);
    // A head over the limit: 431.
    expect_error("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(400, 'v'), 431, "request head too large", l);
    expect_error("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431, "too many header fields", l);
    EXPECT_EQ(parse_request("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", r, l).status, Status::complete);
    // The empty line just past the limit does not count: the head is too large.
    const std::string head = "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(400 - 31, 'v') + "\r\n\r\n";
    ASSERT_GT(head.size(), 400u);
    expect_error(head, 431, "request head too large", l);
}

}  // namespace
}  // namespace swarmline::proto::http
