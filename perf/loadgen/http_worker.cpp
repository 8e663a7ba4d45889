#include "http_worker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "base/log.hpp"
#include "pacer.hpp"
#include "proto/bencode.hpp"
#include "proto/http_client.hpp"
#include "swarmline_version.hpp"
#include "url_paths.hpp"

namespace swarmline::loadgen {
namespace {

// An announce request is ~350 bytes; a scrape of 74 escaped hashes is ~4.5 KiB. A pipelined
// burst is written in one send; what does not fit waits for the next answer.
constexpr std::size_t kRequestBuf = 32768;
constexpr std::size_t kMaxRequest = 8192;
// Received bytes arrive in provided buffers of kRecvBufferSize and are appended to the
// connection's answer buffer, which holds an unfinished answer (the largest, 200 IPv6 peers in
// bencode, is ~3.7 KiB plus the head) and one more received buffer; an answer that cannot fit is
// counted as invalid.
constexpr std::uint32_t kRecvBufferSize = 4096;
constexpr std::size_t kResponseBuf = 16384;
// Two receive buffers per connection, within bounds: answers of one turn fit, and a connection
// that runs out (-ENOBUFS) is armed again in the next turn.
constexpr std::uint32_t kMinRecvBuffers = 256;
constexpr std::uint32_t kMaxRecvBuffers = 8192;
constexpr std::uint64_t kExpireEveryNs = 20'000'000;
enum Op : std::uint8_t { kConnect = 1, kRecv, kSend, kCancel };
// Sets HTTP peers' ids apart from UDP peers' of the same index and address (Workload::peer_id).
constexpr std::uint32_t kHttpSources = 1u << 31;

// Appends to a fixed buffer; overflow is remembered and turns the whole request into "not built".
struct Appender {
    char* p;
    char* end;
    bool ok = true;
    void str(std::string_view s) noexcept {
        if (static_cast<std::size_t>(end - p) < s.size()) {
            ok = false;
            return;
        }
        std::memcpy(p, s.data(), s.size());
        p += s.size();
    }
    void num(std::uint64_t v) noexcept {
        char tmp[24];
        auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        str(std::string_view(tmp, static_cast<std::size_t>(r.ptr - tmp)));
    }
    // Every byte outside RFC 3986's unreserved set is escaped, as clients do for binary hashes.
    void escaped(std::span<const std::uint8_t> bytes) noexcept {
        static constexpr char kHex[] = "0123456789ABCDEF";
        for (std::uint8_t b : bytes) {
            const bool plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' ||
                               b == '.' || b == '_' || b == '~';
            if (plain) {
                const char ch = static_cast<char>(b);
                str(std::string_view(&ch, 1));
            } else {
                const char e[3] = {'%', kHex[b >> 4], kHex[b & 15]};
                str(std::string_view(e, 3));
            }
        }
    }
};

const char* event_name(proto::Event e) noexcept {
    switch (e) {
        case proto::Event::started: return "started";
        case proto::Event::completed: return "completed";
        case proto::Event::stopped: return "stopped";
        case proto::Event::paused: return "paused";
        case proto::Event::none: break;
    }
    return nullptr;
}

}  // namespace

HttpWorker::HttpWorker(const Config& config, Traffic& traffic, unsigned index) noexcept
    : config_(config),
      traffic_(traffic),
      index_(index),
      rng_(config.seed * 1000003 + index),
      budget_(config.request_budget(index)) {}

HttpWorker::~HttpWorker() {
    for (auto& c : connections_)
        if (c.fd >= 0) ::close(c.fd);
}

std::string HttpWorker::open() {
    for (const auto& t : config_.targets) {
        announce_paths_.push_back(expand_paths(t.announce_path, config_.passkeys));
        scrape_paths_.push_back(expand_paths(t.scrape_path, config_.passkeys));
    }
    const std::uint32_t per_worker = config_.in_flight;
    const std::uint32_t stride = per_worker * config_.workers;
    connections_.resize(per_worker);
    for (std::uint32_t i = 0; i < per_worker; ++i) {
        Connection& c = connections_[i];
        const std::uint32_t global = index_ * per_worker + i;
        c.target = &config_.targets[global % config_.targets.size()];
        // Each connection has its own source address: a server that closes every connection keeps
        // one TIME_WAIT per request, and one address's 28k ephemeral ports would run out in seconds.
        c.source_ipv4 = c.target->v6 ? 0 : config_.first_client_ipv4 + global;
        c.peers = PeerRange(traffic_.workload().peer_count(), global, stride);
        // Pages are touched only as far as a connection uses them.
        c.buffers = std::make_unique_for_overwrite<char[]>(kResponseBuf + kRequestBuf);
        c.in = c.buffers.get();
        c.out = c.in + kResponseBuf;
    }
    closed_.reserve(per_worker);
    ready_.reserve(per_worker);
    const std::uint32_t buffers = std::bit_ceil(2 * per_worker);
    if (auto err = ring_.init(4096, true); !err.empty()) return err;
    return buffers_.init(ring_, 0,
                         buffers < kMinRecvBuffers ? kMinRecvBuffers : buffers > kMaxRecvBuffers ? kMaxRecvBuffers : buffers,
                         kRecvBufferSize);
}

bool HttpWorker::connect(Connection& c, Counters& counters) {
    const int family = c.target->v6 ? AF_INET6 : AF_INET;
    // No O_NONBLOCK: io_uring waits for a socket that is not ready itself.
    c.fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    if (c.fd < 0) {
        ++counters.send_errors;
        return false;
    }
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!c.target->v6) {
        // The port is chosen at connect() time for the full 4-tuple, not at bind() for the address.
        ::setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(c.source_ipv4);
        if (::bind(c.fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
            ++counters.send_errors;
            ::close(c.fd);
            c.fd = -1;
            return false;
        }
    }
    io_uring_sqe* sqe = ring_.sqe();
    io_uring_prep_connect(sqe, c.fd, reinterpret_cast<const sockaddr*>(&c.target->addr), c.target->addr_len);
    io_uring_sqe_set_data64(sqe, tag(kConnect, index_of(c)));
    ++c.ops;
    c.state = State::connecting;
    c.closing = false;
    c.sending = false;
    c.head = c.count = 0;
    c.received = 0;
    c.out_len = c.out_sending = 0;
    c.answered = 0;
    return true;
}

void HttpWorker::close(Connection& c, bool retry, Counters& counters) {
    if (c.count > 0) {
        if (retry) {
            // Sent again on the next connection: counted as sent once, when they go out again.
            if (c.retry == 0) c.retry_ns = c.pending[c.head].sent_ns;
            for (std::uint32_t i = 0; i < c.count; ++i)
                --counters.sent[static_cast<std::size_t>(c.pending[(c.head + i) % kMaxPipeline].kind)];
            c.retry += c.count;
        } else {
            counters.invalid += c.count;
        }
    }
    c.head = c.count = 0;
    c.state = State::draining;
    if (c.ops > 0) {
        // The kernel holds a receive (and maybe a send or the connect) that keep the socket open:
        // cancel them; the socket is closed when the last one has completed.
        io_uring_sqe* sqe = ring_.sqe();
        io_uring_prep_cancel_fd(sqe, c.fd, IORING_ASYNC_CANCEL_ALL);
        io_uring_sqe_set_data64(sqe, tag(kCancel, index_of(c)));
    }
    release_if_idle(c);
}

void HttpWorker::release_if_idle(Connection& c) noexcept {
    if (c.state != State::draining || c.ops > 0) return;
    ::close(c.fd);
    c.fd = -1;
    c.state = State::closed;
    closed_.push_back(index_of(c));
}

std::uint32_t HttpWorker::room(const Connection& c) const noexcept {
    if (c.state != State::open || c.closing) return 0;
    if ((config_.fill && c.peers.next_fill >= c.peers.count) || budget_ == 0) return 0;
    return config_.pipeline > c.count ? config_.pipeline - c.count : 0;
}

std::size_t HttpWorker::build(Connection& c, Kind kind, char* out, std::size_t cap) {
    Appender a{out, out + cap};
    const std::size_t t = static_cast<std::size_t>(c.target - config_.targets.data());
    if (kind == Kind::scrape) {
        std::array<proto::InfoHash, proto::kMaxScrapeHashes> hashes;
        const std::size_t n = traffic_.scrape(rng_, hashes);
        const auto& path = scrape_paths_[t][rng_.below(static_cast<std::uint32_t>(scrape_paths_[t].size()))];
        a.str("GET ");
        a.str(path);
        for (std::size_t i = 0; i < n; ++i) {
            a.str(i == 0 && path.find('?') == std::string::npos ? "?info_hash=" : "&info_hash=");
            a.escaped(hashes[i]);
        }
    } else {
        if (c.peers.count == 0) return 0;
        std::uint32_t local = 0;
        if (config_.fill) {
            if (c.peers.next_fill >= c.peers.count) return 0;
            local = c.peers.next_fill++;
        } else {
            local = rng_.below(c.peers.count);
        }
        const std::uint32_t peer = c.peers.global(local);
        proto::Announce an;
        const auto source = index_of(c) + index_ * config_.in_flight;
        traffic_.announce(peer, local, kHttpSources | source, rng_, an);
        const auto& path = announce_paths_[t][peer % announce_paths_[t].size()];
        a.str("GET ");
        a.str(path);
        a.str(path.find('?') == std::string::npos ? "?info_hash=" : "&info_hash=");
        a.escaped(an.info_hash);
        a.str("&peer_id=");
        a.escaped(an.peer_id);
        a.str("&port=");
        a.num(an.port);
        a.str("&uploaded=");
        a.num(an.uploaded);
        a.str("&downloaded=");
        a.num(an.downloaded);
        a.str("&left=");
        a.num(an.left);
        if (const char* e = event_name(an.event)) {
            a.str("&event=");
            a.str(e);
        }
        a.str("&numwant=");
        a.num(static_cast<std::uint64_t>(an.numwant));
        a.str("&key=");
        a.num(an.key);
        a.str("&compact=1");
    }
    a.str(" HTTP/1.1\r\nHost: ");
    a.str(c.target->host);
    a.str("\r\nUser-Agent: swarmline-loadgen/" SWARMLINE_VERSION "\r\n\r\n");
    return a.ok ? static_cast<std::size_t>(a.p - out) : 0;
}

std::uint32_t HttpWorker::send_requests(Connection& c, std::uint32_t n, std::uint64_t sent_ns, bool resend,
                                        Counters& counters) {
    std::uint32_t built = 0;
    if (!resend && n > budget_) n = static_cast<std::uint32_t>(budget_);
    while (built < n && c.count < config_.pipeline && kRequestBuf - c.out_len >= kMaxRequest) {
        const Kind kind = config_.fill ? Kind::announce : traffic_.next_kind(rng_, false);
        const std::size_t len = build(c, kind, c.out + c.out_len, kMaxRequest);
        if (len == 0) break;
        c.out_len += len;
        c.pending[(c.head + c.count) % kMaxPipeline] = {sent_ns, kind};
        ++c.count;
        ++counters.sent[static_cast<std::size_t>(kind)];
        ++built;
    }
    if (!resend) budget_ -= built;
    arm_send(c);
    return built;
}

void HttpWorker::arm_send(Connection& c) noexcept {
    if (c.sending || c.out_len == 0) return;
    io_uring_sqe* sqe = ring_.sqe();
    // MSG_WAITALL: the kernel sends the rest of a short send itself.
    io_uring_prep_send(sqe, c.fd, c.out, c.out_len, MSG_NOSIGNAL | MSG_WAITALL);
    io_uring_sqe_set_data64(sqe, tag(kSend, index_of(c)));
    ++c.ops;
    ++sends_queued_;
    c.sending = true;
    c.out_sending = c.out_len;
}

void HttpWorker::arm_receive(Connection& c) noexcept {
    io_uring_sqe* sqe = ring_.sqe();
    io_uring_prep_recv_multishot(sqe, c.fd, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = buffers_.group();
    io_uring_sqe_set_data64(sqe, tag(kRecv, index_of(c)));
    ++c.ops;
}

void HttpWorker::on_answer(Connection& c, std::string_view data, std::size_t head_size, std::uint16_t status,
                           std::uint64_t now, WorkerResult& out) {
    Counters& counters = out.counters;
    const Pending p = c.pending[c.head];
    c.head = (c.head + 1) % kMaxPipeline;
    --c.count;
    ++c.answered;
    const auto k = static_cast<std::size_t>(p.kind);
    out.latency[k].record(now > p.sent_ns ? now - p.sent_ns : 0);
    const std::string_view body = data.substr(head_size);
    const auto res = proto::bencode::decode(body, tokens_);
    using proto::bencode::Error;
    if (!res.ok() && (res.error == Error::unsorted_keys || res.error == Error::duplicate_key) && body.starts_with('d')) {
        // opentracker lists scrape files in request order: well-formed, but not the canonical
        // form our decoder insists on. It is an answer; the report says how many were like it.
        ++counters.responses[k];
        ++counters.noncanonical;
        return;
    }
    if (!res.ok() || tokens_[0].type != proto::bencode::Type::dict) {
        ++counters.invalid;
        return;
    }
    const proto::bencode::Document doc(body, std::span(tokens_.data(), res.count));
    const auto failure = doc.find(0, "failure reason");
    if (failure || status != 200) {
        ++counters.error_responses[k];
        counters.note_error(failure && doc[*failure].type == proto::bencode::Type::string ? doc.str(*failure)
                                                                                         : "HTTP status not 200");
        return;
    }
    ++counters.responses[k];
    if (p.kind == Kind::announce) {
        if (auto q = doc.find(0, "peers"); q && doc[*q].type == proto::bencode::Type::string)
            counters.response_peers += doc[*q].value_size / 6;
        if (auto q = doc.find(0, "peers6"); q && doc[*q].type == proto::bencode::Type::string)
            counters.response_peers += doc[*q].value_size / 18;
    }
}

bool HttpWorker::on_data(Connection& c, std::string_view data, std::uint64_t now, WorkerResult& out) {
    Counters& counters = out.counters;
    if (c.received + data.size() > kResponseBuf) {
        ++counters.invalid;  // an answer larger than any tracker reply this load asks for
        close(c, false, counters);
        return false;
    }
    std::memcpy(c.in + c.received, data.data(), data.size());
    c.received += data.size();
    // Every complete answer in the buffer, in request order.
    std::size_t used = 0;
    for (;;) {
        const std::string_view rest(c.in + used, c.received - used);
        if (rest.empty()) break;
        proto::http::ResponseHead head;
        const auto hr = proto::http::parse_response_head(rest, head);
        if (hr == proto::http::HeadResult::need_more) break;
        if (hr == proto::http::HeadResult::invalid || c.count == 0) {
            ++counters.invalid;  // garbage, or bytes nobody asked for
            close(c, false, counters);
            return false;
        }
        if (rest.size() < head.head_size + head.content_length) break;
        on_answer(c, rest.substr(0, head.head_size + head.content_length), head.head_size, head.status, now, out);
        used += head.head_size + head.content_length;
        if (!head.keep_alive) {
            // Requests pipelined behind the last answer are sent again on a new connection.
            c.closing = true;
            close(c, true, counters);
            return false;
        }
    }
    if (used > 0) {
        std::memmove(c.in, c.in + used, c.received - used);
        c.received -= used;
    }
    return true;
}

void HttpWorker::refill(Connection& c, std::uint64_t now, Counters& counters) {
    if (c.state != State::open) return;
    if (c.retry > 0) {
        const std::uint32_t sent = send_requests(c, c.retry, c.retry_ns, true, counters);
        c.retry -= sent < c.retry ? sent : c.retry;
    }
    const std::uint32_t n = room(c);
    if (n == 0) return;
    if (!open_loop_) {
        send_requests(c, n, now, false, counters);
    } else if (!c.in_ready) {
        c.in_ready = true;
        ready_.push_back(index_of(c));
    }
}

void HttpWorker::on_completion(const io_uring_cqe& cqe, std::uint64_t now, WorkerResult& out) {
    Counters& counters = out.counters;
    Connection& c = connections_[tag_index(cqe.user_data)];
    switch (tag_op(cqe.user_data)) {
        case kConnect:
            --c.ops;
            if (c.state != State::connecting) break;
            if (cqe.res < 0) {
                ++counters.send_errors;
                close(c, true, counters);
                break;
            }
            c.state = State::open;
            arm_receive(c);
            refill(c, now, counters);
            break;
        case kSend:
            --c.ops;
            c.sending = false;
            if (c.state != State::open) break;
            if (cqe.res < 0 || static_cast<std::size_t>(cqe.res) != c.out_sending) {
                // The server went away under the requests: a kept-alive connection's are sent again.
                ++counters.send_errors;
                close(c, c.answered > 0, counters);
                break;
            }
            c.out_len -= c.out_sending;
            std::memmove(c.out, c.out + c.out_sending, c.out_len);
            arm_send(c);
            break;
        case kRecv: {
            std::uint16_t id = 0;
            const bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
            if (!more) --c.ops;
            if (cqe_buffer(cqe, id)) {
                const bool open = c.state == State::open &&
                                  on_data(c, std::string_view(reinterpret_cast<const char*>(buffers_.data(id)),
                                                              static_cast<std::size_t>(cqe.res)),
                                          now, out);
                buffers_.recycle(id);
                if (open) refill(c, now, counters);
            }
            if (more || c.state != State::open) break;
            if (cqe.res > 0 || cqe.res == -ENOBUFS) {
                arm_receive(c);  // the receive ended but the connection did not (out of buffers)
                break;
            }
            // Closed by the server. Between answers that is its keep-alive policy. Requests that
            // went out on a kept-alive connection and got no byte back are sent again; a request
            // whose answer was cut off is lost.
            if (c.received > 0 && c.count > 0) {
                ++counters.invalid;
                c.head = (c.head + 1) % kMaxPipeline;
                --c.count;
            }
            close(c, c.answered > 0, counters);
            break;
        }
        default:
            break;  // a cancel: what it cancelled completes on its own
    }
    release_if_idle(c);
}

void HttpWorker::run(std::uint64_t start_ns, std::uint64_t end_ns, WorkerResult& out) {
    Counters& counters = out.counters;
    precise_timers();
    const ThreadCpu cpu0 = thread_cpu();
    if (auto err = ring_.enable(); !err.empty()) {
        log::error("cannot start the worker's io_uring", {{"reason", err}});
        ++counters.send_errors;
        return;
    }
    Pacer pacer(config_.rate / config_.workers, start_ns);
    open_loop_ = pacer.open_loop();
    const std::uint64_t timeout = std::uint64_t{config_.timeout_ms} * 1'000'000u;
    for (auto& c : connections_)
        if (!connect(c, counters)) closed_.push_back(index_of(c));
    std::uint64_t next_expire = start_ns + kExpireEveryNs;
    std::uint64_t now = now_ns();

    while (now < end_ns) {
        // Connections the server closed come back (reconnects are what the report counts).
        for (std::size_t i = 0; i < closed_.size();) {
            Connection& c = connections_[closed_[i]];
            if (((config_.fill && c.peers.next_fill >= c.peers.count) || budget_ == 0) && c.retry == 0) {
                ++i;  // nothing left to send from it
                continue;
            }
            closed_[i] = closed_.back();
            closed_.pop_back();
            ++counters.reconnects;
            if (!connect(c, counters)) closed_.push_back(index_of(c));
        }
        if (open_loop_) {
            std::uint64_t scheduled = 0;
            while (budget_ > 0 && pacer.take(now, scheduled)) {
                bool sent = false;
                while (!ready_.empty() && !sent) {
                    Connection& c = connections_[ready_.back()];
                    sent = room(c) > 0 && send_requests(c, 1, scheduled, false, counters) == 1;
                    if (room(c) == 0) {
                        c.in_ready = false;
                        ready_.pop_back();
                    }
                }
                if (!sent) {
                    // No connection has room: the rest of those due are unsent too.
                    counters.unsent += 1 + pacer.skip(now);
                    break;
                }
            }
        }
        if (now >= next_expire) {
            for (auto& c : connections_) {
                if (c.state == State::open && c.count > 0 && now - c.pending[c.head].sent_ns >= timeout) {
                    for (std::uint32_t i = 0; i < c.count; ++i)
                        ++counters.timeouts[static_cast<std::size_t>(c.pending[(c.head + i) % kMaxPipeline].kind)];
                    c.count = 0;
                    close(c, false, counters);
                }
            }
            next_expire = now + kExpireEveryNs;
        }
        if (budget_ == 0 || config_.fill) {
            bool done = true;
            for (const auto& c : connections_) {
                const bool nothing_to_send = budget_ == 0 || c.peers.next_fill >= c.peers.count;
                done = done && nothing_to_send && c.count == 0 && c.retry == 0;
            }
            if (done) break;
        }
        std::uint64_t wake = next_expire < end_ns ? next_expire : end_ns;
        if (open_loop_ && pacer.due_ns() < wake) wake = pacer.due_ns();
        buffers_.publish();
        // The sends of this turn complete as they are submitted; waiting for one completion more
        // than them sleeps until an answer (or a connect, or a close) arrives, in the same call.
        ring_.submit_and_wait(sends_queued_ + 1, wake > now ? wake - now : 0);
        sends_queued_ = 0;
        now = now_ns();
        ring_.reap([&](const io_uring_cqe& cqe) { on_completion(cqe, now, out); });
    }
    for (const auto& c : connections_) counters.outstanding_at_end += c.count;
    const ThreadCpu cpu1 = thread_cpu();
    out.cpu_user_ns = cpu1.user_ns - cpu0.user_ns;
    out.cpu_sys_ns = cpu1.sys_ns - cpu0.sys_ns;
    out.wall_ns = now_ns() - start_ns;
}

}  // namespace swarmline::loadgen
