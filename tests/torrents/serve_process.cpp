#include "serve_process.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>

namespace swarmline::control::test {

namespace bhttp = boost::beast::http;

std::string ServeProcess::start(const std::string& database_url, const std::vector<std::string>& args) {
    const char* bin = std::getenv("SWARMLINE_CONTROL_BIN");
    if (!bin) return "SWARMLINE_CONTROL_BIN is unset (meson test sets it)";
    std::vector<std::string> argv{bin, "serve", "--database-url", database_url, "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    if (auto err = child_.start(argv); !err.empty()) return err;
    constexpr std::string_view kServing = "swarmline-control serving";
    if (!wait_for_log(kServing)) return "serve did not start; its log:\n" + log();
    // ... msg="swarmline-control serving" version=... listen=127.0.0.1:PORT ...
    const std::string& out = log();
    const auto at = out.find(" listen=127.0.0.1:", out.find(kServing));
    if (at == std::string::npos) return "serve did not say its port; its log:\n" + out;
    port_ = static_cast<std::uint16_t>(std::strtoul(out.c_str() + at + 18, nullptr, 10));
    return "";
}

std::string ServeProcess::get(const std::string& target) const {
    try {
        boost::asio::io_context io;
        boost::beast::tcp_stream stream(io);
        stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
        bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
        req.set(bhttp::field::host, "127.0.0.1");
        bhttp::write(stream, req);
        boost::beast::flat_buffer buf;
        bhttp::response<bhttp::string_body> res;
        bhttp::read(stream, buf, res);
        return res.body();
    } catch (const std::exception&) {
        return "";
    }
}

}  // namespace swarmline::control::test
