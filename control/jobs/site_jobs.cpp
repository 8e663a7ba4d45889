#include "jobs/site_jobs.hpp"

#include <algorithm>

#include "services/outbox_sender.hpp"
#include "services/torrents/promotion_expiry.hpp"

namespace swarmline::control::jobs {

namespace {

std::chrono::milliseconds seconds(std::uint32_t s) { return std::chrono::seconds(std::max<std::uint32_t>(s, 1)); }

}  // namespace

void register_search_options(options::Registry& r, SearchQueueOptions& o) {
    r.add("meili-host", "Meilisearch host for the search index queue (empty: items are marked done for PostgreSQL search)",
          &o.meili_host);
    r.add("meili-port", "its port", &o.meili_port);
    r.add("meili-index", "the Meilisearch index the torrents go to", &o.meili_index);
    r.add("meili-key", "its API key, sent as a bearer token (empty: none)", &o.meili_key);
    r.add("search-queue-batch", "search index queue items per pass (one Meilisearch request per operation)", &o.batch);
}

void register_options(options::Registry& r, SiteJobsOptions& o) {
    register_search_options(r, o.search);
    r.add("search-queue-interval-s", "seconds between passes over the search index queue", &o.search_queue_interval_s);
    r.add("promotion-expiry-interval-s", "seconds between passes that end expired freeleech and double upload",
          &o.promotion_expiry_interval_s);
}

std::string meili_config(const SearchQueueOptions& o, torrents::MeiliConfig& out) {
    if (o.meili_port == 0 || o.meili_port > 65535) return "meili-port: " + std::to_string(o.meili_port) + " is not a port";
    if (o.batch == 0) return "search-queue-batch: at least 1";
    out.host = o.meili_host;
    out.port = static_cast<std::uint16_t>(o.meili_port);
    out.index = o.meili_index;
    out.api_key = o.meili_key;
    return "";
}

std::string add_site_jobs(Scheduler& s, const SiteJobsOptions& o) {
    torrents::MeiliConfig meili;
    if (auto err = meili_config(o.search, meili); !err.empty()) return err;
    s.add({"search_queue", seconds(o.search_queue_interval_s), {"completed", "failed", "cleaned"},
           [meili, batch = o.search.batch](PgConn& db) {
               const auto r = torrents::process_search_queue(db, meili, batch);
               return std::vector<std::uint64_t>{r.completed, r.failed, r.cleaned};
           }});
    s.add({"promotion_expiry", seconds(o.promotion_expiry_interval_s), {"torrents", "members"}, [](PgConn& db) {
               const auto r = torrents::expire_promotions(db);
               return std::vector<std::uint64_t>{r.torrents, r.members};
           }});
    if (!o.smtp.host.empty())
        s.add({"outbox", seconds(o.outbox_interval_s), {"sent", "failed"}, [smtp = o.smtp](PgConn& db) {
                   const auto r = send_due_mail(db, smtp);
                   return std::vector<std::uint64_t>{r.sent, r.failed};
               }});
    return "";
}

}  // namespace swarmline::control::jobs
