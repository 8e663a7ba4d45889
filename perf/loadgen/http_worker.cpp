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

// An announce request is ~350 bytes; a scrape of 74 escaped hashes is ~4.5 KiB.
constexpr std::size_t kRequestBuf = 8192;
// The largest answer read: 200 IPv6 peers in bencode are ~3.7 KiB plus the head; bigger ones are
// counted as invalid.
constexpr std::size_t kResponseBuf = 16384;
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
    : config_(config), traffic_(traffic), index_(index), rng_(config.seed * 1000003 + index) {}

HttpWorker::~HttpWorker() {
    for (auto& c : connections_) close(c);
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
    if (!c.target->v6) {
        // The port is chosen at connect() time for the full 4-tuple, not at bind() for the address.
        ::setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(c.source_ipv4);
        if (::bind(c.fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
            ++counters.send_errors;
            close(c);
            return false;
        }
    }
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&c.target->addr), c.target->addr_len) != 0 &&
        errno != EINPROGRESS) {
        ++counters.send_errors;
        close(c);
        return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    ev.data.u32 = static_cast<std::uint32_t>(&c - connections_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    c.state = State::connecting;
    c.received = 0;
    c.answered = 0;
    return true;
}

void HttpWorker::close(Connection& c) {
    if (c.fd >= 0) ::close(c.fd);  // closing also removes it from the epoll set
    c.fd = -1;
    c.state = State::closed;
}

std::size_t HttpWorker::build(Connection& c, char* out, std::size_t cap) {
    Appender a{out, out + cap};
    const std::size_t t = static_cast<std::size_t>(c.target - config_.targets.data());
    if (c.kind == Kind::scrape) {
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
        const auto source = static_cast<std::uint32_t>(&c - connections_.data()) + index_ * config_.in_flight;
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

bool HttpWorker::send_request(Connection& c, std::uint64_t sent_ns, Counters& counters) {
    static thread_local std::array<char, kRequestBuf> buf;
    c.kind = config_.fill ? Kind::announce : traffic_.next_kind(rng_, false);
    const std::size_t n = build(c, buf.data(), buf.size());
    if (n == 0) return false;
    // The socket's send buffer is empty (one request in flight), so one send takes it all.
    const ssize_t w = ::send(c.fd, buf.data(), n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w != static_cast<ssize_t>(n)) {
        ++counters.send_errors;
        close(c);
        return false;
    }
    ++counters.sent[static_cast<std::size_t>(c.kind)];
    c.sent_ns = sent_ns;
    c.state = State::waiting;
    return true;
}

bool HttpWorker::on_readable(Connection& c, std::uint64_t now, bool peer_closed, WorkerResult& out) {
    Counters& counters = out.counters;
    for (;;) {
        if (c.received == c.buf.size()) {
            ++counters.invalid;  // an answer larger than any tracker reply this load asks for
            close(c);
            return false;
        }
        const ssize_t r = ::recv(c.fd, c.buf.data() + c.received, c.buf.size() - c.received, MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            // Closed by the server. Between answers that is its keep-alive policy. A request that
            // went out on a kept-alive connection and got no byte back is sent again; any other
            // request that loses its connection is lost.
            if (c.state == State::waiting) {
                if (c.received == 0 && c.answered > 0) {
                    --counters.sent[static_cast<std::size_t>(c.kind)];
                    c.retry_ns = c.sent_ns;
                } else {
                    ++counters.invalid;
                }
            }
            close(c);
            return false;
        }
        if (r < 0) {
            if (errno == EINTR) continue;
            return true;
        }
        c.received += static_cast<std::size_t>(r);
        if (c.state != State::waiting) {
            ++counters.invalid;  // bytes nobody asked for
            close(c);
            return false;
        }
        ResponseHead head;
        const std::string_view data(c.buf.data(), c.received);
        const HeadResult hr = parse_response_head(data, head);
        if (hr == HeadResult::need_more) continue;
        if (hr == HeadResult::invalid) {
            ++counters.invalid;
            close(c);
            return false;
        }
        if (data.size() < head.head_size + head.content_length) continue;
        if (data.size() > head.head_size + head.content_length) {
            ++counters.invalid;  // one request in flight: nothing may follow its answer
            close(c);
            return false;
        }
        const auto k = static_cast<std::size_t>(c.kind);
        out.latency[k].record(now > c.sent_ns ? now - c.sent_ns : 0);
        const std::string_view body = data.substr(head.head_size, head.content_length);
        std::array<proto::bencode::Token, kTokens> tokens;
        const auto res = proto::bencode::decode(body, tokens);
        using proto::bencode::Error;
        if (!res.ok() && (res.error == Error::unsorted_keys || res.error == Error::duplicate_key) &&
            body.starts_with('d')) {
            // opentracker lists scrape files in request order: well-formed, but not the canonical
            // form our decoder insists on. It is an answer; the report says how many were like it.
            ++counters.responses[k];
            ++counters.noncanonical;
        } else if (!res.ok() || tokens[0].type != proto::bencode::Type::dict) {
            ++counters.invalid;
        } else {
            const proto::bencode::Document doc(body, std::span(tokens.data(), res.count));
            const auto failure = doc.find(0, "failure reason");
            if (failure || head.status != 200) {
                ++counters.error_responses[k];
                counters.note_error(failure && doc[*failure].type == proto::bencode::Type::string ? doc.str(*failure)
                                                                                                 : "HTTP status not 200");
            } else {
                ++counters.responses[k];
                if (c.kind == Kind::announce) {
                    if (auto p = doc.find(0, "peers"); p && doc[*p].type == proto::bencode::Type::string)
                        counters.response_peers += doc[*p].value_size / 6;
                    if (auto p = doc.find(0, "peers6"); p && doc[*p].type == proto::bencode::Type::string)
                        counters.response_peers += doc[*p].value_size / 18;
                }
            }
        }
        c.received = 0;
        ++c.answered;
        if (!head.keep_alive || peer_closed) {
            close(c);
            return false;
        }
        c.state = State::idle;
        return true;
    }
}

void HttpWorker::run(std::uint64_t start_ns, std::uint64_t end_ns, WorkerResult& out) {
    Counters& counters = out.counters;
    const ThreadCpu cpu0 = thread_cpu();
    Pacer pacer(config_.rate / config_.workers, start_ns);
    const std::uint64_t timeout = std::uint64_t{config_.timeout_ms} * 1'000'000u;
    std::vector<std::uint32_t> idle;  // open loop: connections ready for the next due request
    idle.reserve(connections_.size());
    for (auto& c : connections_) connect(c, counters);
    bool first_connect = true;  // reconnects after the first round are what the report counts
    std::array<epoll_event, kEvents> events;
    std::uint64_t next_expire = start_ns + kExpireEveryNs;
    std::uint64_t now = now_ns();

    auto ready = [&](Connection& c) {
        // A connection with nothing in flight: closed loop sends at once, open loop waits its turn.
        if (config_.fill && c.peers.next_fill >= c.peers.count) return;
        if (pacer.open_loop())
            idle.push_back(static_cast<std::uint32_t>(&c - connections_.data()));
        else
            send_request(c, now, counters);
    };

    while (now < end_ns) {
        std::uint64_t wake = next_expire < end_ns ? next_expire : end_ns;
        if (pacer.open_loop() && pacer.due_ns() < wake) wake = pacer.due_ns();
        const int wait_ms = wake > now ? static_cast<int>((wake - now + 999'999) / 1'000'000) : 0;
        const int n = ::epoll_wait(epoll_, events.data(), kEvents, wait_ms);
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
                    close(c);
                    continue;
                }
                epoll_event ev{};
                ev.events = EPOLLIN | EPOLLRDHUP;
                ev.data.u32 = events[i].data.u32;
                ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
                c.state = State::idle;
                if (c.retry_ns != 0) {
                    const std::uint64_t due = c.retry_ns;
                    c.retry_ns = 0;
                    send_request(c, due, counters);
                } else {
                    ready(c);
                }
                continue;
            }
            if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                const bool peer_closed = (events[i].events & (EPOLLRDHUP | EPOLLHUP)) != 0;
                if (on_readable(c, now, peer_closed, out) && c.state == State::idle) ready(c);
            }
        }
        // Closed connections come back; the first round of connects is not a reconnect.
        for (auto& c : connections_) {
            if (c.state != State::closed) continue;
            if (config_.fill && c.peers.next_fill >= c.peers.count && c.retry_ns == 0) continue;
            if (!first_connect) ++counters.reconnects;
            connect(c, counters);
        }
        first_connect = false;
        if (pacer.open_loop()) {
            std::uint64_t scheduled = 0;
            while (pacer.take(now, scheduled)) {
                bool sent = false;
                while (!idle.empty() && !sent) {
                    Connection& c = connections_[idle.back()];
                    idle.pop_back();
                    if (c.state == State::idle) sent = send_request(c, scheduled, counters);
                }
                if (!sent) ++counters.unsent;
            }
        }
        if (now >= next_expire) {
            for (auto& c : connections_) {
                if (c.state == State::waiting && now - c.sent_ns >= timeout) {
                    ++counters.timeouts[static_cast<std::size_t>(c.kind)];
                    close(c);
                }
            }
            next_expire = now + kExpireEveryNs;
        }
        if (config_.fill) {
            bool done = true;
            for (const auto& c : connections_)
                done = done && c.peers.next_fill >= c.peers.count && c.state != State::waiting;
            if (done) break;
        }
    }
    for (const auto& c : connections_) counters.outstanding_at_end += c.state == State::waiting ? 1 : 0;
    const ThreadCpu cpu1 = thread_cpu();
    out.cpu_user_ns = cpu1.user_ns - cpu0.user_ns;
    out.cpu_sys_ns = cpu1.sys_ns - cpu0.sys_ns;
    out.wall_ns = now_ns() - start_ns;
}

}  // namespace swarmline::loadgen
