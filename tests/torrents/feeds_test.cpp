// RSS and Torznab by RSS key: the Newznab/Torznab XML shape Prowlarr reads (caps, an RSS 2.0
// channel with torznab:attr), category mapping, credentials, and the feed's download link giving
// the key owner's passkey. Also the operator's `swarmline-control torrent add`.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>

#include "torrents_fixture.hpp"

namespace swarmline::control::test {
namespace {

class Feeds : public TorrentsTest {
protected:
    std::string rss_key() { return sql("SELECT rss_key FROM users WHERE id = '" + member_id_ + "'"); }
    static std::size_t count(const std::string& text, const std::string& what) {
        std::size_t n = 0;
        for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
        return n;
    }
    // The first `attr` value of `<torznab:attr name="NAME" value="...">`.
    static std::string attr(const std::string& xml, const std::string& name) {
        const std::string open = "<torznab:attr name=\"" + name + "\" value=\"";
        const auto p = xml.find(open);
        if (p == std::string::npos) return "(absent)";
        const auto b = p + open.size();
        return xml.substr(b, xml.find('"', b) - b);
    }
};

TEST_F(Feeds, TorznabCapsAndSearchHaveTheNewznabShape) {
    const auto caps = call("GET", "/api/torznab?t=caps");
    ASSERT_EQ(caps.status, 200u);
    EXPECT_EQ(caps.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<caps>", 0), 0u) << caps.body;
    EXPECT_NE(caps.body.find("<tv-search available=\"yes\" supportedParams=\"q,season,ep,imdbid\"/>"), std::string::npos);
    EXPECT_NE(caps.body.find("<movie-search available=\"yes\""), std::string::npos);
    EXPECT_NE(caps.body.find("<category id=\"2000\" name=\"Movies\">\n<subcat id=\"2030\""), std::string::npos) << caps.body;
    EXPECT_EQ(count(caps.body, "<category "), count(caps.body, "</category>"));

    const auto hd = upload(uploader_, make_v1("Film One 1080p", 70000), "movies-hd", {{"name", "Film One 1080p"}});
    ASSERT_EQ(hd.status, 201u) << hd.body;
    ASSERT_EQ(upload(uploader_, make_v1("Show S01E02 720p", 30000), "tv-hd",
                     {{"name", "Show S01E02 720p"}, {"season_number", "1"}, {"episode_number", "2"}}).status, 201u);
    ASSERT_EQ(call("PATCH", "/api/v1/torrents/" + hd.str("/id"), R"({"freeleech_percentage":50,"double_upload":true})",
                   moderator_).status, 200u);

    const auto key = rss_key();
    const auto all = call("GET", "/api/torznab?t=search&apikey=" + key);
    ASSERT_EQ(all.status, 200u);
    EXPECT_NE(all.body.find("xmlns:torznab=\"http://torznab.com/schemas/2015/feed\""), std::string::npos) << all.body;
    EXPECT_NE(all.body.find("<torznab:response offset=\"0\" total=\"2\"/>"), std::string::npos) << all.body;
    EXPECT_EQ(count(all.body, "<item>"), 2u);

    const auto movies = call("GET", "/api/torznab?t=movie&cat=2000&q=film&apikey=" + key);
    EXPECT_EQ(count(movies.body, "<item>"), 1u) << movies.body;
    EXPECT_NE(movies.body.find("<title>Film One 1080p</title>"), std::string::npos);
    EXPECT_EQ(attr(movies.body, "category"), "2040");
    EXPECT_EQ(attr(movies.body, "seeders"), "0");
    EXPECT_EQ(attr(movies.body, "peers"), "0");
    EXPECT_EQ(attr(movies.body, "infohash"), hd.str("/info_hash"));
    EXPECT_EQ(attr(movies.body, "downloadvolumefactor"), "0.5");
    EXPECT_EQ(attr(movies.body, "uploadvolumefactor"), "2");
    EXPECT_NE(movies.body.find("type=\"application/x-bittorrent\""), std::string::npos);

    const auto tv = call("GET", "/api/torznab?t=tvsearch&cat=5040&season=1&ep=2&apikey=" + key);
    EXPECT_EQ(count(tv.body, "<item>"), 1u) << tv.body;
    EXPECT_EQ(attr(tv.body, "downloadvolumefactor"), "1");
    EXPECT_EQ(count(call("GET", "/api/torznab?t=tvsearch&season=3&apikey=" + key).body, "<item>"), 0u);
    EXPECT_EQ(count(call("GET", "/api/torznab?t=search&cat=3000&apikey=" + key).body, "<item>"), 0u);

    EXPECT_NE(call("GET", "/api/torznab?t=search&apikey=wrong").body.find("<error code=\"100\""), std::string::npos);
    EXPECT_NE(call("GET", "/api/torznab?t=search").body.find("<error code=\"100\""), std::string::npos);
    EXPECT_NE(call("GET", "/api/torznab?t=music&apikey=" + key).body.find("<error code=\"202\""), std::string::npos);
}

TEST_F(Feeds, RssLinksDownloadWithTheKeyOwnersPasskey) {
    const auto up = upload(uploader_, sample("lt_v1_multi.torrent"), "music-flac", {{"name", "Album <FLAC> & more"}});
    ASSERT_EQ(up.status, 201u) << up.body;
    const auto key = rss_key();
    const auto feed = call("GET", "/rss/" + key);
    ASSERT_EQ(feed.status, 200u) << feed.body;
    EXPECT_NE(feed.body.find("<title>Album &lt;FLAC&gt; &amp; more</title>"), std::string::npos) << feed.body;
    const auto link_at = feed.body.find("<link>http://localhost/rss/" + key + "/download/" + up.str("/id") + "</link>");
    EXPECT_NE(link_at, std::string::npos) << feed.body;
    EXPECT_EQ(call("GET", "/rss/" + std::string(32, 'x')).status, 404u);

    const auto dl = call("GET", "/rss/" + key + "/download/" + up.str("/id"));
    ASSERT_EQ(dl.status, 200u) << dl.body;
    const auto t = parse(dl.body);
    EXPECT_EQ(t.announce, "http://127.0.0.1:6969/" + sql("SELECT passkey FROM users WHERE id = '" + member_id_ + "'") + "/announce");
    EXPECT_EQ(call("GET", "/rss/" + std::string(32, 'x') + "/download/" + up.str("/id")).status, 404u);
    sql("UPDATE users SET status = 'disabled' WHERE id = '" + member_id_ + "'");
    EXPECT_EQ(call("GET", "/rss/" + key + "/download/" + up.str("/id")).status, 404u) << "a disabled account's key is dead";
}

TEST_F(Feeds, OperatorAddsATorrentFromTheCommandLine) {
    const char* bin = std::getenv("SWARMLINE_CONTROL_BIN");
    if (!bin) GTEST_SKIP() << "SWARMLINE_CONTROL_BIN is unset (meson test sets it)";
    const std::string cmd = std::string(bin) + " torrent add '" + SWARMLINE_TORRENT_SAMPLES +
                            "/lt_hybrid_single.torrent' --category software-linux --uploader uploader1 --tags iso "
                            "--database-url '" + database().url() + "' --json 2>&1";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::array<char, 4096> buf{};
    while (const auto n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    EXPECT_EQ(pclose(p), 0) << out;
    EXPECT_NE(out.find("\"status\":\"approved\""), std::string::npos) << out;
    EXPECT_EQ(sql("SELECT u.username || ' ' || t.status || ' ' || t.is_private FROM torrents t JOIN users u ON u.id = t.uploader_id"),
              "uploader1 approved true");
    // The same file again is refused with the reason, and the exit code says so.
    p = popen(cmd.c_str(), "r");
    out.clear();
    while (const auto n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    EXPECT_NE(pclose(p), 0);
    EXPECT_NE(out.find("already on the site"), std::string::npos) << out;

    // One pass of the search index queue marks the upload's item done (no Meilisearch given).
    p = popen((std::string(bin) + " torrent search-queue --database-url '" + database().url() + "' --json 2>&1").c_str(), "r");
    out.clear();
    while (const auto n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    EXPECT_EQ(pclose(p), 0) << out;
    EXPECT_NE(out.find("\"completed\":1,"), std::string::npos) << out;
    EXPECT_EQ(sql("SELECT status FROM search_index_queue"), "completed");
}

}  // namespace
}  // namespace swarmline::control::test
