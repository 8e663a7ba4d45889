// Search (full text, trigram, filters, sorts, pages), categories and tags, and the moderation
// workflow's edits, promotions, rejections and soft deletes with their records.
#include <gtest/gtest.h>

#include "torrents_fixture.hpp"

namespace swarmline::control::test {
namespace {

class Catalogue : public TorrentsTest {
protected:
    std::string add(const std::string& name, std::uint64_t size, const std::string& category,
                    const std::map<std::string, std::string>& fields = {}) {
        auto f = fields;
        f["name"] = name;
        const auto r = upload(uploader_, make_v1(name, size), category, f);
        EXPECT_EQ(r.status, 201u) << r.body;
        return r.str("/id");
    }
    std::int64_t total(const std::string& query) {
        const auto r = call("GET", "/api/v1/torrents" + query, "", member_);
        EXPECT_EQ(r.status, 200u) << query << ": " << r.body;
        return r.integer("/pagination/total");
    }
};

TEST_F(Catalogue, SearchFiltersSortsAndPages) {
    const auto dune = add("Dune Part Two 2024 2160p UHD BluRay", 300000, "movies-4k",
                          {{"resolution", "2160p"}, {"tags", "scifi,epic"}, {"release_group", "FLUX"}});
    add("Dune 1984 1080p BluRay", 200000, "movies-hd", {{"resolution", "1080p"}, {"tags", "scifi"}});
    add("The Office S01 1080p WEB", 100000, "tv-hd", {{"resolution", "1080p"}});
    add("Ubuntu 24.04 Desktop amd64", 50000, "software-linux");

    EXPECT_EQ(total(""), 4);
    EXPECT_EQ(total("?q=dune"), 2);
    EXPECT_EQ(total("?q=dnue"), 0) << "a transposition is too far for the trigram match";
    EXPECT_EQ(total("?q=ubunt"), 1) << "a partial word matches by trigram";
    EXPECT_EQ(total("?q=FLUX"), 1) << "the release group is searched";
    EXPECT_EQ(total("?category=movies"), 2) << "a parent includes its subcategories";
    EXPECT_EQ(total("?category=movies-4k"), 1);
    EXPECT_EQ(total("?tags=scifi"), 2);
    EXPECT_EQ(total("?tags=scifi,epic"), 1);
    EXPECT_EQ(total("?resolution=1080p"), 2);
    EXPECT_EQ(total("?min_size=100000&max_size=250000"), 2);
    EXPECT_EQ(total("?uploader=uploader1"), 4);
    EXPECT_EQ(total("?min_seeders=1"), 0);
    EXPECT_EQ(total("?freeleech=1"), 0);

    const auto bySize = call("GET", "/api/v1/torrents?sort=size&order=asc&per_page=2&page=2", "", member_);
    ASSERT_EQ(bySize.status, 200u) << bySize.body;
    EXPECT_EQ(bySize.integer("/pagination/total"), 4);
    EXPECT_EQ(bySize.integer("/torrents/0/size"), 200000);
    EXPECT_EQ(bySize.integer("/torrents/1/size"), 300000);
    EXPECT_FALSE(bySize.has("/torrents/2"));
    const auto byName = call("GET", "/api/v1/torrents?sort=name", "", member_);
    EXPECT_EQ(byName.str("/torrents/0/name"), "Dune 1984 1080p BluRay");
    const auto relevant = call("GET", "/api/v1/torrents?q=dune%202024", "", member_);
    EXPECT_EQ(relevant.str("/torrents/0/id"), dune) << relevant.body;
    EXPECT_EQ(call("GET", "/api/v1/torrents?sort=bogus", "", member_).status, 400u);
    EXPECT_EQ(call("GET", "/api/v1/torrents?min_size=-1", "", member_).status, 400u);

    // Freeleech with an expiry: listed while it runs, not after.
    auto r = call("PATCH", "/api/v1/torrents/" + dune, R"({"freeleech_percentage":100,"freeleech_until":"2999-01-01T00:00:00Z"})", moderator_);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(total("?freeleech=1"), 1);
    r = call("PATCH", "/api/v1/torrents/" + dune, R"({"freeleech_percentage":100,"freeleech_until":"2001-01-01T00:00:00Z"})", moderator_);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(total("?freeleech=1"), 0);
    r = call("PATCH", "/api/v1/torrents/" + dune, R"({"double_upload":true})", moderator_);
    EXPECT_EQ(total("?double_upload=1"), 1);
    EXPECT_EQ(sql("SELECT count(*) FROM torrent_moderation WHERE action = 'promoted' AND torrent_id = '" + dune + "'"), "3");
}

TEST_F(Catalogue, DescriptionsAreSearchedByTheirWords) {
    const auto office = add("The Office S02 1080p", 100000, "tv-hd",
                            {{"description", "Restored from the original negatives, with remastered colours."}});
    add("Dune 1984 1080p BluRay", 200000, "movies-hd", {{"description", "The extended cut."}});
    // The description is indexed with English stems: found by its words as written and by their
    // other forms, alone or with the name's words.
    EXPECT_EQ(total("?q=restored"), 1);
    EXPECT_EQ(total("?q=negatives"), 1);
    EXPECT_EQ(total("?q=restoring"), 1);
    EXPECT_EQ(total("?q=office%20remastered"), 1);
    EXPECT_EQ(total("?q=%22original%20negatives%22"), 1) << "a quoted phrase";
    EXPECT_EQ(total("?q=restored%20-office"), 0) << "a negated word";
    EXPECT_EQ(total("?q=extended%20cut"), 1);
    EXPECT_EQ(total("?q=restored%20dune"), 0) << "every word must match one torrent";
    EXPECT_EQ(total("?q=the%20office"), 1) << "a name's stop words still count";
    const auto r = call("GET", "/api/v1/torrents?q=restoring", "", member_);
    EXPECT_EQ(r.str("/torrents/0/id"), office) << r.body;
}

TEST_F(Catalogue, MediaFieldsAreShownAndEditedByStaff) {
    const auto id = add("Heat 1995 2160p UHD BluRay", 1000, "movies-4k",
                        {{"media_type", "movie"}, {"resolution", "2160p"}, {"video_codec", "x265"},
                         {"audio_codec", "DTS-HD MA"}, {"source", "BluRay"}, {"container", "mkv"}, {"hdr_format", "HDR10"},
                         {"release_group", "FraMeSToR"}, {"year", "1995"}, {"imdb_id", "tt0113277"}, {"tmdb_id", "949"}});
    const auto detail = call("GET", "/api/v1/torrents/" + id, "", member_);
    ASSERT_EQ(detail.status, 200u) << detail.body;
    const std::map<std::string, std::string> stored{
        {"media_type", "movie"}, {"resolution", "2160p"}, {"video_codec", "x265"}, {"audio_codec", "DTS-HD MA"},
        {"source", "BluRay"}, {"container", "mkv"}, {"hdr_format", "HDR10"}, {"release_group", "FraMeSToR"},
        {"imdb_id", "tt0113277"}};
    for (const auto& [key, value] : stored) EXPECT_EQ(detail.str(("/" + key).c_str()), value) << key;
    EXPECT_EQ(detail.integer("/year"), 1995);
    EXPECT_EQ(detail.integer("/tmdb_id"), 949);
    EXPECT_NE(detail.body.find("\"season_number\":null"), std::string::npos) << detail.body;
    // Search results carry them too.
    const auto found = call("GET", "/api/v1/torrents?q=heat", "", member_);
    EXPECT_EQ(found.str("/torrents/0/video_codec"), "x265") << found.body;
    EXPECT_EQ(found.str("/torrents/0/hdr_format"), "HDR10");
    EXPECT_EQ(found.integer("/torrents/0/year"), 1995);

    const auto edit = call("PATCH", "/api/v1/torrents/" + id,
                           R"({"media_type":"episode","video_codec":"HEVC","audio_codec":"TrueHD","source":"WEB-DL",)"
                           R"("container":"mp4","hdr_format":"Dolby Vision","year":1996,"imdb_id":"tt0113278",)"
                           R"("tmdb_id":950,"season_number":1,"episode_number":2})", moderator_);
    ASSERT_EQ(edit.status, 200u) << edit.body;
    EXPECT_EQ(edit.str("/changes/video_codec/old"), "x265");
    EXPECT_EQ(edit.str("/changes/video_codec/new"), "HEVC");
    EXPECT_EQ(edit.integer("/changes/season_number/new"), 1);
    EXPECT_FALSE(edit.has("/changes/resolution")) << "fields the PATCH does not give are kept";
    const auto edited = call("GET", "/api/v1/torrents/" + id, "", member_);
    EXPECT_EQ(edited.str("/media_type"), "episode");
    EXPECT_EQ(edited.str("/audio_codec"), "TrueHD");
    EXPECT_EQ(edited.str("/source"), "WEB-DL");
    EXPECT_EQ(edited.str("/container"), "mp4");
    EXPECT_EQ(edited.str("/hdr_format"), "Dolby Vision");
    EXPECT_EQ(edited.str("/imdb_id"), "tt0113278");
    EXPECT_EQ(edited.str("/resolution"), "2160p");
    EXPECT_EQ(edited.integer("/year"), 1996);
    EXPECT_EQ(edited.integer("/tmdb_id"), 950);
    EXPECT_EQ(edited.integer("/episode_number"), 2);
    EXPECT_EQ(sql("SELECT changes->'hdr_format'->>'new' FROM audit_logs WHERE action = 'torrent.edit' AND entity_id = '" +
                  id + "'"), "Dolby Vision");
    EXPECT_EQ(total("?q=heat&resolution=2160p"), 1);

    const auto patch = [&](const std::string& body) { return call("PATCH", "/api/v1/torrents/" + id, body, moderator_); };
    EXPECT_EQ(patch(R"({"imdb_id":"nope"})").status, 422u);
    EXPECT_EQ(patch(R"({"year":1700})").status, 422u);
    EXPECT_EQ(patch(R"({"media_type":"podcast"})").status, 422u);
    EXPECT_EQ(patch(R"({"season_number":70000})").status, 422u);
    EXPECT_EQ(patch(R"({"tmdb_id":"many"})").status, 422u);
    EXPECT_EQ(call("PATCH", "/api/v1/torrents/" + id, R"({"video_codec":"x264"})", member_).status, 403u);
    EXPECT_EQ(call("GET", "/api/v1/torrents/" + id, "", member_).str("/video_codec"), "HEVC");
}

TEST_F(Catalogue, StickyTorrentsComeFirstAndFeaturedOnesAreMarked) {
    const auto oldest = add("Oldest Upload", 3000, "other");
    add("Middle Upload", 1000, "other");
    add("Newest Upload", 2000, "other");
    const auto first = [&](const std::string& query) {
        return call("GET", "/api/v1/torrents" + query, "", member_).str("/torrents/0/name");
    };
    EXPECT_EQ(first(""), "Newest Upload");
    auto r = call("PATCH", "/api/v1/torrents/" + oldest, R"({"sticky":true,"featured":true})", moderator_);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_TRUE(r.has("/changes/is_sticky/new") && r.has("/changes/is_featured/new")) << r.body;
    // Sticky first whatever the sort; the others in the sort's order after it.
    EXPECT_EQ(first(""), "Oldest Upload");
    EXPECT_EQ(first("?sort=size&order=asc"), "Oldest Upload");
    const auto bySize = call("GET", "/api/v1/torrents?sort=size&order=asc", "", member_);
    EXPECT_EQ(bySize.str("/torrents/1/name"), "Middle Upload");
    EXPECT_EQ(first("?sort=name"), "Oldest Upload");
    EXPECT_EQ(first("?q=middle"), "Middle Upload") << "a filter still applies";
    const auto detail = call("GET", "/api/v1/torrents/" + oldest, "", member_);
    EXPECT_NE(detail.body.find("\"sticky\":true"), std::string::npos) << detail.body;
    EXPECT_NE(detail.body.find("\"featured\":true"), std::string::npos) << detail.body;
    EXPECT_EQ(sql("SELECT action FROM torrent_moderation WHERE torrent_id = '" + oldest + "' ORDER BY created_at DESC LIMIT 1"),
              "promoted");
    // The RSS feed puts it first too.
    const auto feed = call("GET", "/rss/" + sql("SELECT rss_key FROM users WHERE id = '" + member_id_ + "'"));
    EXPECT_LT(feed.body.find("Oldest Upload"), feed.body.find("Newest Upload"));

    r = call("PATCH", "/api/v1/torrents/" + oldest, R"({"sticky":false})", moderator_);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(first(""), "Newest Upload");
    EXPECT_NE(call("GET", "/api/v1/torrents/" + oldest, "", member_).body.find("\"featured\":true"), std::string::npos)
        << "unchanged when the PATCH does not give it";
    EXPECT_EQ(call("PATCH", "/api/v1/torrents/" + oldest, R"({"sticky":"yes"})", moderator_).status, 422u);
}

TEST_F(Catalogue, CategoriesAndTagsAreListed) {
    add("Tagged 1", 1000, "music-flac", {{"tags", "jazz,live"}});
    add("Tagged 2", 1000, "music-flac", {{"tags", "jazz"}});
    const auto cats = call("GET", "/api/v1/categories", "", member_);
    ASSERT_EQ(cats.status, 200u) << cats.body;
    EXPECT_EQ(cats.str("/categories/0/slug"), "movies");
    EXPECT_EQ(cats.str("/categories/1/slug"), "movies-sd");
    std::int64_t music = -1, flac = -1;
    for (int i = 0; cats.has(("/categories/" + std::to_string(i)).c_str()); ++i) {
        const auto at = "/categories/" + std::to_string(i);
        if (cats.str((at + "/slug").c_str()) == "music") music = cats.integer((at + "/torrent_count").c_str());
        if (cats.str((at + "/slug").c_str()) == "music-flac") flac = cats.integer((at + "/torrent_count").c_str());
    }
    EXPECT_EQ(flac, 2);
    EXPECT_EQ(music, 2) << "a parent counts its subcategories' torrents";
    const auto tags = call("GET", "/api/v1/tags", "", member_);
    EXPECT_EQ(tags.str("/tags/0/name"), "jazz");
    EXPECT_EQ(tags.integer("/tags/0/usage_count"), 2);
    EXPECT_EQ(call("GET", "/api/v1/tags?prefix=li", "", member_).str("/tags/0/name"), "live");
}

TEST_F(Catalogue, MembersTagAndVoteOnTags) {
    const auto id = add("Voted Album", 1000, "music-flac", {{"tags", "rock"}});
    const auto pending = upload(power_, make_v1("Not Yet", 1000), "music-flac").str("/id");
    const auto add_tag = [&](const std::string& torrent, const std::string& name) {
        return call("POST", "/api/v1/torrents/" + torrent + "/tags", R"({"name":")" + name + "\"}", member_);
    };
    const auto added = add_tag(id, "live");
    ASSERT_EQ(added.status, 201u) << added.body;
    EXPECT_EQ(add_tag(id, "live").status, 409u);
    EXPECT_EQ(add_tag(id, "Not A Tag").status, 422u);
    EXPECT_EQ(add_tag(pending, "live").status, 404u) << "only live torrents are tagged";
    EXPECT_EQ(sql("SELECT usage_count FROM torrent_tags WHERE name = 'live'"), "1");
    const auto queued_tags = [&] {
        return sql("SELECT payload->>'tags' FROM search_index_queue WHERE entity_id = '" + id + "' ORDER BY id DESC LIMIT 1");
    };
    EXPECT_EQ(queued_tags(), R"(["live", "rock"])") << "a new tag is queued for the search index";

    const auto vote = [&](const std::string& token, const std::string& tag, int v) {
        return call("POST", "/api/v1/torrents/" + id + "/tags/" + tag + "/votes", "{\"vote\":" + std::to_string(v) + "}", token);
    };
    EXPECT_EQ(vote(member_, "live", 1).integer("/score"), 1);
    EXPECT_EQ(vote(uploader_, "live", 1).integer("/score"), 2);
    const auto changed = vote(member_, "live", -1);
    EXPECT_EQ(changed.integer("/upvotes"), 1) << "a new vote replaces the member's old one";
    EXPECT_EQ(changed.integer("/downvotes"), 1);
    EXPECT_EQ(changed.integer("/score"), 0);
    EXPECT_EQ(vote(member_, "rock", -1).integer("/score"), -1);
    EXPECT_EQ(sql("SELECT count(*) FROM search_index_queue WHERE entity_id = '" + id + "'"), "6")
        << "the upload, the tag and each of the four votes";
    EXPECT_EQ(vote(member_, "jazz", 1).status, 404u);
    EXPECT_EQ(vote(member_, "live", 2).status, 422u);
    // A torrent's tags are listed best score first.
    const auto detail = call("GET", "/api/v1/torrents/" + id, "", member_);
    EXPECT_EQ(detail.str("/tags/0"), "live");
    EXPECT_EQ(detail.str("/tags/1"), "rock");
}

TEST_F(Catalogue, ExternalMetadataIsStoredWithoutAnyFetch) {
    const auto id = add("Arrival 2016 1080p", 1000, "movies-hd");
    const auto put = [&](const std::string& body) {
        return call("PUT", "/api/v1/torrents/" + id + "/metadata", body, moderator_);
    };
    const auto r = put(R"({"provider":"tmdb","tmdb_id":329865,"imdb_id":"tt2543164","title":"Arrival","year":2016,)"
                       R"("genres":["Drama","Science Fiction"],"metadata":{"vote_average":7.6}})");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.integer("/tmdb_id"), 329865);
    const auto detail = call("GET", "/api/v1/torrents/" + id, "", member_);
    EXPECT_EQ(detail.str("/metadata/title"), "Arrival");
    EXPECT_EQ(detail.str("/metadata/genres/1"), "Science Fiction");
    EXPECT_EQ(detail.str("/metadata/provider"), "tmdb");
    EXPECT_TRUE(detail.has("/metadata/metadata_json/vote_average"));
    // A PUT replaces the record; the change is recorded.
    ASSERT_EQ(put(R"({"igdb_id":42})").status, 200u);
    const auto replaced = call("GET", "/api/v1/torrents/" + id, "", member_);
    EXPECT_EQ(replaced.integer("/metadata/igdb_id"), 42);
    EXPECT_EQ(replaced.str("/metadata/title"), "") << "fields the PUT does not give are cleared";
    EXPECT_EQ(sql("SELECT changes->'metadata'->'old'->>'title' FROM audit_logs WHERE action = 'torrent.metadata' "
                  "ORDER BY id DESC LIMIT 1"), "Arrival");
    EXPECT_EQ(put(R"({"imdb_id":"nope"})").status, 422u);
    EXPECT_EQ(put(R"({"tmdb_id":"many"})").status, 422u);
    EXPECT_EQ(put(R"({"colour":"blue"})").status, 422u);
    EXPECT_EQ(put(R"({"metadata":[1]})").status, 422u);
    EXPECT_EQ(call("PUT", "/api/v1/torrents/" + id + "/metadata", R"({"igdb_id":1})", member_).status, 403u);
}

TEST_F(Catalogue, StaffManageTheCategoryTree) {
    make_user("admin1", "Administrator");
    const auto admin = login("admin1");
    auto r = call("POST", "/api/v1/categories", R"({"name":"Documentaries","slug":"movies-docs","parent":"movies","color":"#112233"})", admin);
    ASSERT_EQ(r.status, 201u) << r.body;
    const auto id = std::to_string(r.integer("/id"));
    EXPECT_EQ(r.integer("/parent_id"), std::stoll(sql("SELECT id FROM torrent_categories WHERE slug = 'movies'")));
    EXPECT_EQ(call("POST", "/api/v1/categories", R"({"name":"Again","slug":"movies-docs"})", admin).status, 409u);
    EXPECT_EQ(call("POST", "/api/v1/categories", R"({"name":"Bad","slug":"Bad Slug"})", admin).status, 422u);
    EXPECT_EQ(call("POST", "/api/v1/categories", R"({"name":"Deep","slug":"deep","parent":"movies-hd"})", admin).status, 422u)
        << "one level deep";
    EXPECT_EQ(call("POST", "/api/v1/categories", R"({"name":"X","slug":"x"})", moderator_).status, 403u);
    // New uploads can go there, and search under the parent finds them.
    ASSERT_EQ(upload(uploader_, make_v1("A Documentary", 1000), "movies-docs").status, 201u);
    EXPECT_EQ(total("?category=movies"), 1);
    // Closed to uploads, then deactivated (hidden from the listing).
    r = call("PATCH", "/api/v1/categories/" + id, R"({"allow_uploads":false})", admin);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(upload(uploader_, make_v1("Another Documentary", 1000), "movies-docs").status, 422u);
    EXPECT_EQ(call("PATCH", "/api/v1/categories/" + id, R"({"active":false})", admin).status, 200u);
    EXPECT_EQ(call("GET", "/api/v1/categories", "", member_).body.find("movies-docs"), std::string::npos);
    EXPECT_EQ(call("PATCH", "/api/v1/categories/999999", R"({"name":"x"})", admin).status, 404u);
    EXPECT_EQ(call("PATCH", "/api/v1/categories/abc", R"({"name":"x"})", admin).status, 404u);
    EXPECT_EQ(call("PATCH", "/api/v1/categories/" + id, R"({"color":"red"})", admin).status, 422u);
}

TEST_F(Catalogue, EditsRejectionsAndSoftDeletesAreRecorded) {
    const auto up = upload(power_, make_v1("Pending Thing", 5000), "other");
    ASSERT_EQ(up.status, 201u) << up.body;
    const auto id = up.str("/id");
    EXPECT_EQ(moderate(id, "reject").status, 422u) << "a rejection needs a reason";
    EXPECT_EQ(moderate(id, "postpone").status, 200u);
    EXPECT_EQ(sql("SELECT status FROM moderation_queue WHERE item_id = '" + id + "'"), "pending") << "postponed stays queued";
    EXPECT_EQ(moderate(id, "reject", "missing NFO").status, 200u);
    EXPECT_EQ(moderate(id, "reject", "again").status, 409u);
    EXPECT_EQ(sql("SELECT string_agg(action || ':' || previous_status || '>' || new_status, ',' ORDER BY created_at) "
                  "FROM torrent_moderation WHERE torrent_id = '" + id + "'"),
              "postponed:pending>postponed,rejected:postponed>rejected");
    EXPECT_EQ(sql("SELECT moderation_reason FROM torrents WHERE id = '" + id + "'"), "missing NFO");
    EXPECT_EQ(call("GET", "/api/v1/torrents/" + id + "/download", "", member_).status, 404u);

    const auto live = upload(uploader_, make_v1("Live Thing", 5000), "other");
    const auto lid = live.str("/id");
    const auto edit = call("PATCH", "/api/v1/torrents/" + lid, R"({"name":"Live Thing Renamed","category":"ebooks"})", moderator_);
    ASSERT_EQ(edit.status, 200u) << edit.body;
    EXPECT_EQ(edit.str("/changes/name/old"), "Live Thing.mkv") << "the torrent's own name when the form gives none";
    EXPECT_EQ(edit.str("/changes/name/new"), "Live Thing Renamed");
    EXPECT_TRUE(edit.has("/changes/category_id"));
    EXPECT_FALSE(edit.has("/changes/description"));
    EXPECT_EQ(sql("SELECT changes->'name'->>'new' FROM audit_logs WHERE action = 'torrent.edit' AND entity_id = '" + lid + "'"),
              "Live Thing Renamed");
    EXPECT_EQ(call("PATCH", "/api/v1/torrents/" + lid, R"({"freeleech_until":"some day"})", moderator_).status, 422u);
    EXPECT_EQ(call("PATCH", "/api/v1/torrents/" + lid, R"({"name":"x"})", member_).status, 403u);

    EXPECT_EQ(call("DELETE", "/api/v1/torrents/" + lid, R"({"reason":"dupe of a better release"})", moderator_).status, 204u);
    EXPECT_EQ(sql("SELECT deletion_reason FROM torrents WHERE id = '" + lid + "'"), "dupe of a better release");
    EXPECT_EQ(call("GET", "/api/v1/torrents/" + lid, "", member_).status, 404u);
    EXPECT_EQ(call("GET", "/api/v1/torrents/" + lid + "/download", "", member_).status, 404u);
    EXPECT_EQ(call("GET", "/api/v1/torrents?q=renamed", "", member_).integer("/pagination/total"), 0);
    EXPECT_EQ(call("DELETE", "/api/v1/torrents/" + lid, "", moderator_).status, 404u);
    EXPECT_EQ(sql("SELECT operation FROM search_index_queue WHERE entity_id = '" + lid + "' ORDER BY id DESC LIMIT 1"), "delete");
    EXPECT_EQ(sql("SELECT count(*) FROM torrent_moderation WHERE action = 'deleted' AND torrent_id = '" + lid + "'"), "1");

    // A pending upload that is deleted leaves the moderation queue.
    const auto queued = upload(power_, make_v1("Queued Then Deleted", 5000), "other").str("/id");
    EXPECT_EQ(call("DELETE", "/api/v1/torrents/" + queued, R"({"reason":"spam"})", moderator_).status, 204u);
    EXPECT_EQ(sql("SELECT status || ' ' || resolution_notes FROM moderation_queue WHERE item_id = '" + queued + "'"),
              "rejected deleted: spam");
    EXPECT_EQ(call("GET", "/api/v1/moderation/torrents", "", moderator_).integer("/pagination/total"), 0);
}

}  // namespace
}  // namespace swarmline::control::test
