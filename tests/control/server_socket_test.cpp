// The real server on a loopback socket: keep-alive, limits, the error shape, request ids, cookies,
// /health and /metrics. Requests go through Boost.Beast's client over real TCP connections.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "control_fixture.hpp"
#include "http/server.hpp"

using namespace swarmline;
using swarmline::control::test::ControlTest;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// One client connection; requests on it share the connection (keep-alive) until the server closes.
class Client {
public:
    explicit Client(std::uint16_t port) : socket_(ioc_) { socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)); }

    bhttp::response<bhttp::string_body> send(bhttp::request<bhttp::string_body> req) {
        req.version(11);
        req.set(bhttp::field::host, "127.0.0.1");
        req.prepare_payload();
        bhttp::write(socket_, req);
        return read();
    }
    bhttp::response<bhttp::string_body> read() {
        bhttp::response<bhttp::string_body> res;
        bhttp::read(socket_, buffer_, res);
        return res;
    }
    tcp::socket& socket() { return socket_; }

private:
    asio::io_context ioc_;
    tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

bhttp::request<bhttp::string_body> request(bhttp::verb verb, const std::string& target, const std::string& body = "") {
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.body() = body;
    return req;
}

std::string field(const bhttp::response<bhttp::string_body>& res, std::string_view name) {
    const auto it = res.find(boost::beast::string_view(name.data(), name.size()));
    return it == res.end() ? std::string() : std::string(it->value().data(), it->value().size());
}

class ServerSocket : public ControlTest {
protected:
    void start(http::ServerConfig cfg = {}) {
        cfg.port = 0;
        cfg.worker_threads = 2;
        server_ = std::make_unique<http::Server>(cfg, [this](http::Request& req) { return app().handle(req); });
        server_->start();
        port_ = server_->port();
    }
    void TearDown() override {
        if (server_) server_->stop();
        ControlTest::TearDown();
    }
    std::unique_ptr<http::Server> server_;
    std::uint16_t port_ = 0;
};

}  // namespace

TEST_F(ServerSocket, KeepAliveLoginCookieAndRequestIds) {
    make_user("sock");
    start();
    Client c(port_);
    auto health = c.send(request(bhttp::verb::get, "/health"));
    EXPECT_EQ(health.result_int(), 200);
    EXPECT_EQ(health.body(), R"({"status":"ok","database":"ok"})");

    auto req = request(bhttp::verb::post, "/api/v1/auth/login", R"({"username":"sock","password":"correct-horse-1"})");
    req.set("X-Request-Id", "trace-42");
    auto login = c.send(std::move(req));  // same connection: keep-alive
    ASSERT_EQ(login.result_int(), 200) << login.body();
    EXPECT_EQ(field(login, "X-Request-Id"), "trace-42");
    const auto cookie = field(login, "Set-Cookie");
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);

    auto me = request(bhttp::verb::get, "/api/v1/me");
    me.set(bhttp::field::cookie, cookie.substr(0, cookie.find(';')));
    auto res = c.send(std::move(me));
    EXPECT_EQ(res.result_int(), 200) << res.body();
    EXPECT_NE(res.body().find("\"username\":\"sock\""), std::string::npos);
    EXPECT_EQ(field(res, "X-Request-Id").size(), 21u) << "generated when the client sent none";

    auto metrics = c.send(request(bhttp::verb::get, "/metrics"));
    EXPECT_NE(metrics.body().find(R"(swarmline_http_requests_total{method="POST",route="/api/v1/auth/login",status="200"} 1)"),
              std::string::npos)
        << metrics.body();
}

TEST_F(ServerSocket, ErrorsHaveOneShape) {
    start();
    Client c(port_);
    auto res = c.send(request(bhttp::verb::get, "/api/v1/no/such/route"));
    EXPECT_EQ(res.result_int(), 404);
    EXPECT_EQ(res.body(), R"({"error":{"code":"not_found","message":"no route for GET /api/v1/no/such/route"}})");
    EXPECT_EQ(field(res, "Content-Type"), "application/json");

    res = c.send(request(bhttp::verb::post, "/api/v1/auth/login", "{\"username\": "));
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_NE(res.body().find(R"({"error":{"code":"bad_json","message":")"), std::string::npos) << res.body();

    res = c.send(request(bhttp::verb::delete_, "/api/v1/auth/login"));
    EXPECT_EQ(res.result_int(), 405);
    EXPECT_NE(res.body().find("method_not_allowed"), std::string::npos);

    res = c.send(request(bhttp::verb::get, "/api/v1/me"));
    EXPECT_EQ(res.result_int(), 401);
    EXPECT_NE(res.body().find(R"("code":"unauthorized")"), std::string::npos);
}

TEST_F(ServerSocket, OversizedBodyAndHeadersAreRefused) {
    http::ServerConfig cfg;
    cfg.body_limit = 1024;
    cfg.header_limit = 2048;
    start(cfg);
    {
        Client c(port_);
        auto res = c.send(request(bhttp::verb::post, "/api/v1/auth/login", std::string(4096, 'x')));
        EXPECT_EQ(res.result_int(), 413);
        EXPECT_EQ(res.body(), R"({"error":{"code":"body_too_large","message":"request body exceeds 1024 bytes"}})");
        EXPECT_FALSE(res.keep_alive());
    }
    {
        Client c(port_);
        auto req = request(bhttp::verb::get, "/health");
        req.set("X-Filler", std::string(4096, 'y'));
        auto res = c.send(std::move(req));
        EXPECT_EQ(res.result_int(), 431);
        EXPECT_NE(res.body().find(R"("code":"headers_too_large")"), std::string::npos);
    }
    {
        Client c(port_);  // the server is still serving
        EXPECT_EQ(c.send(request(bhttp::verb::get, "/health")).result_int(), 200);
    }
}

TEST_F(ServerSocket, HeadHasTheHeadersOfGetAndNoBody) {
    start();
    Client c(port_);
    auto req = request(bhttp::verb::head, "/health");
    req.version(11);
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(c.socket(), req);
    boost::beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::empty_body> parser;
    parser.skip(true);  // a response to HEAD has no body, whatever its Content-Length says
    bhttp::read_header(c.socket(), buffer, parser);
    EXPECT_EQ(parser.get().result_int(), 200);
    EXPECT_EQ(parser.get()[bhttp::field::content_length], "31");
    // The connection is still in step: the next response is the next request's.
    auto next = request(bhttp::verb::get, "/api/v1/nope");
    next.set(bhttp::field::host, "127.0.0.1");
    next.prepare_payload();
    bhttp::write(c.socket(), next);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(c.socket(), buffer, res);
    EXPECT_EQ(res.result_int(), 404);
}

TEST_F(ServerSocket, MalformedRequestIsAnsweredAndClosed) {
    start();
    Client c(port_);
    const std::string garbage = "NOT-HTTP\r\n\r\n";
    asio::write(c.socket(), asio::buffer(garbage));
    auto res = c.read();
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_NE(res.body().find(R"("code":"malformed_request")"), std::string::npos);
}
