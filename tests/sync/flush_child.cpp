// A flusher in its own process, for tests that kill it with SIGKILL at a chosen point of a flush:
//   sync_flush_child DATABASE_URL SEGMENT_DIR staged|committed|none
// Prints "at <stage>" and waits to be killed when the flush reaches that stage; with "none" it
// drains the rings and prints "drained <records>".
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>

#include "db/pg.hpp"
#include "shm/segment.hpp"
#include "sync/flusher.hpp"

using namespace swarmline;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s DATABASE_URL SEGMENT_DIR staged|committed|none\n", argv[0]);
        return 2;
    }
    const std::string stop_at = argv[3];
    shm::SegmentLocation where;
    where.shm_dir = argv[2];
    auto opened = shm::Segment::open(where, shm::SegmentSizes{}, shm::OpenMode::attach_only);
    if (!opened.segment) {
        std::fprintf(stderr, "segment: %s\n", opened.error.c_str());
        return 1;
    }
    std::optional<db::Connection> connected;
    try {
        connected.emplace(argv[1]);
    } catch (const db::Error& e) {
        std::fprintf(stderr, "connect: %s\n", e.what());
        return 1;
    }
    db::Connection& pg = *connected;
    control::sync::SyncMetrics metrics;
    control::sync::Flusher flusher(*opened.segment, {}, metrics);
    flusher.probe = [&](control::sync::FlushStage s) {
        const char* name = s == control::sync::FlushStage::staged ? "staged" : "committed";
        if (stop_at != name) return;
        std::printf("at %s\n", name);
        std::fflush(stdout);
        for (;;) pause();  // until SIGKILL
    };
    // The session of a killed predecessor may hold the flush lock a moment longer.
    for (int attempt = 0;; ++attempt) {
        auto err = flusher.resume(pg);
        if (err.empty()) break;
        if (attempt == 300) {
            std::fprintf(stderr, "resume: %s\n", err.c_str());
            return 1;
        }
        usleep(100 * 1000);
    }
    std::size_t total = 0, n = 0;
    do {
        if (auto err = flusher.flush_once(pg, n); !err.empty()) {
            std::fprintf(stderr, "flush: %s\n", err.c_str());
            return 1;
        }
        total += n;
    } while (n > 0);
    std::printf("drained %zu\n", total);
    return 0;
}
