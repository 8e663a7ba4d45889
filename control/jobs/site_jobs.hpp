// The jobs `swarmline-control serve` runs beside the web API, and their options:
//   search_queue        the search index queue (to Meilisearch when meili-host is set, else marked
//                       done for PostgreSQL's own search; completed items cleaned after 7 days)
//   promotion_expiry    freeleech and double upload that reached their end time are cleared
//   outbox              the e-mail outbox over SMTP (only when smtp-host is set)
#pragma once

#include <cstdint>
#include <string>

#include "base/options.hpp"
#include "jobs/scheduler.hpp"
#include "services/smtp_client.hpp"
#include "services/torrents/search_queue.hpp"

namespace swarmline::control::jobs {

struct SearchQueueOptions {
    std::string meili_host;  // empty: PostgreSQL search only
    std::uint32_t meili_port = 7700;
    std::string meili_index = "torrents";
    std::string meili_key;
    std::uint32_t batch = 500;  // items per pass: one Meilisearch request per operation carries them
};

struct SiteJobsOptions {
    SearchQueueOptions search;
    std::uint32_t search_queue_interval_s = 5;
    std::uint32_t promotion_expiry_interval_s = 1;  // how late a promotion may end, at most
    SmtpConfig smtp;                                // host empty: no outbox job
    std::uint32_t outbox_interval_s = 10;
};

// meili-host, meili-port, meili-index, meili-key, search-queue-batch (also `torrent search-queue`'s).
void register_search_options(options::Registry& r, SearchQueueOptions& o);
// Everything but the SMTP settings, which serve registers with its own.
void register_options(options::Registry& r, SiteJobsOptions& o);
// The Meilisearch settings as the queue consumer takes them; "" or why they are wrong.
std::string meili_config(const SearchQueueOptions& o, torrents::MeiliConfig& out);
// Adds the jobs; "" or why the options are wrong.
std::string add_site_jobs(Scheduler& s, const SiteJobsOptions& o);

}  // namespace swarmline::control::jobs
