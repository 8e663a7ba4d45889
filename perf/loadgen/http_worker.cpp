#include "http_worker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "http_response_head.hpp"
#include "pacer.hpp"
#include "proto/bencode.hpp"
#include "swarmline_version.hpp"
#include "url_paths.hpp"

namespace swarmline::loadgen {
namespace {

// An announce request is ~350 bytes; a scrape of 74 escaped hashes is ~4.5 KiB. A pipelined
// burst is written in one send; what does not fit waits for the next answer.
constexpr std::size_t kRequestBuf = 32768;
constexpr std::size_t kMaxRequest = 8192;
// The receive buffer: the largest answer (200 IPv6 peers in bencode are ~3.7 KiB plus the head)
// several times over for pipelined answers; an answer that cannot fit is counted as invalid.
constexpr std::size_t kResponseBuf = 65536;
constexpr std::uint64_t kExpireEveryNs = 20'000'000;
constexpr int kEvents = 64;
// Enough for an announce reply (about 14 tokens) and a scrape of 74 files (3 + 74 * 8).
constexpr std::size_t kTokens = 640;
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
    if (epoll_ >= 0) ::close(epoll_);
}

std::string HttpWorker::open() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) return std::string("epoll_create1: ") + std::strerror(errno);
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
        c.buf.resize(kResponseBuf);
    }
    closed_.reserve(per_worker);
    ready_.reserve(per_worker);
    return {};
}

bool HttpWorker::connect(Connection& c, Counters& counters) {
    const int family = c.target->v6 ? AF_INET6 : AF_INET;
    c.fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (c.fd < 0) {
        ++counters.send_errors;
        return false;
    }
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    bool ok = true;
    if (!c.target->v6) {
        // The port is chosen at connect() time for the full 4-tuple, not at bind() for the address.
        ::setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(c.source_ipv4);
        ok = ::bind(c.fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0;
    }
    ok = ok && (::connect(c.fd, reinterpret_cast<const sockaddr*>(&c.target->addr), c.target->addr_len) == 0 ||
                errno == EINPROGRESS);
    if (!ok) {
        ++counters.send_errors;
        ::close(c.fd);
        c.fd = -1;
        return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    ev.data.u32 = index_of(c);
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    c.state = State::connecting;
    c.closing = false;
    c.head = c.count = 0;
    c.received = 0;
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
    if (c.fd >= 0) ::close(c.fd);  // closing also removes it from the epoll set
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
    static thread_local std::array<char, kRequestBuf> buf;
    std::size_t used = 0;
    std::uint32_t built = 0;
    std::array<Kind, kMaxPipeline> kinds;
    if (!resend && n > budget_) n = static_cast<std::uint32_t>(budget_);
    while (built < n && c.count + built < config_.pipeline && buf.size() - used >= kMaxRequest) {
        const Kind kind = config_.fill ? Kind::announce : traffic_.next_kind(rng_, false);
        const std::size_t len = build(c, kind, buf.data() + used, kMaxRequest);
        if (len == 0) break;
        kinds[built++] = kind;
        used += len;
    }
    if (built == 0) return 0;
    // The socket's send buffer holds far more than one burst of requests, so one send takes it all.
    const ssize_t w = ::send(c.fd, buf.data(), used, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w != static_cast<ssize_t>(used)) {
        counters.send_errors += built;
        close(c, false, counters);
        return 0;
    }
    if (!resend) budget_ -= built;
    for (std::uint32_t i = 0; i < built; ++i) {
        c.pending[(c.head + c.count) % kMaxPipeline] = {sent_ns, kinds[i]};
        ++c.count;
        ++counters.sent[static_cast<std::size_t>(kinds[i])];
    }
    return built;
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
    std::array<proto::bencode::Token, kTokens> tokens;
    const auto res = proto::bencode::decode(body, tokens);
    using proto::bencode::Error;
    if (!res.ok() && (res.error == Error::unsorted_keys || res.error == Error::duplicate_key) && body.starts_with('d')) {
        // opentracker lists scrape files in request order: well-formed, but not the canonical
        // form our decoder insists on. It is an answer; the report says how many were like it.
        ++counters.responses[k];
        ++counters.noncanonical;
        return;
    }
    if (!res.ok() || tokens[0].type != proto::bencode::Type::dict) {
        ++counters.invalid;
        return;
    }
    const proto::bencode::Document doc(body, std::span(tokens.data(), res.count));
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

void HttpWorker::on_readable(Connection& c, std::uint64_t now, bool peer_closed, WorkerResult& out) {
    Counters& counters = out.counters;
    for (;;) {
        const ssize_t r = ::recv(c.fd, c.buf.data() + c.received, c.buf.size() - c.received, MSG_DONTWAIT);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r <= 0) {
            // Closed by the server. Between answers that is its keep-alive policy. Requests that
            // went out on a kept-alive connection and got no byte back are sent again; a request
            // whose answer was cut off is lost.
            if (c.received > 0 && c.count > 0) {
                ++counters.invalid;
                c.head = (c.head + 1) % kMaxPipeline;
                --c.count;
            }
            close(c, c.answered > 0, counters);
            return;
        }
        c.received += static_cast<std::size_t>(r);
        // Every complete answer in the buffer, in request order.
        std::size_t used = 0;
        for (;;) {
            const std::string_view data(c.buf.data() + used, c.received - used);
            if (data.empty()) break;
            ResponseHead head;
            const HeadResult hr = parse_response_head(data, head);
            if (hr == HeadResult::need_more) break;
            if (hr == HeadResult::invalid || c.count == 0) {
                ++counters.invalid;  // garbage, or bytes nobody asked for
                close(c, false, counters);
                return;
            }
            if (data.size() < head.head_size + head.content_length) break;
            on_answer(c, data.substr(0, head.head_size + head.content_length), head.head_size, head.status, now, out);
            used += head.head_size + head.content_length;
            if (!head.keep_alive) {
                // Requests pipelined behind the last answer are sent again on a new connection.
                c.closing = true;
                close(c, true, counters);
                return;
            }
        }
        if (used > 0) {
            std::memmove(c.buf.data(), c.buf.data() + used, c.received - used);
            c.received -= used;
        }
        if (c.received == c.buf.size()) {
            ++counters.invalid;  // an answer larger than any tracker reply this load asks for
            close(c, false, counters);
            return;
        }
    }
    // The server's FIN came with its answers: nothing more will be answered here.
    if (peer_closed) close(c, true, counters);
}

void HttpWorker::run(std::uint64_t start_ns, std::uint64_t end_ns, WorkerResult& out) {
    Counters& counters = out.counters;
    precise_timers();
    const ThreadCpu cpu0 = thread_cpu();
    Pacer pacer(config_.rate / config_.workers, start_ns);
    const bool open_loop = pacer.open_loop();
    const std::uint64_t timeout = std::uint64_t{config_.timeout_ms} * 1'000'000u;
    for (auto& c : connections_)
        if (!connect(c, counters)) closed_.push_back(index_of(c));
    std::array<epoll_event, kEvents> events;
    std::uint64_t next_expire = start_ns + kExpireEveryNs;
    std::uint64_t now = now_ns();

    // A connection with room: closed loop fills it at once, open loop lists it for due requests.
    auto refill = [&](Connection& c) {
        if (c.state != State::open) return;
        if (c.retry > 0) {
            const std::uint32_t sent = send_requests(c, c.retry, c.retry_ns, true, counters);
            c.retry -= sent < c.retry ? sent : c.retry;
            if (c.state != State::open) return;
        }
        const std::uint32_t n = room(c);
        if (n == 0) return;
        if (!open_loop) {
            send_requests(c, n, now, false, counters);
        } else if (!c.in_ready) {
            c.in_ready = true;
            ready_.push_back(index_of(c));
        }
    };

    while (now < end_ns) {
        std::uint64_t wake = next_expire < end_ns ? next_expire : end_ns;
        if (open_loop && pacer.due_ns() < wake) wake = pacer.due_ns();
        const std::uint64_t wait = wake > now ? wake - now : 0;
        const timespec ts{static_cast<time_t>(wait / 1'000'000'000u), static_cast<long>(wait % 1'000'000'000u)};
        const int n = ::epoll_pwait2(epoll_, events.data(), kEvents, &ts, nullptr);
        now = now_ns();
        for (int i = 0; i < n; ++i) {
            Connection& c = connections_[events[i].data.u32];
            if (c.fd < 0) continue;
            if (c.state == State::connecting) {
                int err = 0;
                socklen_t len = sizeof err;
                ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0) {
                    ++counters.send_errors;
                    close(c, true, counters);
                    continue;
                }
                epoll_event ev{};
                ev.events = EPOLLIN | EPOLLRDHUP;
                ev.data.u32 = events[i].data.u32;
                ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
                c.state = State::open;
                refill(c);
                continue;
            }
            if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                on_readable(c, now, (events[i].events & (EPOLLRDHUP | EPOLLHUP)) != 0, out);
                refill(c);
            }
        }
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
        if (open_loop) {
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
                if (!sent) ++counters.unsent;
            }
        }
        if (now >= next_expire) {
            for (auto& c : connections_) {
                if (c.count > 0 && now - c.pending[c.head].sent_ns >= timeout) {
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
    }
    for (const auto& c : connections_) counters.outstanding_at_end += c.count;
    const ThreadCpu cpu1 = thread_cpu();
    out.cpu_user_ns = cpu1.user_ns - cpu0.user_ns;
    out.cpu_sys_ns = cpu1.sys_ns - cpu0.sys_ns;
    out.wall_ns = now_ns() - start_ns;
}

}  // namespace swarmline::loadgen
