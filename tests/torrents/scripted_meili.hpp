// A stand-in for Meilisearch on loopback (it is not in Debian): scripted answers, and a record of
// every request, so tests check the batches the search index queue sends and its retries.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace swarmline::control::test {

// Answers every request with `status` (503 instead while `unavailable` is above zero, counting it
// down), one connection per request, and records what it got.
class ScriptedMeili {
    using tcp = boost::asio::ip::tcp;
public:
    struct Seen {
        std::string target, body, authorization;
    };
    ScriptedMeili() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    ~ScriptedMeili() {
        stop_ = true;
        tcp::socket wake(io_);
        boost::system::error_code ec;
        wake.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::atomic<unsigned> status{202};
    std::atomic<unsigned> unavailable{0};
    std::vector<Seen> seen() {
        std::lock_guard lock(mu_);
        return seen_;
    }

private:
    void serve() {
        while (!stop_) {
            tcp::socket s(io_);
            boost::system::error_code ec;
            acceptor_.accept(s, ec);
            if (ec || stop_) continue;
            boost::beast::flat_buffer buf;
            boost::beast::http::request<boost::beast::http::string_body> req;
            boost::beast::http::read(s, buf, req, ec);
            if (ec) continue;
            {
                std::lock_guard lock(mu_);
                seen_.push_back({std::string(req.target()), req.body(), std::string(req[boost::beast::http::field::authorization])});
            }
            unsigned code = status.load();
            for (unsigned left = unavailable.load(); left > 0; left = unavailable.load())
                if (unavailable.compare_exchange_weak(left, left - 1)) {
                    code = 503;
                    break;
                }
            boost::beast::http::response<boost::beast::http::string_body> res{static_cast<boost::beast::http::status>(code), 11};
            res.body() = R"({"taskUid":1})";
            res.prepare_payload();
            boost::beast::http::write(s, res, ec);
        }
    }
    boost::asio::io_context io_;
    tcp::acceptor acceptor_;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::vector<Seen> seen_;
    std::thread thread_;
};

}  // namespace swarmline::control::test
