// How long a change made in PostgreSQL takes to be enforced by the dataplane: the time from a
// committed UPDATE to the moment the shared-memory table the dataplane's workers read shows it.
//
// A fresh database (seeded as sync_bench seeds it) and a segment; the real SyncService runs its
// loader (LISTEN/NOTIFY, then a targeted reload and publish). Each round commits one change and
// polls the segment's table until it shows the change (every 50 us, the resolution of the figure),
// alternating between three kinds of change and their reversal:
//   ban     users.status 'disabled' / 'active'          -> the user entry's kUserDisabled flag
//   delete  torrents.deleted_at set / cleared           -> the torrent entry's state
//   free    torrents.freeleech_percentage 100 / 0       -> the torrent entry's freeleech_pct
// Prints, per kind, the median, p99 and largest delay in milliseconds.
//
//   enforce_bench --admin-url URL [--rounds 200] [--users 20000] [--torrents 5000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "base/options.hpp"
#include "bench_setup.hpp"
#include "db/pg.hpp"
#include "sync/sync_service.hpp"

using namespace swarmline;
using Clock = std::chrono::steady_clock;

namespace {

struct Change {
    const char* name;
    std::function<std::string(bool on)> sql;      // the UPDATE that turns it on or off
    std::function<bool(bool on)> shown;           // the segment shows that state
    std::vector<double> ms;
};

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
    std::string admin_url = std::getenv("SWARMLINE_TEST_DATABASE_URL") ? std::getenv("SWARMLINE_TEST_DATABASE_URL") : "";
    std::uint32_t rounds = 200, users = 20000, torrents = 5000;
    options::Registry reg("enforce-bench");
    reg.add("admin-url", "a PostgreSQL superuser URL (default: $SWARMLINE_TEST_DATABASE_URL)", &admin_url);
    reg.add("rounds", "changes measured per kind (half of them reversals)", &rounds);
    reg.add("users", "accounts seeded", &users);
    reg.add("torrents", "torrents seeded", &torrents);
    if (auto err = reg.parse_args(argc, argv, 1, nullptr); !err.empty() || admin_url.empty() || users < 1 || torrents < 1) {
        std::fprintf(stderr, "enforce_bench: %s\n", err.empty() ? "--admin-url is required" : err.c_str());
        reg.print_help(std::cerr);
        return 2;
    }

    perf::BenchSetup setup(admin_url, users, torrents, 2, 1u << 16);
    db::Connection conn(setup.url());
    auto& seg = setup.segment();
    control::sync::SyncConfig cfg;
    cfg.database_url = setup.url();
    cfg.peer_history_interval_s = 0;
    control::sync::SyncService service;
    if (auto err = service.start(cfg, &seg); !err.empty()) {
        std::fprintf(stderr, "sync: %s\n", err.c_str());
        return 1;
    }
    while (service.metrics().full_loads.load() < 1) std::this_thread::sleep_for(std::chrono::milliseconds(10));

    // One account and one torrent in the middle of the seeded ones.
    const std::uint32_t user = users / 2 + 1, torrent = torrents / 2 + 1;
    const auto passkey = perf::BenchSetup::passkey(user);
    const auto hash = perf::BenchSetup::info_hash(torrent);
    const std::string u = "u" + std::to_string(user), t = "t" + std::to_string(torrent);
    std::vector<Change> changes;
    changes.push_back({"ban",
                       [&](bool on) { return "UPDATE users SET status = '" + std::string(on ? "disabled" : "active") +
                                             "' WHERE username = '" + u + "'"; },
                       [&](bool on) {
                           auto e = seg.users().find(passkey);
                           return e && ((e->flags & shm::kUserDisabled) != 0) == on;
                       },
                       {}});
    changes.push_back({"delete",
                       [&](bool on) {
                           return on ? "UPDATE torrents SET deleted_at = now(), deletion_reason = 'Dupe' WHERE name = '" + t + "'"
                                     : "UPDATE torrents SET deleted_at = NULL, deletion_reason = NULL WHERE name = '" + t + "'";
                       },
                       [&](bool on) {
                           auto e = seg.torrents().find(hash);
                           return e && (e->state == shm::TorrentState::deleted) == on;
                       },
                       {}});
    changes.push_back({"freeleech",
                       [&](bool on) { return "UPDATE torrents SET freeleech_percentage = " + std::string(on ? "100" : "0") +
                                             " WHERE name = '" + t + "'"; },
                       [&](bool on) {
                           auto e = seg.torrents().find(hash);
                           return e && (e->freeleech_pct == 100) == on;
                       },
                       {}});

    for (auto& c : changes) {
        if (!c.shown(false)) {
            std::fprintf(stderr, "enforce_bench: the segment does not hold %s's starting state\n", c.name);
            return 1;
        }
    }
    for (std::uint32_t r = 0; r < rounds; ++r) {
        for (auto& c : changes) {
            const bool on = r % 2 == 0;
            const std::string sql = c.sql(on);
            const auto t0 = Clock::now();
            conn.exec(sql);  // autocommit: returns once committed, and NOTIFY is sent at commit
            const auto give_up = t0 + std::chrono::seconds(30);
            while (!c.shown(on)) {
                if (Clock::now() > give_up) {
                    std::fprintf(stderr, "enforce_bench: %s (%s) not shown after 30 s\n", c.name, on ? "on" : "off");
                    return 1;
                }
                std::this_thread::sleep_for(std::chrono::microseconds(50));
            }
            c.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
    }
    service.stop();
    std::printf("enforce_bench users=%u torrents=%u rounds=%u (ms from sending the autocommitted UPDATE to the segment showing it)\n",
                users, torrents, rounds);
    for (const auto& c : changes)
        std::printf("  %-9s median %7.2f  p99 %7.2f  max %7.2f  (%zu changes)\n", c.name, percentile(c.ms, 0.5),
                    percentile(c.ms, 0.99), *std::max_element(c.ms.begin(), c.ms.end()), c.ms.size());
    return 0;
}
