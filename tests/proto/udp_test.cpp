// BEP 15 + BEP 41: packets captured from libtorrent 2.0.8 and Transmission 3.00
// (tests/fuzz/capture_requests.py), vectors built from the specifications, every error path, and
// round trips through the client-side encoders.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "proto/udp.hpp"
#include "proto/udp_client.hpp"

namespace swarmline::proto::udp {
namespace {

std::vector<std::uint8_t> unhex(std::string_view hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

InfoHash hash_of(std::string_view hex) {
    InfoHash h{};
    const auto v = unhex(hex);
    std::copy(v.begin(), v.end(), h.begin());
    return h;
}

PeerId id_of(std::string_view s) {
    PeerId p{};
    std::copy(s.begin(), s.end(), p.begin());
    return p;
}

constexpr std::string_view kTorrentHash = "6aae6c2583a808858027108d69fe4384403896b6";
constexpr std::string_view kPasskey = "0123456789abcdefABCDEF0123456789";

struct Parsed {
    Request req;
    Announce announce;
    Scrape scrape;
    ParseError error;
};

Parsed parse(const std::vector<std::uint8_t>& packet) {
    Parsed p;
    p.error = parse_request(packet, p.req, p.announce, p.scrape);
    return p;
}

TEST(UdpParse, LibtorrentConnect) {
    const Parsed p = parse(unhex("000004172710198000000000ab44e06e"));
    ASSERT_TRUE(p.error.ok()) << p.error.step;
    EXPECT_EQ(p.req.action, Action::connect);
    EXPECT_EQ(p.req.connection_id, kProtocolId);
    EXPECT_EQ(p.req.transaction_id, 0xab44e06eu);
}

TEST(UdpParse, LibtorrentAnnounceWithBep41UrlData) {
    const Parsed p = parse(unhex(
        "1122334455667788000000015330c50a6aae6c2583a808858027108d69fe4384403896b62d4c54323038302d5f7321624475"
        "4e5f532978290000000000000000000000000001b282000000000000000000000002000000009c5bd964000000c8b52b022a2f"
        "616e6e6f756e63652f3031323334353637383961626364656641424344454630313233343536373839"));
    ASSERT_TRUE(p.error.ok()) << p.error.step;
    EXPECT_EQ(p.req.action, Action::announce);
    EXPECT_EQ(p.req.connection_id, 0x1122334455667788u);
    EXPECT_EQ(p.req.transaction_id, 0x5330c50au);
    const Announce& a = p.announce;
    EXPECT_EQ(a.info_hash, hash_of(kTorrentHash));
    EXPECT_EQ(a.peer_id, id_of("-LT2080-_s!bDuN_S)x)"));
    EXPECT_EQ(a.downloaded, 0u);
    EXPECT_EQ(a.left, 111234u);
    EXPECT_EQ(a.uploaded, 0u);
    EXPECT_EQ(a.event, Event::started);
    EXPECT_FALSE(a.has_ipv4);
    EXPECT_TRUE(a.has_key);
    EXPECT_EQ(a.key, 0x9c5bd964u);
    EXPECT_EQ(a.numwant, 200);
    EXPECT_EQ(a.port, 46379);
    EXPECT_EQ(p.req.url(), "/announce/0123456789abcdefABCDEF0123456789");
    EXPECT_EQ(a.passkey, kPasskey);
}

TEST(UdpParse, TransmissionAnnounceWithoutOptions) {
    const Parsed p = parse(unhex(
        "112233445566778800000001644e784b6aae6c2583a808858027108d69fe4384403896b62d5452333030302d30636737366831"
        "307a6173630000000000000000000000000001b282000000000000000000000003000000005d86dab000000000c8d5"));
    ASSERT_TRUE(p.error.ok()) << p.error.step;
    EXPECT_EQ(p.announce.event, Event::stopped);
    EXPECT_EQ(p.announce.key, 0x5d86dab0u);
    EXPECT_EQ(p.announce.numwant, 0);
    EXPECT_EQ(p.announce.port, 51413);
    EXPECT_EQ(p.announce.peer_id, id_of("-TR3000-0cg76h10zasc"));
    EXPECT_TRUE(p.announce.passkey.empty());
    EXPECT_EQ(p.req.url_data_size, 0u);
}

TEST(UdpParse, LibtorrentScrape) {
    const Parsed p = parse(unhex("112233445566778800000002d713c0556aae6c2583a808858027108d69fe4384403896b6"));
    ASSERT_TRUE(p.error.ok()) << p.error.step;
    EXPECT_EQ(p.req.action, Action::scrape);
    ASSERT_EQ(p.scrape.count, 1u);
    EXPECT_EQ(p.scrape.hashes[0], hash_of(kTorrentHash));
}

// A BEP 15 announce header (98 bytes) from the specification's field list.
std::vector<std::uint8_t> announce_packet(std::uint32_t event = 0, std::uint32_t ip = 0, std::int32_t numwant = -1) {
    Announce a;
    a.info_hash = hash_of(kTorrentHash);
    a.peer_id = id_of("-XX0001-abcdefghijkl");
    a.left = 5;
    a.event = static_cast<Event>(event);
    a.key = 7;
    a.has_key = true;
    a.numwant = numwant;
    a.port = 6881;
    std::vector<std::uint8_t> out(kAnnounceRequestSize);
    EXPECT_EQ(encode_announce(out, 42, 9, a), kAnnounceRequestSize);
    if (ip != 0) {
        out[84] = static_cast<std::uint8_t>(ip >> 24);
        out[85] = static_cast<std::uint8_t>(ip >> 16);
        out[86] = static_cast<std::uint8_t>(ip >> 8);
        out[87] = static_cast<std::uint8_t>(ip);
    }
    return out;
}

TEST(UdpParse, Bep41OptionsNopUnknownSplitUrlDataAndEnd) {
    auto pkt = announce_packet();
    // URLData "/announce", NOP, an unknown option 0x7 with 3 bytes (skipped), URLData "?passkey=...",
    // EndOfOptions, then bytes that must be ignored.
    const std::string part1 = "/announce";
    const std::string part2 = "?passkey=" + std::string(kPasskey) + "&x=1";
    pkt.push_back(kOptionUrlData);
    pkt.push_back(static_cast<std::uint8_t>(part1.size()));
    pkt.insert(pkt.end(), part1.begin(), part1.end());
    pkt.push_back(kOptionNop);
    pkt.insert(pkt.end(), {0x7, 3, 'a', 'b', 'c'});
    pkt.push_back(kOptionUrlData);
    pkt.push_back(static_cast<std::uint8_t>(part2.size()));
    pkt.insert(pkt.end(), part2.begin(), part2.end());
    pkt.push_back(kOptionEnd);
    pkt.insert(pkt.end(), {0x2, 0xff});  // after EndOfOptions: not read
    const Parsed p = parse(pkt);
    ASSERT_TRUE(p.error.ok()) << p.error.step;
    EXPECT_EQ(p.req.url(), part1 + part2);
    EXPECT_EQ(p.announce.passkey, kPasskey);
}

// The announce of announce_packet() with `url` as BEP 41 URL data.
std::vector<std::uint8_t> with_url(std::string_view url) {
    Parsed base = parse(announce_packet());
    EXPECT_TRUE(base.error.ok());
    std::vector<std::uint8_t> out(2048);
    out.resize(encode_announce(out, 42, 9, base.announce, url));
    return out;
}

TEST(UdpParse, PasskeyFormsInUrlData) {
    for (const std::string& url : {"/" + std::string(kPasskey) + "/announce", "/announce/" + std::string(kPasskey),
                                  "/announce?passkey=" + std::string(kPasskey),
                                  "/announce/" + std::string(kPasskey) + "?passkey=" + std::string(kPasskey)}) {
        const Parsed p = parse(with_url(url));
        ASSERT_TRUE(p.error.ok()) << url << ": " << p.error.step;
        EXPECT_EQ(p.announce.passkey, kPasskey) << url;
    }
    const Parsed open = parse(with_url("/announce"));
    ASSERT_TRUE(open.error.ok());
    EXPECT_TRUE(open.announce.passkey.empty());
}

TEST(UdpParse, LongUrlDataIsSplitIntoOptionsAndJoinedBack) {
    const std::string url = "/announce/" + std::string(kPasskey) + "?pad=" + std::string(400, 'x');
    const auto pkt = with_url(url);
    EXPECT_EQ(pkt.size(), kAnnounceRequestSize + 2 * 2 + url.size() + 1);  // two options + end
    const Parsed p = parse(pkt);
    ASSERT_TRUE(p.error.ok()) << p.error.step;
    EXPECT_EQ(p.req.url(), url);
    EXPECT_EQ(p.announce.passkey, kPasskey);
}

void expect_error(const std::vector<std::uint8_t>& pkt, std::string_view step, bool answerable) {
    const Parsed p = parse(pkt);
    ASSERT_FALSE(p.error.ok()) << "expected: " << step;
    EXPECT_EQ(std::string_view(p.error.step), step);
    EXPECT_EQ(p.error.answerable, answerable) << step;
}

TEST(UdpParse, ErrorsSayWhetherTheyCanBeAnswered) {
    expect_error({}, "packet shorter than a BEP 15 header", false);
    expect_error(unhex("0000041727101980000000"), "packet shorter than a BEP 15 header", false);
    expect_error(unhex("000004172710198100000000ab44e06e"), "connect without the protocol id", false);
    expect_error(unhex("000004172710198000000005ab44e06e"), "unknown action", true);
    expect_error(unhex("000004172710198000000003ab44e06e"), "unknown action", true);  // error is a reply only

    auto truncated = announce_packet();
    truncated.pop_back();
    expect_error(truncated, "truncated announce", true);
    expect_error(announce_packet(4), "invalid event", true);

    auto bad_option = announce_packet();
    bad_option.insert(bad_option.end(), {kOptionUrlData, 10, '/', 'a'});
    expect_error(bad_option, "truncated BEP 41 option", true);
    auto no_length = announce_packet();
    no_length.push_back(kOptionUrlData);
    expect_error(no_length, "truncated BEP 41 option", true);

    expect_error(with_url(std::string(kMaxUrlData + 1, '/')), "BEP 41 URL data too long", true);
    expect_error(with_url("/scrape/" + std::string(kPasskey)), "URL data is not an announce path", true);
    expect_error(with_url("/announce/bad-key!"), "invalid passkey", true);
    expect_error(with_url("/announce?passkey=" + std::string(33, 'a')), "invalid passkey", true);
    expect_error(with_url("/announce/" + std::string(kPasskey) + "?passkey=other"), "two different passkeys", true);
    expect_error(with_url("/whatever"), "unknown path", true);
    expect_error(with_url("announce"), "invalid path", true);

    auto scrape = unhex("112233445566778800000002d713c055");
    expect_error(scrape, "scrape without info_hash", true);
    scrape.push_back(1);
    expect_error(scrape, "truncated scrape", true);
}

TEST(UdpParse, ClaimedAddressAndNumwant) {
    const Parsed p = parse(announce_packet(0, 0xC0000201, -5));  // 192.0.2.1, a negative numwant
    ASSERT_TRUE(p.error.ok());
    ASSERT_TRUE(p.announce.has_ipv4);
    EXPECT_TRUE(p.announce.claimed_v4.v4());
    EXPECT_EQ(p.announce.claimed_v4, Endpoint::from_v4(0x010200C0, 6881));  // network order in memory
    EXPECT_EQ(p.announce.numwant, -1);
}

TEST(UdpParse, ScrapeCapIs74) {
    std::vector<InfoHash> hashes(kMaxScrapeHashes);
    for (std::size_t i = 0; i < hashes.size(); ++i) hashes[i][0] = static_cast<std::uint8_t>(i);
    std::vector<std::uint8_t> pkt(16 + 20 * (kMaxScrapeHashes + 1));
    pkt.resize(encode_scrape(pkt, 1, 2, hashes));
    const Parsed p = parse(pkt);
    ASSERT_TRUE(p.error.ok());
    ASSERT_EQ(p.scrape.count, kMaxScrapeHashes);
    EXPECT_EQ(p.scrape.hashes[73][0], 73);
    hashes.emplace_back();
    pkt.resize(16 + 20 * hashes.size());
    pkt.resize(encode_scrape(pkt, 1, 2, hashes));
    expect_error(pkt, "too many info_hashes in scrape", true);
}

TEST(UdpWrite, ResponsesAreByteExact) {
    std::array<std::uint8_t, 1500> buf;
    auto written = [&](std::size_t n) { return std::vector<std::uint8_t>(buf.begin(), buf.begin() + n); };
    EXPECT_EQ(written(write_connect(buf, 0xab44e06e, 0x1122334455667788)), unhex("00000000ab44e06e1122334455667788"));

    // Two IPv4 peers, 192.0.2.1:6881 and 198.51.100.7:51413, copied as they are.
    EXPECT_EQ(written(write_announce(buf, 0x5330c50a, 1800, 3, 4, unhex("c00002011ae1c6336407c8d5"))),
              unhex("000000015330c50a000007080000000300000004c00002011ae1c6336407c8d5"));

    const std::array<ScrapeEntry, 2> entries{ScrapeEntry{1, 2, 3}, ScrapeEntry{4, 5, 6}};
    EXPECT_EQ(written(write_scrape(buf, 7, entries)),
              unhex("0000000200000007000000010000000200000003000000040000000500000006"));

    auto error = unhex("0000000300000007");
    const std::string message = "unregistered torrent";
    error.insert(error.end(), message.begin(), message.end());
    EXPECT_EQ(written(write_error(buf, 7, message)), error);
}

TEST(UdpWrite, TooSmallBufferWritesNothingUsable) {
    std::array<std::uint8_t, 15> small;
    EXPECT_EQ(write_connect(small, 1, 2), 0u);
    std::array<std::uint8_t, 25> room_for_20;
    EXPECT_EQ(write_announce(room_for_20, 1, 2, 3, 4, unhex("c00002011ae1")), 0u);
    std::array<std::uint8_t, 26> exact;
    EXPECT_EQ(write_announce(exact, 1, 2, 3, 4, unhex("c00002011ae1")), 26u);
    EXPECT_EQ(write_error(std::span(exact).first(9), 1, "ab"), 0u);
}

TEST(UdpRoundTrip, ClientEncodersAndResponseParser) {
    std::array<std::uint8_t, 1500> buf;
    Response r;
    // IPv6 announce reply: 18-byte peers.
    std::vector<std::uint8_t> v6peer(18, 0);
    v6peer[0] = 0x20;
    v6peer[1] = 0x01;
    v6peer[16] = 0x1a;
    v6peer[17] = 0xe1;
    std::size_t n = write_announce(buf, 5, 900, 1, 2, v6peer);
    ASSERT_EQ(parse_response(std::span(buf).first(n), kPeerV6Size, r), nullptr);
    EXPECT_EQ(r.action, Action::announce);
    EXPECT_EQ(r.transaction_id, 5u);
    EXPECT_EQ(r.interval, 900u);
    EXPECT_EQ(r.leechers, 1u);
    EXPECT_EQ(r.seeders, 2u);
    EXPECT_EQ(std::vector<std::uint8_t>(r.peers.begin(), r.peers.end()), v6peer);
    n = write_announce(buf, 5, 900, 1, 2, unhex("c00002011ae1"));
    EXPECT_STREQ(parse_response(std::span(buf).first(n), kPeerV6Size, r), "announce response peers not whole");

    n = write_connect(buf, 9, 0xdeadbeefcafef00d);
    ASSERT_EQ(parse_response(std::span(buf).first(n), kPeerV4Size, r), nullptr);
    EXPECT_EQ(r.connection_id, 0xdeadbeefcafef00du);
    EXPECT_STREQ(parse_response(std::span(buf).first(n - 1), kPeerV4Size, r), "truncated connect response");

    const std::array<ScrapeEntry, 1> e{ScrapeEntry{10, 20, 30}};
    n = write_scrape(buf, 3, e);
    ASSERT_EQ(parse_response(std::span(buf).first(n), kPeerV4Size, r), nullptr);
    ASSERT_EQ(r.scrape_count(), 1u);
    EXPECT_EQ(r.scrape_entry(0).completed, 20u);
    EXPECT_EQ(r.scrape_entry(0).leechers, 30u);

    n = write_error(buf, 3, "nope");
    ASSERT_EQ(parse_response(std::span(buf).first(n), kPeerV4Size, r), nullptr);
    EXPECT_EQ(r.action, Action::error);
    EXPECT_EQ(r.message, "nope");
    EXPECT_STREQ(parse_response(unhex("00000000"), kPeerV4Size, r), "response shorter than its header");
    EXPECT_STREQ(parse_response(unhex("0000000900000001"), kPeerV4Size, r), "unknown action in response");

    // Announce request round trip with every field set.
    Announce a;
    a.info_hash = hash_of(kTorrentHash);
    a.peer_id = id_of("-qB4500-123456789012");
    a.downloaded = 1ull << 40;
    a.left = 3;
    a.uploaded = 12345678901234ull;
    a.event = Event::completed;
    a.key = 0xfeedface;
    a.has_key = true;
    a.numwant = 30;
    a.port = 65535;
    a.has_ipv4 = true;
    a.claimed_v4 = Endpoint::from_v4(0x0100007f, 65535);
    n = encode_announce(buf, 77, 88, a, "/announce/" + std::string(kPasskey));
    const Parsed p = parse({buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n)});
    ASSERT_TRUE(p.error.ok()) << p.error.step;
    EXPECT_EQ(p.req.connection_id, 77u);
    EXPECT_EQ(p.req.transaction_id, 88u);
    Announce expected = a;
    expected.passkey = kPasskey;
    EXPECT_EQ(p.announce.info_hash, expected.info_hash);
    EXPECT_EQ(p.announce.peer_id, expected.peer_id);
    EXPECT_EQ(p.announce.downloaded, expected.downloaded);
    EXPECT_EQ(p.announce.uploaded, expected.uploaded);
    EXPECT_EQ(p.announce.left, expected.left);
    EXPECT_EQ(p.announce.event, expected.event);
    EXPECT_EQ(p.announce.key, expected.key);
    EXPECT_EQ(p.announce.numwant, expected.numwant);
    EXPECT_EQ(p.announce.port, expected.port);
    EXPECT_EQ(p.announce.claimed_v4, expected.claimed_v4);
    EXPECT_EQ(p.announce.passkey, expected.passkey);

    n = encode_connect(buf, 0xab44e06e);
    EXPECT_EQ(std::vector<std::uint8_t>(buf.begin(), buf.begin() + n), unhex("000004172710198000000000ab44e06e"));
}

}  // namespace
}  // namespace swarmline::proto::udp
