// The search index queue's consumer: every change queued by the torrent routes is marked done
// for PostgreSQL search, or pushed to Meilisearch (a scripted one on loopback here) in batches,
// retried with back-off, given up after max_attempts, and cleaned seven days after completion.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include "scripted_meili.hpp"
#include "services/torrents/search_queue.hpp"
#include "torrents_fixture.hpp"

namespace swarmline::control::test {
namespace {

namespace asio = boost::asio;

class SearchQueue : public TorrentsTest {
protected:
    std::string add(const std::string& name) {
        const auto r = upload(uploader_, make_v1(name, 1000), "other", {{"name", name}});
        EXPECT_EQ(r.status, 201u) << r.body;
        return r.str("/id");
    }
    std::string pending() { return sql("SELECT count(*) FROM search_index_queue WHERE status = 'pending'"); }
};

TEST_F(SearchQueue, WithoutMeilisearchItemsAreMarkedDone) {
    add("First");
    const auto second = add("Second");
    ASSERT_EQ(call("DELETE", "/api/v1/torrents/" + second, "", moderator_).status, 204u);
    EXPECT_EQ(pending(), "3");
    PgConn db(database().url());
    const auto r = torrents::process_search_queue(db, {});
    EXPECT_EQ(r.completed, 3u);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(pending(), "0");
    EXPECT_EQ(torrents::process_search_queue(db, {}).completed, 0u) << "nothing is done twice";
}

TEST_F(SearchQueue, PushesToMeilisearchInBatchesRetriesAndCleans) {
    ScriptedMeili meili;
    torrents::MeiliConfig cfg{.host = "127.0.0.1", .port = meili.port(), .index = "torrents", .api_key = "k3y"};
    const auto kept = add("Kept Thing");
    const auto gone = add("Gone Thing");
    ASSERT_EQ(call("DELETE", "/api/v1/torrents/" + gone, "", moderator_).status, 204u);
    PgConn db(database().url());

    auto r = torrents::process_search_queue(db, cfg);
    EXPECT_EQ(r.completed, 3u);
    const auto seen = meili.seen();
    ASSERT_EQ(seen.size(), 2u) << "one request per operation, not per item";
    EXPECT_EQ(seen[0].target, "/indexes/torrents/documents");
    EXPECT_EQ(seen[0].authorization, "Bearer k3y");
    EXPECT_NE(seen[0].body.find("{\"id\":\"" + kept + "\","), std::string::npos) << seen[0].body;
    EXPECT_NE(seen[0].body.find("\"name\": \"Kept Thing\""), std::string::npos) << seen[0].body;
    EXPECT_EQ(seen[1].target, "/indexes/torrents/documents/delete-batch");
    EXPECT_EQ(seen[1].body, "[\"" + gone + "\"]");

    // Meilisearch failing: the item waits with a back-off and the reason, then is given up.
    meili.status = 500;
    ASSERT_EQ(call("PATCH", "/api/v1/torrents/" + kept, R"({"name":"Kept Renamed"})", moderator_).status, 200u);
    r = torrents::process_search_queue(db, cfg);
    EXPECT_EQ(r.failed, 1u);
    EXPECT_EQ(sql("SELECT status || ' ' || attempts || ' ' || (next_attempt_at > now()) || ' ' || (last_error LIKE "
                  "'Meilisearch answered 500%') FROM search_index_queue WHERE operation = 'update'"),
              "pending 1 true true");
    EXPECT_EQ(torrents::process_search_queue(db, cfg).failed, 0u) << "not retried before its time";
    sql("UPDATE search_index_queue SET next_attempt_at = now(), attempts = max_attempts - 1 WHERE operation = 'update'");
    EXPECT_EQ(torrents::process_search_queue(db, cfg).failed, 1u);
    EXPECT_EQ(sql("SELECT status FROM search_index_queue WHERE operation = 'update'"), "failed");

    sql("UPDATE search_index_queue SET processed_at = now() - interval '8 days' WHERE status = 'completed'");
    EXPECT_EQ(torrents::process_search_queue(db, cfg).cleaned, 3u);
    EXPECT_EQ(sql("SELECT count(*) FROM search_index_queue"), "1") << "the failed item stays for an operator";
}

TEST_F(SearchQueue, AnUnreachableMeilisearchIsAFailureNotAHang) {
    add("Lonely");
    std::uint16_t closed_port = 0;
    {
        asio::io_context io;
        asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
        closed_port = a.local_endpoint().port();
    }
    PgConn db(database().url());
    const auto r = torrents::process_search_queue(db, {.host = "127.0.0.1", .port = closed_port});
    EXPECT_EQ(r.failed, 1u);
    EXPECT_NE(sql("SELECT last_error FROM search_index_queue").find("connect"), std::string::npos);
}

}  // namespace
}  // namespace swarmline::control::test
