#include "io/worker.hpp"

#include <cstring>

#include "proto/http_query.hpp"
#include "proto/http_response.hpp"
#include "proto/request_target.hpp"
#include "proto/udp.hpp"
#include "shm/swarm_layout.hpp"

namespace swarmline::io {
namespace {

static_assert(sizeof(proto::PeerId) == 20, "peer ids are handed to the shard as 20-byte records");

// A non-compact reply renders each peer as a dictionary (~95 bytes for IPv6); 50 of them keep the
// reply inside kHttpReplyCapacity.
constexpr std::size_t kNonCompactPeers = 50;

std::uint64_t seed_of(std::uint32_t index) noexcept {
    std::uint64_t s = 0;
    std::memcpy(&s, &index, sizeof index);
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return s * 0x9E3779B97F4A7C15ULL ^ static_cast<std::uint64_t>(ts.tv_nsec) ^ (static_cast<std::uint64_t>(ts.tv_sec) << 32);
}

// A peer is listed under the address its request came from and the port it announced.
proto::Endpoint listed_as(const proto::Endpoint& from, const proto::Announce& a) noexcept {
    proto::Endpoint e = from;
    e.port = a.port;
    return e;
}

}  // namespace

Worker::Worker(const WorkerContext& context, std::uint32_t index)
    : context_(context),
      index_(index),
      gate_(*context.segment, swarm::GateConfig{context.open_mode, context.shards}),
      ids_(context.connection_secret),
      stalled_(context.workers),
      is_stalled_(context.workers, false) {
    if (index < context.shards) shard_.emplace(*context.segment, index, seed_of(index));
}

WorkerGauges Worker::gauges() const noexcept {
    WorkerGauges g;
    if (!shard_) return g;
    // The shard's statistics are relaxed atomics its worker stores; any recent value will do.
    const auto* header = static_cast<const shm::ShardHeader*>(context_.segment->shard_region(index_));
    g.peers = header->peers4.load(std::memory_order_relaxed) + header->peers6.load(std::memory_order_relaxed);
    g.torrents = header->swarms.load(std::memory_order_relaxed);
    g.folded = header->folded.load(std::memory_order_relaxed);
    shm::EventRing ring = context_.segment->event_ring(index_);
    g.event_ring_depth = ring.published() - ring.released();
    g.event_ring_capacity = ring.capacity();
    for (std::uint32_t w = 0; w < context_.workers; ++w)
        if (w != index_) g.handoff_depth += context_.rings->requests(w, index_).size();
    return g;
}

void Worker::begin_batch(std::uint64_t now_s) noexcept {
    now_ = static_cast<std::uint32_t>(now_s);
    ids_.advance(now_s);
}

// ---- UDP ----------------------------------------------------------------------------------------

std::size_t Worker::on_datagram(std::span<const std::uint8_t> in, const proto::Endpoint& from, std::uint32_t socket,
                                std::span<std::uint8_t> out) noexcept {
    namespace udp = proto::udp;
    udp::Request req;
    proto::Announce announce;
    proto::Scrape scrape;
    udp::ParseError parsed = udp::parse_request(in, req, announce, scrape);
    if (!parsed.ok()) {
        if (!parsed.answerable) {
            counters_.add(Counter::udp_dropped);
            return 0;
        }
        counters_.add(Counter::udp_refused);
        return udp::write_error(out, req.transaction_id, parsed.step);
    }
    if (req.action == udp::Action::connect) {
        counters_.add(Counter::udp_connect);
        return udp::write_connect(out, req.transaction_id, ids_.issue(from));
    }
    if (!ids_.verify(req.connection_id, from)) {
        counters_.add(Counter::udp_bad_connection_id);
        return udp::write_error(out, req.transaction_id, "invalid connection id");
    }
    if (req.action == udp::Action::scrape) {
        swarm::Admission adm = gate_.admit_scrape(scrape, from, now_);
        if (adm.outcome == swarm::Outcome::failure) {
            counters_.add(Counter::udp_refused);
            return udp::write_error(out, req.transaction_id, adm.message);
        }
        udp::ScrapeEntry entries[proto::kMaxScrapeHashes];
        for (std::size_t i = 0; i < scrape.count; ++i) {
            swarm::ScrapeCounts c = swarm::scrape_counts(*context_.segment, scrape.hashes[i], context_.open_mode);
            entries[i] = udp::ScrapeEntry{c.complete, c.downloaded, c.incomplete};
        }
        counters_.add(Counter::udp_scrape);
        return udp::write_scrape(out, req.transaction_id, {entries, scrape.count});
    }
    if (req.action != udp::Action::announce) {
        counters_.add(Counter::udp_dropped);
        return 0;
    }
    swarm::Admission adm = gate_.admit(announce, from, now_);
    if (adm.outcome == swarm::Outcome::failure) {
        counters_.add(Counter::udp_refused);
        return udp::write_error(out, req.transaction_id, adm.message);
    }
    if (adm.shard == index_) return udp_announce(announce, adm, from, req.transaction_id, out);
    HandoffRequest h;
    h.admission = adm;
    h.announce = announce;
    h.announce.passkey = {};
    h.announce.user_agent = {};
    h.from = from;
    h.transaction_id = req.transaction_id;
    h.socket = static_cast<std::uint8_t>(socket);
    if (!hand_off(h)) return udp::write_error(out, req.transaction_id, "tracker busy, try again");
    return 0;
}

std::size_t Worker::udp_announce(const proto::Announce& a, const swarm::Admission& adm, const proto::Endpoint& from,
                                 std::uint32_t transaction_id, std::span<std::uint8_t> out) noexcept {
    // BEP 15: the peers of a reply are of the family the request came over.
    swarm::PeerOutput po;
    if (from.v4()) {
        po.v4 = peers4_;
        po.v4_capacity = swarm::kMaxPeersPerReply;
    } else {
        po.v6 = peers6_;
        po.v6_capacity = swarm::kMaxPeersPerReply;
    }
    swarm::AnnounceResult r = shard_->announce(adm, a, listed_as(from, a), now_, po);
    if (r.outcome == swarm::Outcome::failure) {
        counters_.add(Counter::udp_refused);
        return proto::udp::write_error(out, transaction_id, r.message);
    }
    counters_.add(Counter::udp_announce);
    std::span<const std::uint8_t> peers =
        from.v4() ? std::span<const std::uint8_t>(peers4_, std::size_t{r.n4} * 6)
                  : std::span<const std::uint8_t>(peers6_, std::size_t{r.n6} * 18);
    return proto::udp::write_announce(out, transaction_id, r.interval, r.incomplete, r.complete, peers);
}

bool Worker::hand_off(const HandoffRequest& request) noexcept {
    std::uint32_t owner = request.admission.shard;
    if (owner >= context_.shards || !context_.rings->requests(index_, owner).try_push(request)) {
        counters_.add(Counter::handoff_full);
        return false;
    }
    counters_.add(Counter::handoff_sent);
    wake_mask_ |= std::uint64_t{1} << owner;
    return true;
}

// ---- HTTP ---------------------------------------------------------------------------------------

HttpStep Worker::http_error(std::uint16_t status, std::string_view reason, std::size_t consumed,
                            std::span<char> out) noexcept {
    counters_.add(Counter::http_bad_request);
    std::size_t body = proto::http::write_failure(body_, reason);
    HttpStep step;
    step.kind = HttpStep::Kind::reply;
    step.consumed = consumed;
    step.length = proto::http::write_response(out, status, {body_, body}, false);
    step.close = true;
    return step;
}

HttpStep Worker::http_failure(std::string_view reason, bool keep_alive, std::size_t consumed,
                              std::span<char> out) noexcept {
    counters_.add(Counter::http_refused);
    std::size_t body = proto::http::write_failure(body_, reason);
    HttpStep step;
    step.kind = HttpStep::Kind::reply;
    step.consumed = consumed;
    step.length = proto::http::write_response(out, 200, {body_, body}, keep_alive);
    step.close = !keep_alive;
    return step;
}

std::size_t Worker::write_busy(std::span<char> out) noexcept {
    char body[96];
    std::size_t n = proto::http::write_failure(body, "tracker busy: too many connections, try again later");
    return proto::http::write_response(out, 503, {body, n}, false);
}

HttpStep Worker::on_http(std::string_view in, bool buffer_full, const proto::Endpoint& peer, ConnRef conn,
                         std::span<char> out) noexcept {
    namespace http = proto::http;
    http::Request req;
    http::ParseResult parsed = http::parse_request(in, req, limits_);
    if (parsed.status == http::Status::need_more) {
        if (!buffer_full) return {};
        // The buffer holds as much as a head may be and it is still not complete.
        if (in.find('\n') == std::string_view::npos) return http_error(414, "request line too long", in.size(), out);
        return http_error(431, "request headers too large", in.size(), out);
    }
    if (parsed.status == http::Status::error)
        return http_error(parsed.http_status, parsed.step ? parsed.step : "bad request", in.size(), out);
    const std::size_t consumed = parsed.consumed;
    proto::Target target;
    if (proto::parse_target(req.target, target) != nullptr)
        return http_error(404, "not found: this tracker serves /announce and /scrape", consumed, out);
    if (swarm::is_browser_user_agent(req.user_agent)) {
        counters_.add(Counter::http_browser);
        std::size_t body = http::write_failure(body_, "browsers are not BitTorrent clients");
        HttpStep step{HttpStep::Kind::reply, consumed, http::write_response(out, 403, {body_, body}, false), true};
        return step;
    }
    proto::TargetKind kind = proto::TargetKind::announce;
    proto::Announce announce;
    proto::Scrape scrape;
    if (const char* err = http::parse_tracker_request(req, kind, announce, scrape))
        return http_error(400, err, consumed, out);
    if (kind == proto::TargetKind::scrape) return http_scrape(scrape, peer, req.keep_alive, consumed, out);

    swarm::Admission adm = gate_.admit(announce, peer, now_);
    if (adm.outcome == swarm::Outcome::failure) return http_failure(adm.message, req.keep_alive, consumed, out);
    if (adm.shard == index_) {
        HttpStep step{HttpStep::Kind::reply, consumed, http_announce(announce, adm, peer, req.keep_alive, out),
                      !req.keep_alive};
        return step;
    }
    HandoffRequest h;
    h.admission = adm;
    h.announce = announce;
    h.announce.passkey = {};
    h.announce.user_agent = {};
    h.from = peer;
    h.conn = conn;
    h.http = true;
    h.keep_alive = req.keep_alive;
    if (!hand_off(h)) {
        std::size_t body = http::write_failure(body_, "tracker busy, try again");
        HttpStep step{HttpStep::Kind::reply, consumed, http::write_response(out, 503, {body_, body}, false), true};
        return step;
    }
    return HttpStep{HttpStep::Kind::pending, consumed, 0, false};
}

std::size_t Worker::http_announce(const proto::Announce& a, const swarm::Admission& adm, const proto::Endpoint& from,
                                  bool keep_alive, std::span<char> out) noexcept {
    namespace http = proto::http;
    std::size_t cap = a.compact ? swarm::kMaxPeersPerReply : kNonCompactPeers;
    swarm::PeerOutput po{peers4_, cap, peers6_, cap, nullptr, nullptr};
    if (!a.compact && !a.no_peer_id) {
        po.peer_ids4 = ids4_[0].data();
        po.peer_ids6 = ids6_[0].data();
    }
    swarm::AnnounceResult r = shard_->announce(adm, a, listed_as(from, a), now_, po);
    std::size_t body = 0;
    if (r.outcome == swarm::Outcome::failure) {
        counters_.add(Counter::http_refused);
        body = http::write_failure(body_, r.message);
    } else {
        counters_.add(Counter::http_announce);
        http::AnnounceReply reply;
        reply.interval = r.interval;
        reply.min_interval = r.min_interval;
        reply.complete = r.complete;
        reply.incomplete = r.incomplete;
        reply.downloaded = r.downloaded;
        if (r.outcome == swarm::Outcome::warning) reply.warning = r.message;
        reply.peers_v4 = {peers4_, std::size_t{r.n4} * 6};
        reply.peers_v6 = {peers6_, std::size_t{r.n6} * 18};
        if (po.peer_ids4) {
            reply.peer_ids_v4 = {ids4_, r.n4};
            reply.peer_ids_v6 = {ids6_, r.n6};
        }
        reply.compact = a.compact;
        reply.no_peer_id = a.no_peer_id;
        body = http::write_announce(body_, reply);
        if (body == 0) body = http::write_failure(body_, "reply too large");
    }
    return http::write_response(out, 200, {body_, body}, keep_alive);
}

HttpStep Worker::http_scrape(const proto::Scrape& s, const proto::Endpoint& from, bool keep_alive,
                             std::size_t consumed, std::span<char> out) noexcept {
    namespace http = proto::http;
    swarm::Admission adm = gate_.admit_scrape(s, from, now_);
    if (adm.outcome == swarm::Outcome::failure) return http_failure(adm.message, keep_alive, consumed, out);
    if (s.count == 0) return http_failure("a scrape names its info_hash (full scrapes are not served)", keep_alive,
                                          consumed, out);
    http::ScrapeFile files[proto::kMaxScrapeHashes];
    for (std::size_t i = 0; i < s.count; ++i) {
        swarm::ScrapeCounts c = swarm::scrape_counts(*context_.segment, s.hashes[i], context_.open_mode);
        files[i] = http::ScrapeFile{s.hashes[i], c.complete, c.downloaded, c.incomplete};
    }
    counters_.add(Counter::http_scrape);
    std::size_t body = http::write_scrape(body_, {files, s.count});
    return HttpStep{HttpStep::Kind::reply, consumed, http::write_response(out, 200, {body_, body}, keep_alive),
                    !keep_alive};
}

// ---- hand-off -----------------------------------------------------------------------------------

void Worker::drain(UdpOut& udp, HttpOut& http) noexcept {
    // Only an owner is handed requests; every worker may get replies back from the owners.
    for (std::uint32_t w = 0; shard_ && w < context_.workers; ++w) {
        if (w == index_) continue;
        auto& back = context_.rings->replies(index_, w);
        if (is_stalled_[w]) {
            if (!back.try_push(stalled_[w])) continue;
            is_stalled_[w] = false;
            wake_mask_ |= std::uint64_t{1} << w;
        }
        auto& in = context_.rings->requests(w, index_);
        HandoffRequest h;
        while (in.try_pop(h)) {
            counters_.add(Counter::handoff_received);
            if (!h.http) {
                std::span<std::uint8_t> buf = udp.buffer();
                if (buf.empty()) {
                    counters_.add(Counter::udp_send_dropped);
                    continue;
                }
                std::size_t n = udp_announce(h.announce, h.admission, h.from, h.transaction_id, buf);
                if (n > 0) udp.send(n, h.socket, h.from);
                continue;
            }
            HandoffReply& r = stalled_[w];
            r.conn = h.conn;
            r.close = !h.keep_alive;
            r.length = static_cast<std::uint32_t>(
                http_announce(h.announce, h.admission, h.from, h.keep_alive, {r.bytes, sizeof r.bytes}));
            wake_mask_ |= std::uint64_t{1} << w;
            if (!back.try_push(r)) {
                is_stalled_[w] = true;
                break;
            }
        }
    }
    for (std::uint32_t w = 0; w < context_.shards; ++w) {
        if (w == index_) continue;
        auto& replies = context_.rings->replies(w, index_);
        while (replies.try_pop(reply_in_)) http.deliver(reply_in_.conn, {reply_in_.bytes, reply_in_.length}, reply_in_.close);
    }
}

void Worker::housekeeping(std::uint64_t now_s) noexcept {
    if (shard_) shard_->reap(static_cast<std::uint32_t>(now_s), context_.reap_budget);
}

}  // namespace swarmline::io
