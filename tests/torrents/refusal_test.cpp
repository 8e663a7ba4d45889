// Every refused upload says why in the one error shape, with the right status, and stores nothing.
#include <gtest/gtest.h>

#include "torrents_fixture.hpp"

namespace swarmline::control::test {
namespace {

class Refusals : public TorrentsTest {
protected:
    std::string stored() { return sql("SELECT count(*) FROM torrents"); }
};

TEST_F(Refusals, BadBencodeIsAnInvalidTorrent) {
    const auto r = upload(uploader_, "d8:announce3:abc4:info");
    EXPECT_EQ(r.status, 422u) << r.body;
    EXPECT_EQ(r.error(), "invalid_torrent");
    EXPECT_NE(r.str("/error/message").find("at byte"), std::string::npos) << r.body;
    EXPECT_EQ(upload(uploader_, "not bencode at all").error(), "invalid_torrent");
    EXPECT_EQ(upload(uploader_, "").error(), "invalid_torrent");
    EXPECT_EQ(stored(), "0");
}

TEST_F(Refusals, DuplicateV1OrV2HashIsAConflict) {
    ASSERT_EQ(upload(uploader_, sample("lt_hybrid_single.torrent")).status, 201u);
    const auto again = upload(power_, sample("lt_hybrid_single.torrent"), "tv-hd");
    EXPECT_EQ(again.status, 409u) << again.body;
    EXPECT_EQ(again.error(), "duplicate_torrent");
    // The same file with another announce URL is the same torrent (the info dict is what counts).
    auto other = sample("lt_v1_single.torrent");
    ASSERT_EQ(upload(uploader_, other).status, 201u);
    const auto pos = other.find("info");
    ASSERT_NE(pos, std::string::npos);
    other = "d8:announce19:http://other.test/a7:comment5:again" + other.substr(pos - 2);
    EXPECT_EQ(upload(uploader_, other).error(), "duplicate_torrent");
    EXPECT_EQ(stored(), "2");
}

TEST_F(Refusals, OversizedTorrentIsRefused) {
    const auto big = make_v1("huge", std::uint64_t{16384} * 60000);  // 60000 pieces: 1.2 MB of hashes
    ASSERT_GT(big.size(), 960u * 1024);
    const auto r = upload(uploader_, big);
    EXPECT_EQ(r.status, 413u) << r.body;
    EXPECT_EQ(r.error(), "torrent_too_large");
    EXPECT_EQ(stored(), "0");
}

TEST_F(Refusals, NoUploadRightIsForbidden) {
    const auto r = upload(member_, sample("lt_v1_single.torrent"));
    EXPECT_EQ(r.status, 403u) << r.body;
    EXPECT_EQ(r.error(), "missing_right");
    EXPECT_EQ(stored(), "0");
}

TEST_F(Refusals, MalformedFormsAndFieldsAreRefused) {
    const auto json = call("POST", "/api/v1/torrents", "{}", uploader_);
    EXPECT_EQ(json.status, 400u) << json.body;
    EXPECT_EQ(upload(uploader_, sample("lt_v1_single.torrent"), "no-such-category").status, 422u);
    EXPECT_EQ(upload(uploader_, sample("lt_v1_single.torrent"), "movies", {{"tags", "Bad Tag!"}}).status, 422u);
    EXPECT_EQ(upload(uploader_, sample("lt_v1_single.torrent"), "movies", {{"year", "soon"}}).status, 422u);
    EXPECT_EQ(upload(uploader_, sample("lt_v1_single.torrent"), "movies", {{"imdb_id", "nope"}}).status, 422u);
    EXPECT_EQ(upload(uploader_, sample("lt_v1_single.torrent"), "movies", {{"bogus", "x"}}).status, 422u);
    EXPECT_EQ(stored(), "0") << "a refused upload leaves nothing (tags included)";
    EXPECT_EQ(sql("SELECT count(*) FROM torrent_tags"), "0");
}

}  // namespace
}  // namespace swarmline::control::test
