// The announce/scrape query parser: the requests libtorrent, Transmission and aria2 sent
// (tests/fuzz/capture_requests.py), each BEP 3/7/23 parameter, passkey forms and error paths.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "proto/http_query.hpp"

namespace swarmline::proto::http {
namespace {

InfoHash hash_of(std::string_view hex) {
    InfoHash h{};
    for (std::size_t i = 0; i < h.size(); ++i)
        h[i] = static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(2 * i, 2)), nullptr, 16));
    return h;
}

PeerId id_of(std::string_view s) {
    PeerId p{};
    std::copy(s.begin(), s.end(), p.begin());
    return p;
}

const InfoHash kHash = hash_of("6aae6c2583a808858027108d69fe4384403896b6");
constexpr std::string_view kPasskey = "0123456789abcdefABCDEF0123456789";

struct Parsed {
    // The parse holds views into the target: keep it alive, at a fixed address, with the result.
    std::shared_ptr<const std::string> target;
    const char* error = nullptr;
    TargetKind kind = TargetKind::announce;
    Announce announce;
    Scrape scrape;
};

Parsed parse_target_and_query(std::string_view target, std::string_view user_agent = {}) {
    Parsed p;
    p.target = std::make_shared<const std::string>(target);
    Request req;
    req.target = *p.target;
    req.user_agent = user_agent;
    p.error = parse_tracker_request(req, p.kind, p.announce, p.scrape);
    return p;
}

TEST(HttpQuery, Libtorrent) {
    const Parsed p = parse_target_and_query(
        "/0123456789abcdefABCDEF0123456789/announce?info_hash=j%ael%25%83%a8%08%85%80%27%10%8di%feC%84%408%96%b6"
        "&peer_id=-LT2080-_s!bDuN_S)x)&port=46379&uploaded=0&downloaded=0&left=111234&corrupt=0&key=9C5BD964"
        "&event=started&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0",
        "libtorrent/2.0.8.0");
    ASSERT_EQ(p.error, nullptr) << p.error;
    EXPECT_EQ(p.kind, TargetKind::announce);
    const Announce& a = p.announce;
    EXPECT_EQ(a.info_hash, kHash);
    EXPECT_EQ(a.peer_id, id_of("-LT2080-_s!bDuN_S)x)"));
    EXPECT_EQ(a.port, 46379);
    EXPECT_EQ(a.left, 111234u);
    EXPECT_EQ(a.corrupt, 0u);
    // The same client's UDP announce carried key 0x9c5bd964: both transports agree.
    EXPECT_TRUE(a.has_key);
    EXPECT_EQ(a.key, 0x9c5bd964u);
    EXPECT_EQ(a.event, Event::started);
    EXPECT_EQ(a.numwant, 200);
    EXPECT_TRUE(a.compact);
    EXPECT_TRUE(a.no_peer_id);
    EXPECT_TRUE(a.supportcrypto);
    EXPECT_FALSE(a.requirecrypto);
    EXPECT_EQ(a.passkey, kPasskey);
    EXPECT_EQ(a.user_agent, "libtorrent/2.0.8.0");
}

TEST(HttpQuery, Transmission) {
    const Parsed p = parse_target_and_query(
        "/0123456789abcdefABCDEF0123456789/announce?info_hash=j%ael%25%83%a8%08%85%80%27%10%8di%feC%84%408%96%b6"
        "&peer_id=-TR3000-kj40zatv4jev&port=51413&uploaded=0&downloaded=0&left=111234&numwant=0&key=57908695"
        "&compact=1&supportcrypto=1&event=stopped");
    ASSERT_EQ(p.error, nullptr) << p.error;
    EXPECT_EQ(p.announce.info_hash, kHash);
    EXPECT_EQ(p.announce.event, Event::stopped);
    EXPECT_EQ(p.announce.key, 0x57908695u);  // what Transmission's UDP announce sends for it
    EXPECT_EQ(p.announce.numwant, 0);
    EXPECT_FALSE(p.announce.no_peer_id);
}

TEST(HttpQuery, Aria2SendsABinaryKey) {
    const Parsed p = parse_target_and_query(
        "/0123456789abcdefABCDEF0123456789/announce?info_hash=j%AEl%25%83%A8%08%85%80%27%10%8Di%FEC%84%408%96%B6"
        "&peer_id=A2-1-36-0-%84%EF%08n%25%5C%13%95f%06&uploaded=0&downloaded=0&left=111234&compact=1"
        "&key=%08n%25%5C%13%95f%06&numwant=50&no_peer_id=1&port=6972&event=started&supportcrypto=1");
    ASSERT_EQ(p.error, nullptr) << p.error;
    EXPECT_EQ(p.announce.info_hash, kHash) << "upper-case escapes";
    EXPECT_TRUE(p.announce.has_key);
    const Parsed again = parse_target_and_query(
        "/announce?info_hash=j%AEl%25%83%A8%08%85%80%27%10%8Di%FEC%84%408%96%B6&peer_id=A2-1-36-0-%84%EF%08n%25%5C%13"
        "%95f%06&uploaded=0&downloaded=0&left=0&key=%08n%25%5C%13%95f%06&port=6972");
    ASSERT_EQ(again.error, nullptr);
    EXPECT_EQ(again.announce.key, p.announce.key) << "the same key maps to the same value";
}

const std::string kBase = "info_hash=%6a%ae%6c%25%83%a8%08%85%80%27%10%8d%69%fe%43%84%40%38%96%b6"
                          "&peer_id=-XX0001-abcdefghijkl&port=6881&uploaded=1&downloaded=2&left=3";

Parsed announce(std::string_view extra, std::string_view path = "/announce") {
    return parse_target_and_query(std::string(path) + "?" + kBase + std::string(extra));
}

TEST(HttpQuery, Defaults) {
    const Parsed p = announce("");
    ASSERT_EQ(p.error, nullptr) << p.error;
    EXPECT_EQ(p.announce.uploaded, 1u);
    EXPECT_EQ(p.announce.downloaded, 2u);
    EXPECT_EQ(p.announce.left, 3u);
    EXPECT_EQ(p.announce.event, Event::none);
    EXPECT_EQ(p.announce.numwant, -1);
    EXPECT_TRUE(p.announce.compact);
    EXPECT_FALSE(p.announce.has_key);
    EXPECT_FALSE(p.announce.has_ipv4);
    EXPECT_FALSE(p.announce.has_ipv6);
    EXPECT_TRUE(p.announce.passkey.empty());
}

TEST(HttpQuery, EveryParameter) {
    Parsed p = announce("&compact=0&no_peer_id=1&numwant=99999999999&key=123&event=completed&corrupt=7"
                        "&requirecrypto=1&supportcrypto=1&trackerid=abc&unknown=%zz");
    ASSERT_EQ(p.error, nullptr) << p.error;
    EXPECT_FALSE(p.announce.compact);
    EXPECT_TRUE(p.announce.no_peer_id);
    EXPECT_EQ(p.announce.numwant, INT32_MAX) << "clamped";
    EXPECT_EQ(p.announce.key, 0x123u) << "up to 8 hex digits are hex";
    EXPECT_EQ(p.announce.event, Event::completed);
    EXPECT_EQ(p.announce.corrupt, 7u);
    EXPECT_TRUE(p.announce.requirecrypto);
    EXPECT_TRUE(p.announce.supportcrypto);

    p = announce("&key=4294967295");
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.announce.key, 4294967295u) << "longer all-digit keys are decimal";

    for (const auto& [text, event] : {std::pair{"started", Event::started}, {"stopped", Event::stopped},
                                      {"paused", Event::paused}, {"empty", Event::none}, {"", Event::none}}) {
        p = announce(std::string("&event=") + text);
        ASSERT_EQ(p.error, nullptr) << text;
        EXPECT_EQ(p.announce.event, event) << text;
    }
}

TEST(HttpQuery, ClaimedAddresses) {
    Parsed p = announce("&ip=192.0.2.1&ipv6=2001%3adb8%3a%3a1");
    ASSERT_EQ(p.error, nullptr) << p.error;
    ASSERT_TRUE(p.announce.has_ipv4);
    EXPECT_EQ(p.announce.claimed_v4, Endpoint::from_v4(0x010200C0, 6881));
    ASSERT_TRUE(p.announce.has_ipv6);
    EXPECT_EQ(p.announce.claimed_v6.ip[0], 0x20);
    EXPECT_EQ(p.announce.claimed_v6.ip[15], 1);
    EXPECT_EQ(p.announce.claimed_v6.port, 6881);

    // BEP 7 forms with a port of their own.
    p = announce("&ipv4=198.51.100.7:51413&ipv6=%5B2001:db8::2%5D:6882");
    ASSERT_EQ(p.error, nullptr) << p.error;
    EXPECT_EQ(p.announce.claimed_v4, Endpoint::from_v4(0x076433C6, 51413));
    EXPECT_EQ(p.announce.claimed_v6.port, 6882);
    EXPECT_EQ(p.announce.claimed_v6.ip[15], 2);

    p = announce("&ip=tracker.example.org");
    ASSERT_EQ(p.error, nullptr) << "a host name is allowed by BEP 3 and ignored";
    EXPECT_FALSE(p.announce.has_ipv4);

    EXPECT_STREQ(announce("&ipv4=2001:db8::1").error, "invalid address");
    EXPECT_STREQ(announce("&ipv6=192.0.2.1").error, "invalid address");
    EXPECT_STREQ(announce("&ipv4=300.1.1.1").error, "invalid address");
    EXPECT_STREQ(announce("&ipv4=1.2.3.4:70000").error, "invalid address");
    EXPECT_STREQ(announce("&ipv6=[::1").error, "invalid address");
}

TEST(HttpQuery, PasskeyForms) {
    const std::string pk(kPasskey);
    for (const std::string& path : {"/" + pk + "/announce", "/announce/" + pk}) {
        const Parsed p = announce("", path);
        ASSERT_EQ(p.error, nullptr) << path;
        EXPECT_EQ(p.announce.passkey, kPasskey);
    }
    Parsed p = announce("&passkey=" + pk);
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.announce.passkey, kPasskey);
    p = announce("&passkey=" + pk, "/announce/" + pk);
    ASSERT_EQ(p.error, nullptr) << "the same passkey twice is fine";
    EXPECT_STREQ(announce("&passkey=abc", "/announce/" + pk).error, "two different passkeys");
    EXPECT_STREQ(announce("&passkey=" + pk + "x").error, "invalid passkey");
    EXPECT_STREQ(announce("", "/announce/" + pk + "/x").error, "unknown path");
    EXPECT_STREQ(announce("", "/announce/").error, "invalid passkey");
    EXPECT_STREQ(announce("", "/announce.php").error, "unknown path");
    EXPECT_STREQ(announce("", "/ann%6funce").error, "unknown path");
}

TEST(HttpQuery, Errors) {
    auto q = [](std::string_view query) { return parse_target_and_query("/announce?" + std::string(query)).error; };
    const std::string id = "&peer_id=-XX0001-abcdefghijkl&port=1&uploaded=0&downloaded=0&left=0";
    EXPECT_STREQ(q("peer_id=-XX0001-abcdefghijkl&port=1&uploaded=0&downloaded=0&left=0"), "missing info_hash");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa&port=1&uploaded=0&downloaded=0&left=0"), "missing peer_id");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=-XX0001-abcdefghijkl&uploaded=0&downloaded=0&left=0"),
                 "missing port");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=-XX0001-abcdefghijkl&port=1&uploaded=0&downloaded=0"),
                 "missing uploaded, downloaded or left");
    EXPECT_EQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa" + id), nullptr);
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaa" + id), "invalid info_hash") << "19 bytes";
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaaa" + id), "invalid info_hash") << "21 bytes";
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaa%" + id), "invalid info_hash") << "truncated escape";
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaa%4" + id), "invalid info_hash") << "truncated escape";
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaa%g1" + id), "invalid info_hash") << "bad hex";
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa&info_hash=bbbbbbbbbbbbbbbbbbbb" + id),
                 "more than one info_hash in an announce");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=short&port=1&uploaded=0&downloaded=0&left=0"),
                 "invalid peer_id");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa" + id + "&port=65536"), "invalid port");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa" + id + "&port=-1"), "invalid port");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa" + id + "&left=-5"), "invalid left");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa" + id + "&uploaded=18446744073709551616"), "invalid uploaded");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa" + id + "&downloaded=1e3"), "invalid downloaded");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa" + id + "&numwant=x"), "invalid numwant");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa" + id + "&event=begun"), "invalid event");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa" + id + "&key="), "invalid key");
    EXPECT_STREQ(q("info_hash=aaaaaaaaaaaaaaaaaaaa" + id + "&corrupt=x"), "invalid corrupt");
}

TEST(HttpQuery, PercentDecoding) {
    std::array<std::uint8_t, 3> out;
    EXPECT_TRUE(percent_decode_exact("%00%fF+", out));
    EXPECT_EQ(out, (std::array<std::uint8_t, 3>{0x00, 0xff, ' '}));
    EXPECT_TRUE(percent_decode_exact("a%2Bc", out));
    EXPECT_EQ(out[1], '+');
    EXPECT_FALSE(percent_decode_exact("ab", out));
    EXPECT_FALSE(percent_decode_exact("abcd", out));
    EXPECT_FALSE(percent_decode_exact("ab%", out));
    EXPECT_FALSE(percent_decode_exact("ab%x0", out));
}

TEST(HttpQuery, ScrapeWithRepeatedInfoHash) {
    const std::string h1 = "info_hash=%6a%ae%6c%25%83%a8%08%85%80%27%10%8d%69%fe%43%84%40%38%96%b6";
    const std::string h2 = "info_hash=bbbbbbbbbbbbbbbbbbbb";
    Parsed p = parse_target_and_query("/" + std::string(kPasskey) + "/scrape?" + h1 + "&" + h2);
    ASSERT_EQ(p.error, nullptr) << p.error;
    EXPECT_EQ(p.kind, TargetKind::scrape);
    ASSERT_EQ(p.scrape.count, 2u);
    EXPECT_EQ(p.scrape.hashes[0], kHash);
    EXPECT_EQ(p.scrape.hashes[1][0], 'b');
    EXPECT_EQ(p.scrape.passkey, kPasskey);

    p = parse_target_and_query("/scrape?passkey=" + std::string(kPasskey));
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.scrape.count, 0u) << "a scrape of everything; the caller decides";
    EXPECT_EQ(p.scrape.passkey, kPasskey);

    std::string many = "/scrape/" + std::string(kPasskey) + "?";
    for (std::size_t i = 0; i < kMaxScrapeHashes; ++i) many += h2 + "&";
    p = parse_target_and_query(many);
    ASSERT_EQ(p.error, nullptr);
    EXPECT_EQ(p.scrape.count, kMaxScrapeHashes);
    EXPECT_STREQ(parse_target_and_query(many + h2).error, "too many info_hash in a scrape");
    EXPECT_STREQ(parse_target_and_query("/scrape?info_hash=short").error, "invalid info_hash");
}

}  // namespace
}  // namespace swarmline::proto::http
