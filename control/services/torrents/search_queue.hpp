// The search_index_queue's consumer. With a Meilisearch configured, a pass claims due items
// (FOR UPDATE SKIP LOCKED, so concurrent passes never push one item twice), pushes them in one
// batch per operation (documents added or replaced, documents deleted), and records the outcome:
// 'completed', or back to 'pending' with a growing delay, or 'failed' after max_attempts. Without
// one, the catalogue's search is PostgreSQL's own (it reads torrents directly) and a pass only marks
// the items done. Items left 'processing' by a crash are taken back after ten minutes; completed
// items are removed after seven days.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "services/pg_pool.hpp"

namespace swarmline::control::torrents {

struct MeiliConfig {
    std::string host;  // empty: no Meilisearch (PostgreSQL search only)
    std::uint16_t port = 7700;
    std::string index = "torrents";
    std::string api_key;  // sent as a bearer token when set
    std::chrono::seconds timeout{10};
};

struct SearchQueueResult {
    std::size_t completed = 0;
    std::size_t failed = 0;  // items whose push failed (retried later or given up)
    std::size_t cleaned = 0;
};

SearchQueueResult process_search_queue(PgConn& db, const MeiliConfig& meili, std::size_t batch = 500);

}  // namespace swarmline::control::torrents
