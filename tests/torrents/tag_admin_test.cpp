// Staff curate tags: create with a type, rename (refused onto an existing name), merge (torrents
// move, a torrent with both keeps one, votes on the kept one stay, the old name becomes an alias
// that members adding it get the target through), delete (assignments and aliases go); members may
// do none of it; every change is in audit_logs and queued for the search index of its torrents.
#include <gtest/gtest.h>

#include "torrents_fixture.hpp"

namespace swarmline::control::test {
namespace {

class TagAdmin : public TorrentsTest {
protected:
    std::string add(const std::string& name, const std::string& tags) {
        const auto r = upload(uploader_, make_v1(name, 1000), "other", {{"name", name}, {"tags", tags}});
        EXPECT_EQ(r.status, 201u) << r.body;
        return r.str("/id");
    }
    // The tags of the torrent's latest search index queue item.
    std::string queued_tags(const std::string& id) {
        return sql("SELECT payload->>'tags' FROM search_index_queue WHERE entity_id = '" + id + "' ORDER BY id DESC LIMIT 1");
    }
    std::string tags_of(const std::string& id) {
        return sql("SELECT string_agg(g.name, ',' ORDER BY g.name) FROM torrent_tag_assignments a "
                   "JOIN torrent_tags g ON g.id = a.tag_id WHERE a.torrent_id = '" + id + "'");
    }
};

TEST_F(TagAdmin, StaffCreateRenameMergeAndDeleteTags) {
    auto r = call("POST", "/api/v1/tags", R"({"name":"sci-fi","type":"genre","description":"Science fiction"})", moderator_);
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(r.str("/type"), "genre");
    EXPECT_EQ(call("POST", "/api/v1/tags", R"({"name":"sci-fi"})", moderator_).status, 409u);
    EXPECT_EQ(call("POST", "/api/v1/tags", R"({"name":"Sci Fi"})", moderator_).error(), "invalid_field");
    EXPECT_EQ(call("POST", "/api/v1/tags", R"({"name":"x","type":"colour"})", moderator_).error(), "invalid_field");
    EXPECT_EQ(call("POST", "/api/v1/tags", R"({"name":"mine"})", uploader_).status, 403u) << "staff only";

    const auto a = add("Alpha", "scifi,space");
    const auto b = add("Beta", "scifi,sci-fi");
    const auto c = add("Gamma", "sci-fi");
    // A member's vote on Beta's sci-fi survives the merge; its scifi assignment goes.
    ASSERT_EQ(call("POST", "/api/v1/torrents/" + b + "/tags/sci-fi/votes", R"({"vote":1})", member_).status, 200u);

    r = call("PATCH", "/api/v1/tags/space", R"({"name":"sci-fi"})", moderator_);
    EXPECT_EQ(r.status, 409u) << "renaming onto an existing tag is a merge";
    r = call("PATCH", "/api/v1/tags/space", R"({"name":"outer-space","type":"genre"})", moderator_);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.str("/name"), "outer-space");
    EXPECT_EQ(tags_of(a), "outer-space,scifi");
    EXPECT_EQ(queued_tags(a), R"(["outer-space", "scifi"])") << "the rename is queued for the search index";
    EXPECT_EQ(call("PATCH", "/api/v1/tags/space", "{}", moderator_).status, 404u);

    r = call("POST", "/api/v1/tags/scifi/merge", R"({"into":"sci-fi"})", moderator_);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.integer("/usage_count"), 3);
    EXPECT_EQ(tags_of(a), "outer-space,sci-fi");
    EXPECT_EQ(tags_of(b), "sci-fi");
    EXPECT_EQ(tags_of(c), "sci-fi");
    EXPECT_EQ(queued_tags(a), R"(["outer-space", "sci-fi"])");
    EXPECT_EQ(sql("SELECT a.upvotes FROM torrent_tag_assignments a JOIN torrent_tags g ON g.id = a.tag_id "
                  "WHERE g.name = 'sci-fi' AND a.torrent_id = '" + b + "'"),
              "1");
    EXPECT_EQ(sql("SELECT g.name FROM torrent_tags t JOIN torrent_tags g ON g.id = t.alias_of WHERE t.name = 'scifi'"),
              "sci-fi");
    // The alias is not listed; a member adding it gets the target.
    EXPECT_FALSE(call("GET", "/api/v1/tags?prefix=scifi", "", member_).has("/tags/0"));
    const auto d = add("Delta", "");
    r = call("POST", "/api/v1/torrents/" + d + "/tags", R"({"name":"scifi"})", member_);
    EXPECT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(tags_of(d), "sci-fi");
    EXPECT_EQ(call("POST", "/api/v1/tags/sci-fi/merge", R"({"into":"sci-fi"})", moderator_).error(), "invalid_field");
    EXPECT_EQ(call("POST", "/api/v1/tags/nothing/merge", R"({"into":"sci-fi"})", moderator_).status, 404u);

    ASSERT_EQ(call("DELETE", "/api/v1/tags/sci-fi", "", moderator_).status, 204u);
    EXPECT_EQ(tags_of(b), "");
    EXPECT_EQ(queued_tags(b), "[]");
    EXPECT_EQ(queued_tags(a), R"(["outer-space"])");
    EXPECT_EQ(sql("SELECT count(*) FROM torrent_tags WHERE name IN ('sci-fi', 'scifi')"), "0") << "its alias went too";
    EXPECT_EQ(call("DELETE", "/api/v1/tags/sci-fi", "", moderator_).status, 404u);
    EXPECT_EQ(call("DELETE", "/api/v1/tags/outer-space", "", member_).status, 403u);

    EXPECT_EQ(sql("SELECT string_agg(action, ',' ORDER BY created_at, action) FROM audit_logs WHERE entity_type = 'tag'"),
              "tag.create,tag.update,tag.merge,tag.delete");
    EXPECT_EQ(sql("SELECT changes->'name'->>'new' FROM audit_logs WHERE action = 'tag.update'"), "outer-space");
}

}  // namespace
}  // namespace swarmline::control::test
