#include "sync/flusher.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <limits>

namespace swarmline::control::sync {
namespace {

// Per-session staging tables: emptied by every COMMIT or ROLLBACK, invisible to other sessions.
// JIT is off for this session: the flush's statements are large enough to cross the JIT cost
// thresholds, and compiling them (EXPLAIN ANALYZE: hundreds of ms per statement) cost more than
// running them, every flush, since nothing is cached between statements. The staging tables are
// analyzed every flush for their row counts and distinct values, which a sample of 3,000 rows gives
// as well as the default 30,000 (pg_stat_statements, 20,000-event batches: the ANALYZE took 183 ms
// per batch, 38 ms with a target of 10).
constexpr std::string_view kStagingSql = R"SQL(
SET client_min_messages = warning;
SET jit = off;
SET default_statistics_target = 10;
CREATE TEMP TABLE IF NOT EXISTS sync_stage_users (
    user_tid integer, uploaded_raw bigint, downloaded_raw bigint, uploaded bigint, downloaded bigint,
    seedtime bigint) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS sync_stage_peers (
    torrent_tid integer, user_tid integer, peer_id bytea, ip inet, port integer, seeder boolean,
    removed boolean, uploaded_total bigint, downloaded_total bigint, left_bytes bigint, uploaded_delta bigint,
    downloaded_delta bigint, uploaded_credited bigint, downloaded_credited bigint, seedtime bigint,
    announces integer, first_time bigint, last_time bigint, completed_time bigint) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS sync_stage_torrents (
    torrent_tid integer, completed integer, uploaded_raw bigint, downloaded_raw bigint, announces integer,
    last_time bigint) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS sync_stage_snatches (
    user_tid integer, torrent_tid integer, time bigint) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS sync_stage_pairs (
    user_tid integer, torrent_tid integer, uploaded bigint, downloaded bigint, uploaded_credited bigint,
    downloaded_credited bigint, seedtime bigint, first_time bigint, last_time bigint, ip inet) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS sync_stage_completions (
    user_id uuid, torrent_id uuid, time bigint) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS sync_stage_events (
    user_tid integer, torrent_tid integer, peer_id bytea, ip inet, port integer, event text,
    uploaded bigint, downloaded bigint, left_bytes bigint, uploaded_delta bigint, downloaded_delta bigint,
    uploaded_credited bigint, downloaded_credited bigint, time bigint) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS sync_stage_marks (
    shard integer, slot integer, gen bigint, user_tid integer, torrent_tid integer, announces bigint,
    uploaded_raw bigint, downloaded_raw bigint, uploaded_credited bigint, downloaded_credited bigint,
    seedtime bigint, completions bigint) ON COMMIT DELETE ROWS;
)SQL";

// Everything after the COPYs, sent with the watermarks, the marks and the COMMIT as one pipeline
// (one round trip). Each statement sees the ones before it. The staging tables are analyzed first:
// the planner then joins a small batch to users and torrents through their tracker_id indexes
// instead of scanning them. Counts that could be double-counted by a repeated signal (seeders,
// leechers, first completions) are derived from the tables rather than added: one index scan of
// peers per member and per torrent gives both counts. The batch's first completions are counted
// per member and per torrent by one pass over sync_stage_completions joined in, not by a subquery
// per row: that rescanned the table once per member and per torrent of the batch, 15-75 us each
// even empty (EXPLAIN ANALYZE of a 5000-event batch: ~4400 members, ~3150 torrents), and with 1000
// completions in the batch user_statistics took 245-313 ms (now 70-93) and torrents 298-364 ms
// (now 167-270), loaded machine.
//
// Unnamed statements, each parsed and planned when the server reaches it (after the ones before it
// ran), as in one simple query; not prepared ones: a prepared statement without parameters keeps
// its first plan until something invalidates it, so later batches may run on plans made for other
// table sizes (sync_stage_completions, filled within the flush, is never analyzed). Prepared, the
// flush was slower in each of three interleaved sync_bench pairs (events/s 833/1667, 1667/2167,
// 2333/3333 against the simple query, loaded machine).
constexpr std::string_view kApply[] = {
    R"SQL(
ANALYZE sync_stage_users, sync_stage_peers, sync_stage_torrents, sync_stage_snatches, sync_stage_pairs,
        sync_stage_events
)SQL",
    R"SQL(
INSERT INTO sync_stage_completions (user_id, torrent_id, time)
SELECT u.id, t.id, c.time
FROM (SELECT user_tid, torrent_tid, min(time) AS time FROM sync_stage_snatches GROUP BY 1, 2) c
JOIN users u ON u.tracker_id = c.user_tid JOIN torrents t ON t.tracker_id = c.torrent_tid
WHERE NOT EXISTS (SELECT 1 FROM snatches n WHERE n.user_id = u.id AND n.torrent_id = t.id AND n.completed_at IS NOT NULL)
)SQL",
    R"SQL(
DELETE FROM peers p USING sync_stage_peers s, users u, torrents t
WHERE s.removed AND u.tracker_id = s.user_tid AND t.tracker_id = s.torrent_tid
  AND p.torrent_id = t.id AND p.user_id = u.id AND p.peer_id = s.peer_id
)SQL",
    R"SQL(
INSERT INTO peers AS p (torrent_id, user_id, peer_id, ip, port, uploaded, downloaded, left_bytes, is_seeder,
                        seedtime_seconds, announce_count, started_at, completed_at, last_announce)
SELECT t.id, u.id, s.peer_id, s.ip, s.port, s.uploaded_total, s.downloaded_total, s.left_bytes, s.seeder,
       s.seedtime, s.announces, to_timestamp(s.first_time),
       CASE WHEN s.completed_time > 0 THEN to_timestamp(s.completed_time) END, to_timestamp(s.last_time)
FROM sync_stage_peers s JOIN users u ON u.tracker_id = s.user_tid JOIN torrents t ON t.tracker_id = s.torrent_tid
WHERE NOT s.removed AND s.port > 0
ON CONFLICT (torrent_id, user_id, peer_id) DO UPDATE SET
    ip = EXCLUDED.ip, port = EXCLUDED.port, uploaded = EXCLUDED.uploaded, downloaded = EXCLUDED.downloaded,
    left_bytes = EXCLUDED.left_bytes, is_seeder = EXCLUDED.is_seeder,
    seedtime_seconds = p.seedtime_seconds + EXCLUDED.seedtime_seconds,
    announce_count = p.announce_count + EXCLUDED.announce_count,
    completed_at = coalesce(p.completed_at, EXCLUDED.completed_at), last_announce = EXCLUDED.last_announce
)SQL",
    R"SQL(
INSERT INTO snatches AS sn (user_id, torrent_id, uploaded, downloaded, uploaded_credited, downloaded_credited,
                            seedtime_seconds, started_at, completed_at, last_announce_at, last_ip, is_seeding)
SELECT u.id, t.id, s.uploaded, s.downloaded, s.uploaded_credited, s.downloaded_credited, s.seedtime,
       to_timestamp(s.first_time), to_timestamp(c.time), to_timestamp(s.last_time), s.ip,
       EXISTS (SELECT 1 FROM peers p WHERE p.torrent_id = t.id AND p.user_id = u.id AND p.is_seeder)
FROM sync_stage_pairs s
JOIN users u ON u.tracker_id = s.user_tid JOIN torrents t ON t.tracker_id = s.torrent_tid
LEFT JOIN sync_stage_completions c ON c.user_id = u.id AND c.torrent_id = t.id
ON CONFLICT (user_id, torrent_id) DO UPDATE SET
    uploaded = sn.uploaded + EXCLUDED.uploaded, downloaded = sn.downloaded + EXCLUDED.downloaded,
    uploaded_credited = sn.uploaded_credited + EXCLUDED.uploaded_credited,
    downloaded_credited = sn.downloaded_credited + EXCLUDED.downloaded_credited,
    seedtime_seconds = sn.seedtime_seconds + EXCLUDED.seedtime_seconds,
    completed_at = coalesce(sn.completed_at, EXCLUDED.completed_at),
    last_announce_at = greatest(sn.last_announce_at, EXCLUDED.last_announce_at),
    last_ip = coalesce(EXCLUDED.last_ip, sn.last_ip), is_seeding = EXCLUDED.is_seeding
)SQL",
    R"SQL(
INSERT INTO user_statistics AS us (user_id, uploaded, downloaded, uploaded_adjusted, downloaded_adjusted,
                                   seedtime_seconds, seeding_count, leeching_count, snatched_count)
SELECT u.id, s.uploaded_raw, s.downloaded_raw, s.uploaded, s.downloaded, s.seedtime, n.seeding, n.leeching,
       coalesce(c.done, 0)
FROM sync_stage_users s JOIN users u ON u.tracker_id = s.user_tid
LEFT JOIN (SELECT user_id, count(*) AS done FROM sync_stage_completions GROUP BY 1) c ON c.user_id = u.id
CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE p.is_seeder) AS seeding, count(*) FILTER (WHERE NOT p.is_seeder) AS leeching
                    FROM peers p WHERE p.user_id = u.id) n
ON CONFLICT (user_id) DO UPDATE SET
    uploaded = us.uploaded + EXCLUDED.uploaded, downloaded = us.downloaded + EXCLUDED.downloaded,
    uploaded_adjusted = us.uploaded_adjusted + EXCLUDED.uploaded_adjusted,
    downloaded_adjusted = us.downloaded_adjusted + EXCLUDED.downloaded_adjusted,
    seedtime_seconds = us.seedtime_seconds + EXCLUDED.seedtime_seconds,
    seeding_count = EXCLUDED.seeding_count, leeching_count = EXCLUDED.leeching_count,
    snatched_count = us.snatched_count + EXCLUDED.snatched_count
)SQL",
    // torrents is wide and heavily indexed (search vectors, trigrams): a row is rewritten only when
    // a counter the site shows changed; activity times live in torrent_statistics.
    R"SQL(
WITH x AS (
    SELECT t.id, n.seeders, n.leechers, coalesce(c.done, 0) AS completed
    FROM sync_stage_torrents s JOIN torrents t ON t.tracker_id = s.torrent_tid
    LEFT JOIN (SELECT torrent_id, count(*) AS done FROM sync_stage_completions GROUP BY 1) c ON c.torrent_id = t.id
    CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE p.is_seeder) AS seeders,
                               count(*) FILTER (WHERE NOT p.is_seeder) AS leechers
                        FROM peers p WHERE p.torrent_id = t.id) n)
UPDATE torrents t SET seeders = x.seeders, leechers = x.leechers, times_completed = t.times_completed + x.completed,
    last_activity_at = now(), last_seeder_at = CASE WHEN x.seeders > 0 THEN now() ELSE t.last_seeder_at END
FROM x WHERE t.id = x.id AND (t.seeders <> x.seeders OR t.leechers <> x.leechers OR x.completed > 0)
)SQL",
    R"SQL(
INSERT INTO torrent_statistics AS ts (torrent_id, seeders, leechers, snatches, peak_seeders, peak_leechers, peak_at,
                                      total_uploaded, total_downloaded, is_dead, last_seeder_at, last_activity_at,
                                      last_completed_at)
SELECT t.id, t.seeders, t.leechers, coalesce(n.done, 0), t.seeders, t.leechers, now(), s.uploaded_raw,
       s.downloaded_raw, t.seeders = 0, t.last_seeder_at, to_timestamp(s.last_time), n.last_done
FROM sync_stage_torrents s JOIN torrents t ON t.tracker_id = s.torrent_tid
LEFT JOIN (SELECT torrent_id, count(*) AS done, to_timestamp(max(time)) AS last_done
           FROM sync_stage_completions GROUP BY 1) n ON n.torrent_id = t.id
ON CONFLICT (torrent_id) DO UPDATE SET
    seeders = EXCLUDED.seeders, leechers = EXCLUDED.leechers, snatches = ts.snatches + EXCLUDED.snatches,
    peak_at = CASE WHEN EXCLUDED.seeders > ts.peak_seeders OR EXCLUDED.leechers > ts.peak_leechers
                   THEN now() ELSE ts.peak_at END,
    peak_seeders = greatest(ts.peak_seeders, EXCLUDED.seeders),
    peak_leechers = greatest(ts.peak_leechers, EXCLUDED.leechers),
    total_uploaded = ts.total_uploaded + EXCLUDED.total_uploaded,
    total_downloaded = ts.total_downloaded + EXCLUDED.total_downloaded,
    is_dead = EXCLUDED.is_dead, last_seeder_at = EXCLUDED.last_seeder_at,
    last_activity_at = greatest(ts.last_activity_at, EXCLUDED.last_activity_at),
    last_completed_at = coalesce(EXCLUDED.last_completed_at, ts.last_completed_at)
)SQL",
    R"SQL(
INSERT INTO announces (torrent_id, user_id, peer_id, ip, port, event, uploaded, downloaded, left_bytes,
                       uploaded_delta, downloaded_delta, uploaded_credited, downloaded_credited, created_at)
SELECT t.id, u.id, e.peer_id, e.ip, e.port, e.event, e.uploaded, e.downloaded, e.left_bytes, e.uploaded_delta,
       e.downloaded_delta, e.uploaded_credited, e.downloaded_credited, to_timestamp(e.time)
FROM sync_stage_events e JOIN users u ON u.tracker_id = e.user_tid JOIN torrents t ON t.tracker_id = e.torrent_tid
)SQL",
};

// One ring's committed watermark moves from $3 to $4 ($5 records) in the batch's transaction.
constexpr std::string_view kAdvance =
    "SELECT sync_advance_watermark($1::bigint, $2::integer, $3::bigint, $4::bigint, $5::bigint)";

// The committed values of the drained accumulator slots of segment $1, kept for the next resume().
constexpr std::string_view kMarks = R"SQL(
INSERT INTO sync_accumulator_marks AS m (segment_id, shard, slot, gen, user_tracker_id, torrent_tracker_id, announces,
                                         uploaded_raw, downloaded_raw, uploaded_credited, downloaded_credited, seedtime,
                                         completions)
SELECT $1::bigint, s.* FROM sync_stage_marks s
ON CONFLICT (segment_id, shard, slot) DO UPDATE SET
    gen = EXCLUDED.gen, user_tracker_id = EXCLUDED.user_tracker_id, torrent_tracker_id = EXCLUDED.torrent_tracker_id,
    announces = EXCLUDED.announces, uploaded_raw = EXCLUDED.uploaded_raw, downloaded_raw = EXCLUDED.downloaded_raw,
    uploaded_credited = EXCLUDED.uploaded_credited, downloaded_credited = EXCLUDED.downloaded_credited,
    seedtime = EXCLUDED.seedtime, completions = EXCLUDED.completions, updated_at = now()
)SQL";

constexpr std::string_view kEventNames[] = {"none", "completed", "started", "stopped", "paused"};

// Text-format COPY rows. Values the schema keeps in BIGINT are clamped: a client may announce any
// 64-bit counter, and one unrepresentable value must not make a batch fail forever.
class CopyRows {
public:
    CopyRows& u(std::uint64_t v) {
        sep();
        v = std::min<std::uint64_t>(v, std::numeric_limits<std::int64_t>::max());
        char buf[24];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, p);
        return *this;
    }
    CopyRows& i(std::int64_t v) {
        sep();
        char buf[24];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, p);
        return *this;
    }
    CopyRows& b(bool v) {
        sep();
        out_ += v ? 't' : 'f';
        return *this;
    }
    CopyRows& text(std::string_view v) {  // only our own words: no character needs escaping
        sep();
        out_ += v;
        return *this;
    }
    CopyRows& bytes(const std::uint8_t* p, std::size_t n) {
        sep();
        static constexpr char kHex[] = "0123456789abcdef";
        out_ += "\\\\x";  // COPY text unescapes \\ to the \ of bytea's hex form
        for (std::size_t k = 0; k < n; ++k) {
            out_ += kHex[p[k] >> 4];
            out_ += kHex[p[k] & 15];
        }
        return *this;
    }
    CopyRows& null() {
        sep();
        out_ += "\\N";
        return *this;
    }
    CopyRows& ip(const std::array<std::uint8_t, 16>& a) {
        sep();
        char buf[INET6_ADDRSTRLEN];
        static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        const bool v4 = std::equal(a.begin(), a.begin() + 12, kMapped);
        inet_ntop(v4 ? AF_INET : AF_INET6, a.data() + (v4 ? 12 : 0), buf, sizeof buf);
        out_ += buf;
        return *this;
    }
    void end() {
        out_ += '\n';
        start_ = true;
    }
    [[nodiscard]] const std::string& data() const noexcept { return out_; }
    [[nodiscard]] bool empty() const noexcept { return out_.empty(); }

private:
    void sep() {
        if (!start_) out_ += '\t';
        start_ = false;
    }
    std::string out_;
    bool start_ = true;
};

std::uint32_t now_s() { return static_cast<std::uint32_t>(std::time(nullptr)); }

shm::AccumulatorEntry minus(const shm::AccumulatorEntry& a, const shm::AccumulatorEntry& b) {
    shm::AccumulatorEntry d = a;
    d.announces = a.announces - b.announces;
    d.uploaded_raw = a.uploaded_raw - b.uploaded_raw;
    d.downloaded_raw = a.downloaded_raw - b.downloaded_raw;
    d.uploaded_credited = a.uploaded_credited - b.uploaded_credited;
    d.downloaded_credited = a.downloaded_credited - b.downloaded_credited;
    d.seedtime = a.seedtime - b.seedtime;
    d.completions = a.completions - b.completions;
    return d;
}

}  // namespace

Flusher::Flusher(const shm::Segment& segment, FlushOptions options, SyncMetrics& metrics)
    : segment_(segment),
      options_(options),
      metrics_(metrics),
      segment_id_(static_cast<std::int64_t>(segment.header().segment_id)),
      shards_(segment.sizes().shards),
      committed_(shards_, 0),
      taking_(shards_, 0) {}

std::string Flusher::resume(db::Connection& pg) try {
    pg.exec(kStagingSql);
    const std::string seg = std::to_string(segment_id_);
    // One flusher per segment and database: a second control process waits for the first one's
    // session to end (a killed process's session ends with it). The watermark check in
    // sync_advance_watermark stays as the second line of defence.
    if (!pg.exec_params("SELECT pg_try_advisory_lock($1::bigint)", {seg}).get_bool(0, 0))
        return "another flusher holds this segment's flush lock";
    auto w = pg.exec_params("SELECT ring, last_seq FROM sync_ring_watermarks WHERE segment_id = $1", {seg});
    std::fill(committed_.begin(), committed_.end(), 0);
    for (int i = 0, n = w.rows(); i < n; ++i) {
        auto ring = static_cast<std::uint64_t>(w.get_int64(i, 0));
        if (ring < shards_) committed_[ring] = static_cast<std::uint64_t>(w.get_int64(i, 1));
    }
    // A previous run may have committed and died before releasing.
    for (std::uint32_t r = 0; r < shards_; ++r) segment_.event_ring(r).release_through(committed_[r]);

    auto m = pg.exec_params(
        "SELECT shard, slot, gen, user_tracker_id, torrent_tracker_id, announces, uploaded_raw, downloaded_raw, "
        "uploaded_credited, downloaded_credited, seedtime, completions FROM sync_accumulator_marks "
        "WHERE segment_id = $1",
        {seg});
    marks_.clear();
    for (int i = 0, n = m.rows(); i < n; ++i) {
        auto u = [&](int col) { return static_cast<std::uint64_t>(m.get_int64(i, col)); };
        shm::AccumulatorEntry e{};
        SlotKey k{static_cast<std::uint32_t>(u(0)), static_cast<std::uint32_t>(u(1))};
        e.gen = static_cast<std::uint32_t>(u(2));
        e.user_id = static_cast<shm::UserId>(u(3));
        e.torrent_id = static_cast<shm::TorrentId>(u(4));
        e.announces = static_cast<std::uint32_t>(u(5));
        e.uploaded_raw = u(6);
        e.downloaded_raw = u(7);
        e.uploaded_credited = u(8);
        e.downloaded_credited = u(9);
        e.seedtime = u(10);
        e.completions = static_cast<std::uint32_t>(u(11));
        if (k.shard >= shards_) continue;
        auto acc = segment_.accumulator(k.shard);
        if (k.slot >= acc.capacity()) continue;
        acc.ack(k.slot, e);  // committed: the worker may reuse the slot once it matches
        marks_.emplace(k, e);
    }
    return {};
} catch (const db::Error& e) {
    return std::string("resuming the flush: ") + e.what();
}

void Flusher::collect_accumulators(std::uint32_t now) {
    drained_.clear();
    for (std::uint32_t s = 0; s < shards_; ++s) {
        auto acc = segment_.accumulator(s);
        for (std::uint32_t i = 0, n = acc.capacity(); i < n; ++i) {
            shm::AccumulatorEntry e;
            if (!acc.read(i, e)) continue;
            SlotKey k{s, i};
            shm::AccumulatorEntry base{};
            if (auto it = marks_.find(k); it != marks_.end() && it->second.gen == e.gen) base = it->second;
            if (e.announces == base.announces && e.completions == base.completions && e.seedtime == base.seedtime &&
                e.uploaded_raw == base.uploaded_raw && e.downloaded_raw == base.downloaded_raw &&
                e.uploaded_credited == base.uploaded_credited && e.downloaded_credited == base.downloaded_credited)
                continue;
            auto d = minus(e, base);
            batch_.add_accumulated(d, now);
            metrics_.accumulator_bytes.fetch_add(d.uploaded_credited + d.downloaded_credited, std::memory_order_relaxed);
            drained_.push_back({k, e});
        }
    }
}

std::string Flusher::flush_once(db::Connection& pg, std::size_t& flushed) {
    flushed = 0;
    batch_.clear();
    records_.resize(options_.batch_events);
    const std::size_t per_ring = std::max<std::size_t>(1, options_.batch_events / std::max(1u, shards_));
    std::size_t taken = 0;
    std::uint64_t backlog = 0;
    CopyRows events;
    for (std::uint32_t r = 0; r < shards_; ++r) {
        auto ring = segment_.event_ring(r);
        taking_[r] = committed_[r];
        const std::size_t n = ring.peek(records_.data() + taken, per_ring);
        backlog += ring.published() - ring.released();
        std::span<const shm::EventRecord> got(records_.data() + taken, n);
        // Records at or below the watermark were committed by an earlier run: never again.
        auto fresh = std::find_if(got.begin(), got.end(), [&](const auto& e) { return e.seq > committed_[r]; });
        metrics_.events_skipped.fetch_add(static_cast<std::uint64_t>(fresh - got.begin()), std::memory_order_relaxed);
        got = got.subspan(static_cast<std::size_t>(fresh - got.begin()));
        if (got.empty()) continue;
        batch_.add(got);
        taking_[r] = got.back().seq;
        if (options_.record_announces) {
            for (const auto& e : got) {
                events.u(e.user_id).u(e.torrent_id).bytes(e.peer_id.data(), e.peer_id.size()).ip(e.ip).u(e.port)
                    .text(e.event < std::size(kEventNames) ? kEventNames[e.event] : "none")
                    .u(e.uploaded_total).u(e.downloaded_total).u(e.left).u(e.uploaded_delta).u(e.downloaded_delta)
                    .u(e.uploaded_credited).u(e.downloaded_credited).u(e.time);
                events.end();
            }
        }
        taken += got.size();
    }
    metrics_.backlog_events.store(backlog, std::memory_order_relaxed);
    const std::uint32_t now = now_s();
    collect_accumulators(now);
    if (taken == 0 && drained_.empty()) return {};

    try {
        db::Transaction tx(pg);
        stage(pg, events.data());  // COPY cannot be pipelined
        if (probe) probe(FlushStage::staged);
        db::Pipeline p(pg);
        for (const std::string_view sql : kApply) p.send(sql);
        for (std::uint32_t r = 0; r < shards_; ++r) {
            if (taking_[r] == committed_[r]) continue;
            const auto from = static_cast<std::int64_t>(committed_[r]), to = static_cast<std::int64_t>(taking_[r]);
            const db::Param args[] = {segment_id_, static_cast<std::int64_t>(r), from, to, to - from};
            p.send(kAdvance, args);
        }
        if (!drained_.empty()) {
            const db::Param args[] = {segment_id_};
            p.send(kMarks, args);
        }
        tx.commit(p);
    } catch (const db::Error& e) {
        return std::string("flushing a batch: ") + e.what();
    }
    if (probe) probe(FlushStage::committed);

    // Committed: only now may the worker reuse the slots.
    for (std::uint32_t r = 0; r < shards_; ++r) {
        if (taking_[r] == committed_[r]) continue;
        segment_.event_ring(r).release_through(taking_[r]);
        committed_[r] = taking_[r];
    }
    for (const auto& d : drained_) {
        segment_.accumulator(d.key.shard).ack(d.key.slot, d.entry);
        marks_[d.key] = d.entry;
    }
    flushed = taken;
    metrics_.events_flushed.fetch_add(taken, std::memory_order_relaxed);
    metrics_.batches_committed.fetch_add(1, std::memory_order_relaxed);
    const std::uint32_t oldest = batch_.oldest_time();
    metrics_.lag_ms.store(oldest && now > oldest ? std::uint64_t{now - oldest} * 1000 : 0, std::memory_order_relaxed);
    return {};
}

void Flusher::stage(db::Connection& pg, std::string_view events) {
    CopyRows users;
    for (const auto& u : batch_.users()) {
        users.u(u.user_id).u(u.uploaded_raw).u(u.downloaded_raw).u(u.uploaded).u(u.downloaded).u(u.seedtime);
        users.end();
    }
    CopyRows peers;
    for (const auto& p : batch_.peers()) {
        peers.u(p.torrent_id).u(p.user_id).bytes(p.peer_id.data(), p.peer_id.size()).ip(p.ip).u(p.port).b(p.seeder)
            .b(p.removed).u(p.uploaded_total).u(p.downloaded_total).u(p.left).u(p.uploaded_delta).u(p.downloaded_delta)
            .u(p.uploaded_credited).u(p.downloaded_credited).u(p.seedtime).u(p.announces).u(p.first_time)
            .u(p.last_time).u(p.completed_time);
        peers.end();
    }
    CopyRows torrents;
    for (const auto& t : batch_.torrents()) {
        torrents.u(t.torrent_id).u(t.completed).u(t.uploaded_raw).u(t.downloaded_raw).u(t.announces).u(t.last_time);
        torrents.end();
    }
    CopyRows snatches;
    for (const auto& n : batch_.snatches()) {
        snatches.u(n.user_id).u(n.torrent_id).u(n.time);
        snatches.end();
    }
    CopyRows pairs;
    for (const auto& p : batch_.pairs()) {
        pairs.u(p.user_id).u(p.torrent_id).u(p.uploaded).u(p.downloaded).u(p.uploaded_credited)
            .u(p.downloaded_credited).u(p.seedtime).u(p.first_time).u(p.last_time);
        if (p.has_ip) pairs.ip(p.ip);
        else pairs.null();
        pairs.end();
    }
    CopyRows marks;
    for (const auto& d : drained_) {
        const auto& e = d.entry;
        marks.u(d.key.shard).u(d.key.slot).u(e.gen).u(e.user_id).u(e.torrent_id).u(e.announces).u(e.uploaded_raw)
            .u(e.downloaded_raw).u(e.uploaded_credited).u(e.downloaded_credited).u(e.seedtime).u(e.completions);
        marks.end();
    }
    const std::pair<std::string_view, std::string_view> tables[] = {
        {"COPY sync_stage_users FROM STDIN", users.data()},       {"COPY sync_stage_peers FROM STDIN", peers.data()},
        {"COPY sync_stage_torrents FROM STDIN", torrents.data()}, {"COPY sync_stage_snatches FROM STDIN", snatches.data()},
        {"COPY sync_stage_marks FROM STDIN", marks.data()},       {"COPY sync_stage_events FROM STDIN", events},
        {"COPY sync_stage_pairs FROM STDIN", pairs.data()},
    };
    for (const auto& [sql, rows] : tables)
        if (!rows.empty()) pg.copy_in(sql, rows);
}

std::string Flusher::snapshot_peers(db::Connection& pg) try {
    pg.exec("INSERT INTO peer_history (torrent_id, user_id, peer_id, ip, uploaded, downloaded, left_bytes, "
            "is_seeder, client) SELECT torrent_id, user_id, peer_id, ip, uploaded, downloaded, left_bytes, "
            "is_seeder, client FROM peers");
    metrics_.peer_history_snapshots.fetch_add(1, std::memory_order_relaxed);
    return {};
} catch (const db::Error& e) {
    return std::string("peer_history snapshot: ") + e.what();
}

std::string Flusher::create_partitions(db::Connection& pg) try {
    pg.exec("SELECT create_upcoming_partitions()");
    return {};
} catch (const db::Error& e) {
    return std::string("creating the coming months' partitions: ") + e.what();
}

}  // namespace swarmline::control::sync
