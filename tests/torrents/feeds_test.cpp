// RSS and Torznab by RSS key: the responses are parsed as XML (Boost.PropertyTree) and checked
// against the Newznab/Torznab shape Prowlarr reads (caps with server, limits, searching and the
// category tree; an RSS 2.0 channel of items with enclosure and torznab:attr; Newznab's error
// element), category mapping, credentials, and the feed's download link giving the key owner's
// passkey. Also the operator's `swarmline-control torrent add`.
#include <gtest/gtest.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <array>
#include <cstdio>
#include <regex>
#include <sstream>

#include "torrents_fixture.hpp"

namespace swarmline::control::test {
namespace {

namespace pt = boost::property_tree;

// The document, or an empty tree (and a failure) when it is not well-formed XML.
pt::ptree xml(const std::string& body) {
    pt::ptree tree;
    std::istringstream in(body);
    try {
        pt::read_xml(in, tree);
    } catch (const pt::xml_parser_error& e) {
        ADD_FAILURE() << e.what() << "\n" << body;
    }
    return tree;
}

// The element at `path` under `node`; an empty one (and a failure) when there is none.
const pt::ptree& child(const pt::ptree& node, const std::string& path) {
    static const pt::ptree kNone;
    const auto found = node.get_child_optional(path);
    if (!found) ADD_FAILURE() << "no <" << path << ">";
    return found ? *found : kNone;
}

std::string attr(const pt::ptree& node, const std::string& name) {
    return node.get<std::string>("<xmlattr>." + name, "(absent)");
}

bool is_number(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

// One result as a Torznab client reads it; every element an item must have is checked on the way.
struct Item {
    std::string title, guid, link, size, category;
    std::map<std::string, std::string> attrs;  // torznab:attr name -> value
    std::string torznab(const std::string& name) const {
        const auto a = attrs.find(name);
        return a == attrs.end() ? "(absent)" : a->second;
    }
};

struct Channel {
    std::string offset = "(absent)", total = "(absent)";
    std::vector<Item> items;
};

Channel channel(const std::string& body) {
    const auto doc = xml(body);
    Channel out;
    const auto rss = doc.get_child_optional("rss");
    if (!rss) {
        ADD_FAILURE() << "no <rss> root:\n" << body;
        return out;
    }
    EXPECT_EQ(attr(*rss, "version"), "2.0");
    EXPECT_EQ(attr(*rss, "xmlns:torznab"), "http://torznab.com/schemas/2015/feed");
    const auto& ch = child(*rss, "channel");
    EXPECT_FALSE(ch.get<std::string>("title", "").empty()) << body;
    EXPECT_FALSE(ch.get<std::string>("link", "").empty()) << body;
    if (const auto r = ch.get_child_optional("torznab:response")) out.offset = attr(*r, "offset"), out.total = attr(*r, "total");
    static const std::regex rfc822(R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000)");
    for (const auto& [name, node] : ch) {
        if (name != "item") continue;
        Item it;
        it.title = node.get<std::string>("title", "");
        it.guid = node.get<std::string>("guid", "");
        it.link = node.get<std::string>("link", "");
        it.size = node.get<std::string>("size", "");
        it.category = node.get<std::string>("category", "");
        EXPECT_FALSE(it.title.empty());
        EXPECT_FALSE(it.guid.empty());
        EXPECT_TRUE(it.link.starts_with("http://")) << it.link;
        EXPECT_TRUE(std::regex_match(node.get<std::string>("pubDate", ""), rfc822)) << node.get<std::string>("pubDate", "");
        EXPECT_TRUE(is_number(it.size)) << it.size;
        EXPECT_TRUE(is_number(it.category)) << it.category;
        const auto& enclosure = child(node, "enclosure");
        EXPECT_EQ(attr(enclosure, "url"), it.link);
        EXPECT_EQ(attr(enclosure, "length"), it.size);
        EXPECT_EQ(attr(enclosure, "type"), "application/x-bittorrent");
        for (const auto& [aname, a] : node)
            if (aname == "torznab:attr") it.attrs[attr(a, "name")] = attr(a, "value");
        for (const char* required : {"category", "seeders", "peers", "infohash", "downloadvolumefactor", "uploadvolumefactor"})
            EXPECT_TRUE(it.attrs.contains(required)) << "no torznab:attr " << required << " in " << it.title;
        EXPECT_EQ(it.torznab("category"), it.category);
        EXPECT_TRUE(is_number(it.torznab("seeders")) && is_number(it.torznab("peers")));
        EXPECT_LE(std::stoll("0" + it.torznab("seeders")), std::stoll("0" + it.torznab("peers"))) << "peers counts the seeders";
        EXPECT_TRUE(std::regex_match(it.torznab("infohash"), std::regex("[0-9a-f]{40}"))) << it.torznab("infohash");
        for (const char* factor : {"downloadvolumefactor", "uploadvolumefactor"})
            EXPECT_TRUE(std::regex_match(it.torznab(factor), std::regex(R"(\d+(\.\d+)?)"))) << factor << "=" << it.torznab(factor);
        out.items.push_back(std::move(it));
    }
    return out;
}

// Newznab's <error code=".." description=".."/>: its code, or "(not an error)".
std::string error_code(const std::string& body) {
    const auto doc = xml(body);
    const auto e = doc.get_child_optional("error");
    if (!e) return "(not an error)";
    EXPECT_NE(attr(*e, "description"), "(absent)");
    EXPECT_FALSE(attr(*e, "description").empty());
    return attr(*e, "code");
}

class Feeds : public TorrentsTest {
protected:
    std::string rss_key() { return sql("SELECT rss_key FROM users WHERE id = '" + member_id_ + "'"); }
    Channel get(const std::string& target) {
        const auto r = call("GET", target);
        EXPECT_EQ(r.status, 200u) << target;
        return channel(r.body);
    }
};

TEST_F(Feeds, TorznabCapsHaveTheNewznabShape) {
    const auto r = call("GET", "/api/torznab?t=caps");
    ASSERT_EQ(r.status, 200u);
    const auto doc = xml(r.body);
    const auto& caps = child(doc, "caps");
    EXPECT_EQ(attr(child(caps, "server"), "title"), "Swarmline");
    const auto& limits = child(caps, "limits");
    ASSERT_TRUE(is_number(attr(limits, "default")) && is_number(attr(limits, "max"))) << r.body;
    EXPECT_LE(std::stoi(attr(limits, "default")), std::stoi(attr(limits, "max")));
    const auto& searching = child(caps, "searching");
    const std::map<std::string, std::string> params{
        {"search", "q"}, {"tv-search", "q,season,ep,imdbid"}, {"movie-search", "q,imdbid,tmdbid"}};
    for (const auto& [kind, supported] : params) {
        const auto& s = child(searching, kind);
        EXPECT_EQ(attr(s, "available"), "yes") << kind;
        EXPECT_EQ(attr(s, "supportedParams"), supported) << kind;
    }
    // Categories: Newznab thousands, each with its subcategories inside its range.
    std::map<std::string, std::string> names;
    int categories = 0;
    for (const auto& [name, cat] : child(caps, "categories")) {
        ASSERT_EQ(name, "category");
        ++categories;
        const auto id = attr(cat, "id");
        ASSERT_TRUE(is_number(id)) << id;
        EXPECT_EQ(std::stoi(id) % 1000, 0) << id;
        EXPECT_FALSE(attr(cat, "name").empty());
        names[id] = attr(cat, "name");
        for (const auto& [sname, sub] : cat) {
            if (sname == "<xmlattr>") continue;
            ASSERT_EQ(sname, "subcat");
            const auto sid = attr(sub, "id");
            ASSERT_TRUE(is_number(sid)) << sid;
            EXPECT_EQ(std::stoi(sid) / 1000 * 1000, std::stoi(id)) << sid << " under " << id;
            EXPECT_FALSE(attr(sub, "name").empty());
            names[sid] = attr(sub, "name");
        }
    }
    EXPECT_GE(categories, 4);
    EXPECT_EQ(names["2000"], "Movies");
    EXPECT_EQ(names["2040"], "Movies/HD");
    EXPECT_EQ(names["5000"], "TV");
}

TEST_F(Feeds, TorznabSearchesGiveTorznabItems) {
    const auto hd = upload(uploader_, make_v1("Film One 1080p", 70000), "movies-hd",
                           {{"name", "Film One 1080p"}, {"imdb_id", "tt0111161"}, {"tmdb_id", "278"}});
    ASSERT_EQ(hd.status, 201u) << hd.body;
    const auto show = upload(uploader_, make_v1("Show S01E02 720p", 30000), "tv-hd",
                             {{"name", "Show S01E02 720p"}, {"season_number", "1"}, {"episode_number", "2"}});
    ASSERT_EQ(show.status, 201u) << show.body;
    ASSERT_EQ(call("PATCH", "/api/v1/torrents/" + hd.str("/id"), R"({"freeleech_percentage":50,"double_upload":true})",
                   moderator_).status, 200u);
    const auto key = rss_key();

    const auto all = get("/api/torznab?t=search&apikey=" + key);
    EXPECT_EQ(all.offset, "0");
    EXPECT_EQ(all.total, "2");
    ASSERT_EQ(all.items.size(), 2u);
    EXPECT_EQ(all.items[0].title, "Show S01E02 720p") << "newest first";
    EXPECT_EQ(all.items[0].guid, show.str("/id"));
    EXPECT_EQ(all.items[0].link, "http://localhost/rss/" + key + "/download/" + show.str("/id"));
    EXPECT_EQ(all.items[0].size, "30000");
    EXPECT_EQ(all.items[0].torznab("downloadvolumefactor"), "1");
    EXPECT_EQ(all.items[0].torznab("uploadvolumefactor"), "1");
    EXPECT_EQ(get("/api/torznab?t=search&limit=1&offset=1&apikey=" + key).items.size(), 1u);

    const auto movies = get("/api/torznab?t=movie&cat=2000&q=film&apikey=" + key);
    ASSERT_EQ(movies.items.size(), 1u);
    const auto& m = movies.items[0];
    EXPECT_EQ(m.title, "Film One 1080p");
    EXPECT_EQ(m.category, "2040");
    EXPECT_EQ(m.torznab("seeders"), "0");
    EXPECT_EQ(m.torznab("peers"), "0");
    EXPECT_EQ(m.torznab("infohash"), hd.str("/info_hash"));
    EXPECT_EQ(m.torznab("downloadvolumefactor"), "0.5");
    EXPECT_EQ(m.torznab("uploadvolumefactor"), "2");
    EXPECT_EQ(get("/api/torznab?t=movie&imdbid=0111161&apikey=" + key).items.size(), 1u);
    EXPECT_EQ(get("/api/torznab?t=movie&tmdbid=278&apikey=" + key).items.size(), 1u);
    EXPECT_EQ(get("/api/torznab?t=movie&tmdbid=279&apikey=" + key).items.size(), 0u);

    const auto tv = get("/api/torznab?t=tvsearch&cat=5040&season=1&ep=2&apikey=" + key);
    ASSERT_EQ(tv.items.size(), 1u);
    EXPECT_EQ(tv.items[0].category, "5040");
    EXPECT_EQ(get("/api/torznab?t=tvsearch&season=3&apikey=" + key).items.size(), 0u);
    EXPECT_EQ(get("/api/torznab?t=search&cat=3000&apikey=" + key).items.size(), 0u);

    EXPECT_EQ(error_code(call("GET", "/api/torznab?t=search&apikey=wrong").body), "100");
    EXPECT_EQ(error_code(call("GET", "/api/torznab?t=movie").body), "100");
    EXPECT_EQ(error_code(call("GET", "/api/torznab?t=music&apikey=" + key).body), "202");
}

TEST_F(Feeds, RssLinksDownloadWithTheKeyOwnersPasskey) {
    const auto up = upload(uploader_, sample("lt_v1_multi.torrent"), "music-flac", {{"name", "Album <FLAC> & more"}});
    ASSERT_EQ(up.status, 201u) << up.body;
    const auto key = rss_key();
    const auto feed = get("/rss/" + key);
    ASSERT_EQ(feed.items.size(), 1u);
    EXPECT_EQ(feed.items[0].title, "Album <FLAC> & more") << "escaped in the XML, the same text once parsed";
    EXPECT_EQ(feed.items[0].link, "http://localhost/rss/" + key + "/download/" + up.str("/id"));
    EXPECT_EQ(feed.items[0].torznab("infohash"), up.str("/info_hash"));
    EXPECT_EQ(call("GET", "/rss/" + std::string(32, 'x')).status, 404u);

    const auto dl = call("GET", "/rss/" + key + "/download/" + up.str("/id"));
    ASSERT_EQ(dl.status, 200u) << dl.body;
    const auto t = parse(dl.body);
    EXPECT_EQ(t.announce, "http://127.0.0.1:6969/" + sql("SELECT passkey FROM users WHERE id = '" + member_id_ + "'") + "/announce");
    EXPECT_EQ(call("GET", "/rss/" + std::string(32, 'x') + "/download/" + up.str("/id")).status, 404u);
    sql("UPDATE users SET status = 'disabled' WHERE id = '" + member_id_ + "'");
    EXPECT_EQ(call("GET", "/rss/" + key + "/download/" + up.str("/id")).status, 404u) << "a disabled account's key is dead";
}

TEST_F(Feeds, RssFeedsAreFilteredLikeTheSearch) {
    const auto add = [&](const std::string& name, const std::string& category, std::map<std::string, std::string> fields) {
        fields["name"] = name;
        const auto r = upload(uploader_, make_v1(name, 10000), category, fields);
        EXPECT_EQ(r.status, 201u) << r.body;
        return r.str("/id");
    };
    add("Alpha 2160p", "movies-4k", {{"resolution", "2160p"}, {"tags", "scifi,hdr"}});
    add("Beta 1080p", "movies-hd", {{"resolution", "1080p"}, {"tags", "scifi"}});
    add("Gamma 1080p", "tv-hd", {{"resolution", "1080p"}, {"tags", "drama"}});
    const auto delta = add("Delta Album", "music-flac", {{"tags", "jazz"}});
    ASSERT_EQ(call("PATCH", "/api/v1/torrents/" + delta, R"({"double_upload":true})", moderator_).status, 200u);
    const auto feed = "/rss/" + rss_key();
    const auto titles = [&](const std::string& query) {
        std::string out;
        for (const auto& it : get(feed + query).items) out += (out.empty() ? "" : ",") + it.title;
        return out;
    };
    EXPECT_EQ(titles(""), "Delta Album,Gamma 1080p,Beta 1080p,Alpha 2160p") << "newest first";
    EXPECT_EQ(titles("?tags=scifi"), "Beta 1080p,Alpha 2160p");
    EXPECT_EQ(titles("?tags=scifi,hdr"), "Alpha 2160p");
    EXPECT_EQ(titles("?resolution=1080p"), "Gamma 1080p,Beta 1080p");
    EXPECT_EQ(titles("?resolution=1080p&category=movies"), "Beta 1080p");
    EXPECT_EQ(titles("?category=movies-4k,music"), "Delta Album,Alpha 2160p");
    EXPECT_EQ(titles("?double_upload=1"), "Delta Album");
    EXPECT_EQ(titles("?min_size=20000"), "");
    EXPECT_EQ(titles("?uploader=uploader1&tags=drama"), "Gamma 1080p");
    EXPECT_EQ(titles("?q=beta&sort=name"), "Beta 1080p");
    EXPECT_EQ(call("GET", feed + "?min_size=-1").status, 400u);
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
