// Upload -> approve -> download: the stored torrent is private with the site's source, and the
// file each member downloads announces with that member's passkey only (HTTP and UDP, BEP 41 path),
// with the very info_hash the site stored. v1, v2 and hybrid alike.
#include <gtest/gtest.h>

#include "auth/secrets.hpp"
#include "torrents_fixture.hpp"

namespace swarmline::control::test {
namespace {

std::string hex(const std::uint8_t* p, std::size_t n) { return auth::to_hex(p, n); }

class UploadDownload : public TorrentsTest {
protected:
    // Downloads `id` as `token` and checks everything a client relies on; returns the parse.
    proto::torrent::Torrent download_as(const std::string& token, const std::string& user_id, const std::string& id) {
        const auto r = call("GET", "/api/v1/torrents/" + id + "/download", "", token);
        EXPECT_EQ(r.status, 200u) << r.body;
        EXPECT_NE(r.header("Content-Disposition").find("attachment"), std::string::npos);
        const auto t = parse(r.body);
        const auto passkey = sql("SELECT passkey FROM users WHERE id = '" + user_id + "'");
        EXPECT_EQ(t.announce, "http://127.0.0.1:6969/" + passkey + "/announce");
        EXPECT_EQ(t.announce_list.size(), 2u);
        if (t.announce_list.size() == 2) {
            EXPECT_EQ(t.announce_list[0], std::vector<std::string>{t.announce});
            EXPECT_EQ(t.announce_list[1], std::vector<std::string>{"udp://127.0.0.1:6969/announce/" + passkey});
        }
        EXPECT_TRUE(t.is_private);
        EXPECT_EQ(t.source, "Swarmline");
        // No other member's passkey is in the file.
        auto conn = database().connect();
        const auto others = conn.exec_params("SELECT passkey FROM users WHERE id <> $1", {user_id});
        for (int i = 0; i < others.rows(); ++i)
            EXPECT_EQ(r.body.find(others.get(i, 0)), std::string::npos) << "another member's passkey leaked";
        // The info_hash the client computes is the one the site stored (and the tracker knows).
        const auto stored = conn.exec_params(
            "SELECT encode(info_hash, 'hex'), coalesce(encode(info_hash_v2, 'hex'), '') FROM torrents WHERE id = $1", {id});
        if (t.has_v1) {
            EXPECT_EQ(hex(t.info_hash_v1.data(), 20), stored.get(0, 0));
        } else {
            EXPECT_EQ(hex(t.info_hash_v2.data(), 20), stored.get(0, 0)) << "v2-only: the truncated SHA-256 is the key";
        }
        if (t.has_v2) {
            EXPECT_EQ(hex(t.info_hash_v2.data(), 32), stored.get(0, 1));
        }
        return t;
    }
};

TEST_F(UploadDownload, PendingUploadIsApprovedThenDownloadedWithTheMembersPasskey) {
    const auto up = upload(power_, sample("lt_v1_multi.torrent"), "movies-hd",
                           {{"description", "A test release"}, {"resolution", "1080p"}, {"tags", "action, drama"},
                            {"nfo", "NFO text"}, {"mediainfo", "General\nFormat : Matroska"}});
    ASSERT_EQ(up.status, 201u) << up.body;
    EXPECT_EQ(up.str("/status"), "pending") << "Power User uploads need approval";
    const auto id = up.str("/id");
    // The rewrite (private=1, source) gave a new info_hash: not the file's original one.
    EXPECT_NE(up.str("/info_hash"), "6aae6c2583a808858027108d69fe4384403896b6");
    EXPECT_EQ(up.str("/info_hash").size(), 40u);
    EXPECT_FALSE(up.has("/info_hash_v2") && !up.str("/info_hash_v2").empty());
    EXPECT_EQ(sql("SELECT count(*) FROM moderation_queue WHERE item_type = 'torrent' AND item_id = '" + id +
                  "' AND status = 'pending'"), "1");
    // The stored file has no announce URL at all.
    const auto meta = database().connect().exec_params("SELECT metainfo FROM torrents WHERE id = $1", {id}).get_bytea(0, 0);
    const auto stored = parse(std::string(meta.begin(), meta.end()));
    EXPECT_TRUE(stored.announce.empty());
    EXPECT_TRUE(stored.announce_list.empty());

    // Pending: members cannot see or fetch it; the uploader and moderators can.
    EXPECT_EQ(call("GET", "/api/v1/torrents/" + id + "/download", "", member_).status, 404u);
    EXPECT_EQ(call("GET", "/api/v1/torrents/" + id, "", member_).status, 404u);
    download_as(power_, power_id_, id);
    download_as(moderator_, moderator_id_, id);
    const auto queue = call("GET", "/api/v1/moderation/torrents", "", moderator_);
    EXPECT_EQ(queue.str("/torrents/0/id"), id) << queue.body;

    const auto ok = moderate(id, "approve");
    ASSERT_EQ(ok.status, 200u) << ok.body;
    EXPECT_EQ(ok.str("/previous_status"), "pending");
    EXPECT_EQ(sql("SELECT status FROM torrents WHERE id = '" + id + "'"), "approved");
    EXPECT_EQ(sql("SELECT status FROM moderation_queue WHERE item_id = '" + id + "'"), "approved");
    EXPECT_EQ(sql("SELECT changes->'status'->>'new' FROM torrent_moderation WHERE torrent_id = '" + id +
                  "' AND action = 'approved' AND moderator_id = '" + moderator_id_ + "'"), "approved");
    EXPECT_EQ(sql("SELECT count(*) FROM audit_logs WHERE entity_id = '" + id + "' AND action = 'torrent.approve'"), "1");
    EXPECT_EQ(sql("SELECT count(*) FROM search_index_queue WHERE entity_id = '" + id + "'"), "2") << "index, update";

    const auto t = download_as(member_, member_id_, id);
    EXPECT_EQ(t.files.size(), 4u);
    const auto detail = call("GET", "/api/v1/torrents/" + id, "", member_);
    ASSERT_EQ(detail.status, 200u) << detail.body;
    EXPECT_EQ(detail.str("/tags/0"), "action");
    EXPECT_EQ(detail.str("/tags/1"), "drama");
    EXPECT_EQ(detail.str("/resolution"), "1080p");
    EXPECT_EQ(detail.str("/nfo"), "NFO text");
    EXPECT_EQ(detail.str("/mediainfo"), "General\nFormat : Matroska");
    EXPECT_EQ(detail.str("/uploader"), "power1");
    EXPECT_EQ(detail.integer("/file_count"), 4);
    EXPECT_EQ(detail.integer("/size"), 111234);
}

TEST_F(UploadDownload, V2OnlyTorrentStoresTheFullHashAndItsTruncatedKey) {
    const auto up = upload(uploader_, sample("lt_v2_multi.torrent"));
    ASSERT_EQ(up.status, 201u) << up.body;
    EXPECT_EQ(up.str("/status"), "approved") << "the Uploader group skips the queue";
    EXPECT_EQ(up.str("/info_hash_v2").size(), 64u);
    EXPECT_EQ(up.str("/info_hash"), up.str("/info_hash_v2").substr(0, 40));
    const auto t = download_as(member_, member_id_, up.str("/id"));
    EXPECT_TRUE(t.has_v2);
    EXPECT_FALSE(t.has_v1);
    // Every non-empty file has its v2 pieces root; the sample's empty.txt has none.
    EXPECT_EQ(sql("SELECT count(*) FROM torrent_files WHERE torrent_id = '" + up.str("/id") + "' AND pieces_root IS NOT NULL"),
              "3");
    EXPECT_EQ(sql("SELECT count(*) FROM torrent_files WHERE torrent_id = '" + up.str("/id") + "' AND size = 0"), "1");
}

TEST_F(UploadDownload, HybridTorrentStoresBothHashes) {
    const auto up = upload(uploader_, sample("lt_hybrid_multi.torrent"));
    ASSERT_EQ(up.status, 201u) << up.body;
    const auto t = download_as(member_, member_id_, up.str("/id"));
    EXPECT_TRUE(t.hybrid());
    EXPECT_EQ(up.str("/info_hash"), hex(t.info_hash_v1.data(), 20));
    EXPECT_EQ(up.str("/info_hash_v2"), hex(t.info_hash_v2.data(), 32));
    // Padding files are listed as such, not counted as the torrent's files.
    EXPECT_EQ(up.integer("/file_count"), 4);
    EXPECT_GT(std::stoi(sql("SELECT count(*) FROM torrent_files WHERE is_padding AND torrent_id = '" + up.str("/id") + "'")), 0);
}

TEST_F(UploadDownload, MediaFilesAreDetectedAndAnonymousUploadersHidden) {
    const auto up = upload(uploader_, make_v1("Some.Film.2024.1080p", 100000, ".MKV"), "movies-hd", {{"anonymous", "1"}});
    ASSERT_EQ(up.status, 201u) << up.body;
    const auto id = up.str("/id");
    EXPECT_EQ(sql("SELECT extension || ' ' || mime_type || ' ' || is_media FROM torrent_files WHERE torrent_id = '" + id + "'"),
              "mkv video/x-matroska true");
    EXPECT_TRUE(call("GET", "/api/v1/torrents/" + id, "", member_).has("/uploader"));
    EXPECT_EQ(call("GET", "/api/v1/torrents/" + id, "", member_).str("/uploader"), "");
    EXPECT_EQ(call("GET", "/api/v1/torrents/" + id, "", uploader_).str("/uploader"), "uploader1");
    EXPECT_EQ(call("GET", "/api/v1/torrents/" + id, "", moderator_).str("/uploader"), "uploader1");
    EXPECT_EQ(call("GET", "/api/v1/torrents?uploader=uploader1", "", member_).integer("/pagination/total"), 0);
}

TEST_F(UploadDownload, SourceComesFromTheSiteSettings) {
    sql("INSERT INTO site_settings (key, value) VALUES ('tracker.source', '\"SWL\"')");
    sql("INSERT INTO site_settings (key, value) VALUES ('tracker.udp_announce_url', '\"udp://tracker.example:1337\"')");
    const auto up = upload(uploader_, sample("lt_v1_single.torrent"));
    ASSERT_EQ(up.status, 201u) << up.body;
    const auto r = call("GET", "/api/v1/torrents/" + up.str("/id") + "/download", "", member_);
    const auto t = parse(r.body);
    EXPECT_EQ(t.source, "SWL");
    const auto passkey = sql("SELECT passkey FROM users WHERE id = '" + member_id_ + "'");
    ASSERT_EQ(t.announce_list.size(), 2u);
    EXPECT_EQ(t.announce_list[1][0], "udp://tracker.example:1337/announce/" + passkey);
}

}  // namespace
}  // namespace swarmline::control::test
