// http::Server with handlers of the test's own (no database): the I/O threads keep answering while
// every worker is busy, concurrent keep-alive clients each get their own responses, and an idle
// keep-alive connection is closed by the server.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/server.hpp"

using namespace swarmline;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Connection {
    asio::io_context ioc;
    tcp::socket socket{ioc};
    boost::beast::flat_buffer buffer;
    explicit Connection(std::uint16_t port) { socket.connect({asio::ip::make_address("127.0.0.1"), port}); }

    bhttp::response<bhttp::string_body> get(const std::string& target, const std::string& body = "") {
        bhttp::request<bhttp::string_body> req{body.empty() ? bhttp::verb::get : bhttp::verb::post, target, 11};
        req.set(bhttp::field::host, "127.0.0.1");
        req.body() = body;
        req.prepare_payload();
        bhttp::write(socket, req);
        bhttp::response<bhttp::string_body> res;
        bhttp::read(socket, buffer, res);
        return res;
    }
};

// A gate the handlers wait at until the test opens it.
class Gate {
public:
    void wait_open() {
        std::unique_lock lock(mu_);
        ++waiting_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return open_; });
    }
    void wait_for_waiters(int n) {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return waiting_ >= n; });
    }
    void open() {
        std::lock_guard lock(mu_);
        open_ = true;
        cv_.notify_all();
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    int waiting_ = 0;
    bool open_ = false;
};

http::Response echo(http::Request& req) {
    auto r = http::Response::json("{\"path\":\"" + req.path + "\"}");
    return r;
}

}  // namespace

TEST(Server, IoThreadsAnswerWhileEveryWorkerIsBusy) {
    Gate gate;
    http::ServerConfig cfg;
    cfg.port = 0;
    cfg.worker_threads = 2;
    cfg.body_limit = 100;
    http::Server server(cfg, [&](http::Request& req) {
        if (req.path == "/block") gate.wait_open();
        return echo(req);
    });
    server.start();

    std::vector<std::thread> blocked;
    std::vector<unsigned> statuses(2);
    for (int i = 0; i < 2; ++i)
        blocked.emplace_back([&, i] { statuses[i] = Connection(server.port()).get("/block").result_int(); });
    gate.wait_for_waiters(2);  // both workers are now inside a handler

    // Refused by the I/O thread itself: no worker is needed to answer.
    auto res = Connection(server.port()).get("/x", std::string(1000, 'x'));
    EXPECT_EQ(res.result_int(), 413);

    gate.open();
    for (auto& t : blocked) t.join();
    EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200}));
    server.stop();
}

TEST(Server, ConcurrentKeepAliveClientsGetTheirOwnResponses) {
    http::ServerConfig cfg;
    cfg.port = 0;
    cfg.io_threads = 2;
    cfg.worker_threads = 3;
    http::Server server(cfg, echo);
    server.start();
    constexpr int kClients = 8;
    constexpr int kRequests = 25;
    std::vector<int> good(kClients, 0);
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&, c] {
            Connection conn(server.port());
            for (int i = 0; i < kRequests; ++i) {
                const std::string path = "/c" + std::to_string(c) + "/r" + std::to_string(i);
                auto res = conn.get(path);
                if (res.result_int() == 200 && res.body() == "{\"path\":\"" + path + "\"}") ++good[c];
            }
        });
    }
    for (auto& t : clients) t.join();
    for (int c = 0; c < kClients; ++c) EXPECT_EQ(good[c], kRequests) << "client " << c;
    EXPECT_EQ(server.stats().connections.load(), static_cast<std::uint64_t>(kClients));
    server.stop();
}

TEST(Server, IdleKeepAliveConnectionIsClosedByTheServer) {
    http::ServerConfig cfg;
    cfg.port = 0;
    cfg.idle_timeout = std::chrono::seconds(1);
    http::Server server(cfg, echo);
    server.start();
    Connection conn(server.port());
    EXPECT_EQ(conn.get("/first").result_int(), 200);
    // Nothing more is sent; the read returns when the server closes the connection.
    char byte;
    boost::system::error_code ec;
    conn.socket.read_some(asio::buffer(&byte, 1), ec);
    EXPECT_EQ(ec, asio::error::eof);
    server.stop();
}
