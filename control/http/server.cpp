#include "http/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>
#include <random>
#include <system_error>
#include <thread>
#include <vector>

#include "base/log.hpp"
#include "swarmline_version.hpp"

namespace swarmline::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// A client-supplied X-Request-Id is kept only when it is short and made of safe characters, since
// it is copied into logs and response headers.
bool acceptable_request_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
    return true;
}

class RequestIds {
public:
    RequestIds() {
        std::random_device rd;
        prefix_ = (static_cast<std::uint64_t>(rd()) << 32 | rd()) & 0xffffffffffffULL;
    }
    std::string next() {
        // Relaxed: ids need only be unique, not ordered with anything else.
        const auto n = counter_.fetch_add(1, std::memory_order_relaxed);
        char buf[40];
        std::snprintf(buf, sizeof buf, "%012llx-%08llx", static_cast<unsigned long long>(prefix_),
                      static_cast<unsigned long long>(n));
        return buf;
    }

private:
    std::uint64_t prefix_;
    std::atomic<std::uint64_t> counter_{0};
};

std::string to_text(std::uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

}  // namespace

struct Server::Impl {
    ServerConfig config;
    RequestHandler handler;
    asio::io_context ioc;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    tcp::acceptor acceptor{ioc};
    asio::thread_pool workers;
    std::vector<std::thread> io_threads;
    ServerStats stats;
    RequestIds ids;
    std::atomic<bool> stopped{false};

    Impl(ServerConfig c, RequestHandler h)
        : config(std::move(c)), handler(std::move(h)), workers(config.worker_threads ? config.worker_threads : 1) {}

    void do_accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {
        beast::error_code ec;
        auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ip_ = ep.address().to_string();
    }

    void start() {
        asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read_next, shared_from_this()));
    }

private:
    void read_next() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_.config.header_limit));
        parser_->body_limit(server_.config.body_limit);
        // The first request of a connection gets the read timeout; later ones wait idle first.
        stream_.expires_after(first_ ? server_.config.read_timeout : server_.config.idle_timeout);
        first_ = false;
        bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == bhttp::error::end_of_stream) return close();
        if (ec == beast::error::timeout) {
            server_.stats.timeouts.fetch_add(1, std::memory_order_relaxed);
            return close();
        }
        if (ec == bhttp::error::body_limit) {
            server_.stats.rejected_oversized.fetch_add(1, std::memory_order_relaxed);
            return reject(413, "body_too_large",
                          "request body exceeds " + to_text(server_.config.body_limit) + " bytes");
        }
        if (ec == bhttp::error::header_limit) {
            server_.stats.rejected_oversized.fetch_add(1, std::memory_order_relaxed);
            return reject(431, "headers_too_large",
                          "request headers exceed " + to_text(server_.config.header_limit) + " bytes");
        }
        if (ec == asio::error::operation_aborted || ec == asio::error::eof || ec == asio::error::connection_reset)
            return close();
        if (ec) {
            server_.stats.rejected_malformed.fetch_add(1, std::memory_order_relaxed);
            return reject(400, "malformed_request", ec.message());
        }
        stream_.expires_never();  // the handler's time is not the client's; the write sets its own

        auto msg = parser_->release();
        Request req;
        req.method.assign(msg.method_string().data(), msg.method_string().size());
        const std::string_view target(msg.target().data(), msg.target().size());
        const auto q = target.find('?');
        req.path = std::string(target.substr(0, q));
        if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
        req.headers.reserve(16);
        for (const auto& field : msg) {
            std::string name(field.name_string().data(), field.name_string().size());
            for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            req.headers.emplace_back(std::move(name), std::string(field.value().data(), field.value().size()));
        }
        req.body = std::move(msg.body());
        req.remote_ip = remote_ip_;
        const std::string_view given = req.header("x-request-id");
        req.request_id = acceptable_request_id(given) ? std::string(given) : server_.ids.next();
        keep_alive_ = msg.keep_alive();
        version_ = msg.version();
        head_ = msg.method() == bhttp::verb::head;

        asio::post(server_.workers, [self = shared_from_this(), req = std::move(req)]() mutable {
            const auto t0 = std::chrono::steady_clock::now();
            Response res;
            try {
                res = self->server_.handler(req);
            } catch (const std::exception& e) {
                log::error("handler escaped with an exception", {{"rid", req.request_id}, {"what", e.what()}});
                res = Response::error(500, "internal", "internal error");
            }
            const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
            const std::string status = to_text(res.status);
            const std::string ms = to_text(static_cast<std::uint64_t>(us.count() / 1000));
            log::info("http", {{"rid", req.request_id}, {"ip", req.remote_ip}, {"method", req.method},
                               {"path", req.path}, {"status", status}, {"ms", ms}});
            asio::post(self->stream_.get_executor(),
                       [self, res = std::move(res), rid = std::move(req.request_id)]() mutable {
                           self->write(std::move(res), rid);
                       });
        });
    }

    void reject(unsigned status, std::string_view code, const std::string& message) {
        keep_alive_ = false;
        head_ = false;
        const std::string rid = server_.ids.next();
        log::info("http rejected", {{"rid", rid}, {"ip", remote_ip_}, {"code", code}});
        write(Response::error(status, code, message), rid);
    }

    void write(Response res, const std::string& request_id) {
        auto out = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(res.status), version_);
        out->set(bhttp::field::server, "swarmline-control/" SWARMLINE_VERSION);
        if (!res.content_type.empty()) out->set(bhttp::field::content_type, res.content_type);
        out->set("X-Request-Id", request_id);
        out->set("X-Content-Type-Options", "nosniff");
        for (auto& [name, value] : res.headers) out->insert(name, value);
        out->body() = std::move(res.body);
        out->keep_alive(keep_alive_);
        out->prepare_payload();
        if (head_) {
            // HEAD: the headers of the GET, Content-Length included, and no body (RFC 9110 9.3.2).
            const auto length = out->body().size();
            out->body().clear();
            out->content_length(length);
        }
        stream_.expires_after(server_.config.write_timeout);
        bhttp::async_write(stream_, *out,
                           [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
                               if (ec || !self->keep_alive_ || self->server_.stopped.load(std::memory_order_relaxed))
                                   return self->close();
                               self->read_next();
                           });
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    Server::Impl& server_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::string remote_ip_;
    bool keep_alive_ = false;
    bool head_ = false;
    unsigned version_ = 11;
    bool first_ = true;
};

}  // namespace

void Server::Impl::do_accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec == asio::error::operation_aborted || stopped.load(std::memory_order_relaxed)) return;
            log::warn("accept failed", {{"error", ec.message()}});
        } else {
            stats.connections.fetch_add(1, std::memory_order_relaxed);
            std::make_shared<Session>(std::move(socket), *this)->start();
        }
        do_accept();
    });
}

Server::Server(ServerConfig config, RequestHandler handler)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(handler))) {}

Server::~Server() { stop(); }

void Server::start() {
    auto& s = *impl_;
    const tcp::endpoint ep(asio::ip::make_address(s.config.address), s.config.port);
    s.acceptor.open(ep.protocol());
    s.acceptor.set_option(asio::socket_base::reuse_address(true));
    s.acceptor.bind(ep);
    s.acceptor.listen(asio::socket_base::max_listen_connections);
    s.work.emplace(s.ioc.get_executor());
    s.do_accept();
    const unsigned n = s.config.io_threads ? s.config.io_threads : 1;
    for (unsigned i = 0; i < n; ++i) s.io_threads.emplace_back([&s] { s.ioc.run(); });
}

void Server::stop() {
    auto& s = *impl_;
    if (s.stopped.exchange(true)) return;
    // Running handlers finish; their responses are dropped with the io_context.
    s.workers.join();
    s.work.reset();
    s.ioc.stop();
    for (auto& t : s.io_threads) t.join();
    s.io_threads.clear();
    beast::error_code ec;
    s.acceptor.close(ec);  // no I/O thread runs any more, so the acceptor is ours to touch
}

std::uint16_t Server::port() const noexcept {
    beast::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

const ServerStats& Server::stats() const noexcept { return impl_->stats; }

}  // namespace swarmline::http
