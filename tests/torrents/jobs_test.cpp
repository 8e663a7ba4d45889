// The background jobs as `swarmline-control serve` runs them: an upload made while serve runs is
// indexed without the CLI (marked done for PostgreSQL search, or pushed to a scripted Meilisearch
// that fails once with 503 and gets the same batch again), the jobs' counters on /metrics, and a
// clean stop on SIGTERM. Promotion expiry: a freeleech or double upload whose time is up ends, is
// audited and re-indexed, and its row's NOTIFY reaches a listener as the sync listens for it.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>

#include <chrono>
#include <functional>
#include <thread>

#include "scripted_meili.hpp"
#include "serve_process.hpp"
#include "services/torrents/promotion_expiry.hpp"
#include "torrents_fixture.hpp"

namespace swarmline::control::test {
namespace {

class ServeJobs : public TorrentsTest {
protected:
    std::string add(const std::string& name) {
        const auto r = upload(uploader_, make_v1(name, 1000), "other", {{"name", name}});
        EXPECT_EQ(r.status, 201u) << r.body;
        return r.str("/id");
    }
    // Polls the database until `statement` answers `want`: the queue's own state is the signal.
    bool eventually(const std::string& statement, const std::string& want) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            if (sql(statement) == want) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }
    ServeProcess serve_;
};

TEST_F(ServeJobs, AnUploadWhileServeRunsIsIndexedWithoutTheCli) {
    ASSERT_EQ(serve_.start(database().url(), {"--sync=false", "--search-queue-interval-s", "1"}), "");
    const auto id = add("Indexed While Serving");
    EXPECT_TRUE(eventually("SELECT string_agg(status, ',') FROM search_index_queue WHERE entity_id = '" + id + "'",
                           "completed"))
        << serve_.log();
    EXPECT_TRUE(serve_.wait_for_log("job=search_queue")) << serve_.log();
    const auto metrics = serve_.get("/metrics");
    EXPECT_NE(metrics.find("swarmline_job_items_total{job=\"search_queue\",kind=\"completed\"} 1\n"), std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("swarmline_job_failures_total{job=\"search_queue\"} 0\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("# TYPE swarmline_job_runs_total counter\n"), std::string::npos) << metrics;

    const int status = serve_.stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status << "\n" << serve_.log();
    EXPECT_NE(serve_.log().find("signal=SIGTERM"), std::string::npos) << serve_.log();
}

TEST_F(ServeJobs, MeilisearchGetsOneBatchAndItAgainAfterA503) {
    ScriptedMeili meili;
    meili.unavailable = 1;
    const auto first = add("Batch One");
    const auto second = add("Batch Two");
    ASSERT_EQ(serve_.start(database().url(), {"--sync=false", "--search-queue-interval-s", "1", "--meili-host",
                                              "127.0.0.1", "--meili-port", std::to_string(meili.port()),
                                              "--meili-key", "s3cret"}),
              "");
    ASSERT_TRUE(eventually("SELECT count(*) FROM search_index_queue WHERE last_error LIKE 'Meilisearch answered 503%' "
                           "AND status = 'pending' AND next_attempt_at > now()",
                           "2"))
        << serve_.log();
    EXPECT_TRUE(serve_.wait_for_log("result=completed:0,failed:2,cleaned:0")) << serve_.log();
    // The back-off is 30 s; time passes for the queue.
    sql("UPDATE search_index_queue SET next_attempt_at = now()");
    ASSERT_TRUE(eventually("SELECT string_agg(DISTINCT status, ',') FROM search_index_queue", "completed"))
        << serve_.log();

    const auto seen = meili.seen();
    ASSERT_EQ(seen.size(), 2u) << "both items in one request, then that request again";
    for (const auto& s : seen) {
        EXPECT_EQ(s.target, "/indexes/torrents/documents");
        EXPECT_EQ(s.authorization, "Bearer s3cret");
        EXPECT_EQ(s.body.front(), '[');
        EXPECT_NE(s.body.find("{\"id\":\"" + first + "\","), std::string::npos) << s.body;
        EXPECT_NE(s.body.find("{\"id\":\"" + second + "\","), std::string::npos) << s.body;
        EXPECT_NE(s.body.find("\"name\": \"Batch Two\""), std::string::npos) << s.body;
    }
    EXPECT_EQ(sql("SELECT min(attempts) || '-' || max(attempts) FROM search_index_queue"), "2-2");
    const auto metrics = serve_.get("/metrics");
    EXPECT_NE(metrics.find("swarmline_job_items_total{job=\"search_queue\",kind=\"failed\"} 2\n"), std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("swarmline_job_items_total{job=\"search_queue\",kind=\"completed\"} 2\n"), std::string::npos)
        << metrics;
}

TEST_F(ServeJobs, ADoubleUploadEndsAtItsTimeWhileServeRuns) {
    const auto id = add("Short Promotion");
    ASSERT_EQ(call("PATCH", "/api/v1/torrents/" + id, R"({"double_upload":true})", moderator_).status, 200u);
    sql("UPDATE torrents SET double_upload_until = now() + interval '2 seconds' WHERE id = '" + id + "'");
    ASSERT_EQ(serve_.start(database().url(), {"--sync=false"}), "");
    EXPECT_TRUE(eventually("SELECT double_upload::text || coalesce(double_upload_until::text, '') FROM torrents "
                           "WHERE id = '" + id + "'",
                           "false"))
        << serve_.log();
    EXPECT_TRUE(serve_.wait_for_log("job=promotion_expiry")) << serve_.log();
}

class PromotionExpiry : public TorrentsTest {};

TEST_F(PromotionExpiry, EndedPromotionsAreClearedAuditedReindexedAndNotified) {
    const auto add = [&](const std::string& name) {
        const auto r = upload(uploader_, make_v1(name, 1000), "other", {{"name", name}});
        EXPECT_EQ(r.status, 201u) << r.body;
        return r.str("/id");
    };
    const auto ended = add("Ended");
    const auto running = add("Running");
    const auto forever = add("Forever");
    sql("UPDATE torrents SET freeleech_percentage = 50, freeleech_until = now() - interval '1 second', "
        "double_upload = true, double_upload_until = now() - interval '1 second' WHERE id = '" + ended + "'");
    sql("UPDATE torrents SET freeleech_percentage = 100, freeleech_until = now() + interval '1 hour', "
        "double_upload = true, double_upload_until = now() - interval '1 second' WHERE id = '" + running + "'");
    sql("UPDATE torrents SET freeleech_percentage = 100, double_upload = true WHERE id = '" + forever + "'");
    sql("UPDATE users SET double_upload_until = now() - interval '1 second' WHERE id = '" + member_id_ + "'");
    sql("UPDATE users SET double_upload_until = now() + interval '1 hour' WHERE id = '" + power_id_ + "'");
    sql("UPDATE search_index_queue SET status = 'completed'");

    // The sync's channel, listened to as the sync does.
    auto listener = database().connect();
    listener.exec("LISTEN swarmline_sync");

    PgConn db(database().url());
    const auto r = torrents::expire_promotions(db);
    EXPECT_EQ(r.torrents, 2u);
    EXPECT_EQ(r.members, 1u);
    const auto flags = [&](const std::string& id) {
        return sql("SELECT freeleech_percentage || ' ' || (freeleech_until IS NOT NULL) || ' ' || double_upload || ' ' || "
                   "(double_upload_until IS NOT NULL) FROM torrents WHERE id = '" + id + "'");
    };
    EXPECT_EQ(flags(ended), "0 false false false");
    EXPECT_EQ(flags(running), "100 true false false") << "its freeleech has an hour left";
    EXPECT_EQ(flags(forever), "100 false true false") << "no end time: no end";
    EXPECT_EQ(sql("SELECT count(*) FROM users WHERE double_upload_until IS NOT NULL"), "1");
    EXPECT_EQ(sql("SELECT changes->'double_upload'->>'new' || ' ' || (changes ? 'freeleech_percentage') FROM audit_logs "
                  "WHERE action = 'torrent.promotion_expired' AND entity_id = '" + ended + "'"),
              "false true");
    EXPECT_EQ(sql("SELECT changes ? 'freeleech_percentage' FROM audit_logs "
                  "WHERE action = 'torrent.promotion_expired' AND entity_id = '" + running + "'"),
              "f");
    EXPECT_EQ(sql("SELECT count(*) FROM search_index_queue WHERE status = 'pending' AND operation = 'update'"), "2");

    // t:<tracker_id> for both torrents, u:<tracker_id> for the member: the sync reloads them.
    std::vector<std::string> want = {
        "t:" + sql("SELECT tracker_id FROM torrents WHERE id = '" + ended + "'"),
        "t:" + sql("SELECT tracker_id FROM torrents WHERE id = '" + running + "'"),
        "u:" + sql("SELECT tracker_id FROM users WHERE id = '" + member_id_ + "'")};
    std::vector<std::string> got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (got.size() < want.size() && std::chrono::steady_clock::now() < deadline) {
        pollfd p{PQsocket(listener.raw()), POLLIN, 0};
        ::poll(&p, 1, 100);
        PQconsumeInput(listener.raw());
        while (PGnotify* n = PQnotifies(listener.raw())) {
            got.emplace_back(n->extra);
            PQfreemem(n);
        }
    }
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);

    const auto again = torrents::expire_promotions(db);
    EXPECT_EQ(again.torrents + again.members, 0u) << "nothing ends twice";
}

}  // namespace
}  // namespace swarmline::control::test
