// Bencoded replies byte for byte (keys in bencode order), checked again by our own decoder, and
// the HTTP/1.1 framing around them.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "proto/bencode.hpp"
#include "proto/http_response.hpp"

namespace swarmline::proto::http {
namespace {

using namespace std::string_literals;

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

bool decodes(std::string_view s) {
    std::array<bencode::Token, 256> tokens;
    return bencode::decode(s, tokens).ok();
}

struct Out {
    std::array<char, 4096> buf;
    std::string_view view(std::size_t n) const { return {buf.data(), n}; }
};

// 192.0.2.1:6881 and 198.51.100.7:51413; [2001:db8::1]:6882.
const auto kV4 = bytes("\xc0\x00\x02\x01\x1a\xe1\xc6\x33\x64\x07\xc8\xd5"s);
const auto kV6 = bytes("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01\x1a\xe2"s);

TEST(HttpResponse, CompactAnnounce) {
    AnnounceReply r;
    r.interval = 1800;
    r.min_interval = 900;
    r.complete = 5;
    r.incomplete = 2;
    r.downloaded = 10;
    r.peers_v4 = kV4;
    r.peers_v6 = kV6;
    Out o;
    const std::size_t n = write_announce(o.buf, r);
    const std::string expected = "d8:completei5e10:downloadedi10e10:incompletei2e8:intervali1800e12:min intervali900e"
                                 "5:peers12:\xc0\x00\x02\x01\x1a\xe1\xc6\x33\x64\x07\xc8\xd5"
                                 "6:peers618:\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01\x1a\xe2"
                                 "e"s;
    EXPECT_EQ(o.view(n), expected);
    EXPECT_TRUE(decodes(o.view(n)));
}

TEST(HttpResponse, MinimalCompactAnnounceWithWarning) {
    AnnounceReply r;
    r.interval = 60;
    r.send_downloaded = false;
    r.warning = "slow down";
    Out o;
    const std::size_t n = write_announce(o.buf, r);
    EXPECT_EQ(o.view(n), "d8:completei0e10:incompletei0e8:intervali60e5:peers0:15:warning message9:slow downe");
    EXPECT_TRUE(decodes(o.view(n)));
}

TEST(HttpResponse, NonCompactAnnounceWithAndWithoutPeerIds) {
    std::array<PeerId, 2> ids4{};
    ids4[0].fill('a');
    ids4[1].fill('b');
    std::array<PeerId, 1> ids6{};
    ids6[0].fill('c');
    AnnounceReply r;
    r.interval = 1800;
    r.send_downloaded = false;
    r.compact = false;
    r.peers_v4 = kV4;
    r.peers_v6 = kV6;
    r.peer_ids_v4 = ids4;
    r.peer_ids_v6 = ids6;
    Out o;
    std::size_t n = write_announce(o.buf, r);
    const std::string a(20, 'a'), b(20, 'b'), c(20, 'c');
    EXPECT_EQ(o.view(n), "d8:completei0e10:incompletei0e8:intervali1800e5:peersl"
                         "d2:ip9:192.0.2.17:peer id20:" + a + "4:porti6881ee"
                         "d2:ip12:198.51.100.77:peer id20:" + b + "4:porti51413ee"
                         "d2:ip11:2001:db8::17:peer id20:" + c + "4:porti6882ee"
                         "ee");
    EXPECT_TRUE(decodes(o.view(n)));

    r.no_peer_id = true;
    n = write_announce(o.buf, r);
    EXPECT_EQ(o.view(n), "d8:completei0e10:incompletei0e8:intervali1800e5:peersl"
                         "d2:ip9:192.0.2.14:porti6881ee"
                         "d2:ip12:198.51.100.74:porti51413ee"
                         "d2:ip11:2001:db8::14:porti6882ee"
                         "ee");
    EXPECT_TRUE(decodes(o.view(n)));
}

TEST(HttpResponse, FiftyPeersFitAndATooSmallBufferGivesZero) {
    std::vector<std::uint8_t> peers(50 * 6, 1);
    AnnounceReply r;
    r.interval = 1800;
    r.peers_v4 = peers;
    Out o;
    const std::size_t n = write_announce(o.buf, r);
    ASSERT_GT(n, 300u);
    EXPECT_TRUE(decodes(o.view(n)));
    std::array<char, 64> small;
    EXPECT_EQ(write_announce(small, r), 0u);
    EXPECT_EQ(write_announce(std::span(o.buf).first(n - 1), r), 0u);
    EXPECT_EQ(write_announce(std::span(o.buf).first(n), r), n);
}

TEST(HttpResponse, FailureWithBep31RetryIn) {
    Out o;
    std::size_t n = write_failure(o.buf, "unregistered torrent");
    EXPECT_EQ(o.view(n), "d14:failure reason20:unregistered torrente");
    n = write_failure(o.buf, "try later", 30);
    EXPECT_EQ(o.view(n), "d14:failure reason9:try later8:retry ini30ee");
    n = write_failure(o.buf, "banned", kRetryNever);
    EXPECT_EQ(o.view(n), "d14:failure reason6:banned8:retry in5:nevere");
    EXPECT_TRUE(decodes(o.view(n)));
}

TEST(HttpResponse, Bep48ScrapeSortsAndDeduplicates) {
    std::array<ScrapeFile, 3> files{};
    files[0].info_hash.fill('z');
    files[0].complete = 1;
    files[1].info_hash.fill('a');
    files[1].complete = 2;
    files[1].downloaded = 3;
    files[1].incomplete = 4;
    files[2] = files[0];
    Out o;
    const std::size_t n = write_scrape(o.buf, files);
    const std::string a(20, 'a'), z(20, 'z');
    EXPECT_EQ(o.view(n), "d5:filesd20:" + a + "d8:completei2e10:downloadedi3e10:incompletei4ee"
                         "20:" + z + "d8:completei1e10:downloadedi0e10:incompletei0eeee");
    EXPECT_TRUE(decodes(o.view(n))) << "sorted and unique keys";
    EXPECT_EQ(write_scrape(o.buf, {}), std::string_view("d5:filesdee").size());
}

TEST(HttpResponse, FullHttpResponse) {
    Out o;
    std::size_t n = write_response(o.buf, 200, "d8:intervali60ee", true);
    EXPECT_EQ(o.view(n), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
                         "Connection: keep-alive\r\n\r\nd8:intervali60ee");
    n = write_response(o.buf, 414, "", false);
    EXPECT_EQ(o.view(n), "HTTP/1.1 414 URI Too Long\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
                         "Connection: close\r\n\r\n");
    std::array<char, 20> small;
    EXPECT_EQ(write_response(small, 200, "x", true), 0u);
    EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
    EXPECT_EQ(reason_phrase(599), "Error");
}

}  // namespace
}  // namespace swarmline::proto::http
