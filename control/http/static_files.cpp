#include "http/static_files.hpp"

#include <fstream>
#include <sstream>

namespace swarmline::http {

namespace {

std::string_view content_type(const std::filesystem::path& p) {
    const auto ext = p.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".js") return "text/javascript; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".yaml") return "application/yaml";
    return "application/octet-stream";
}

}  // namespace

std::optional<Response> StaticFiles::get(std::string_view path) const {
    auto decoded = url_decode(path, false);
    if (!decoded || decoded->empty() || (*decoded)[0] != '/' || decoded->find('\0') != std::string::npos)
        return std::nullopt;
    std::filesystem::path rel;
    std::string_view rest = std::string_view(*decoded).substr(1);
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto seg = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (seg == "..") return std::nullopt;
        if (seg.empty() || seg == ".") continue;
        rel /= std::string(seg);
    }
    auto file = root_ / rel;
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) file /= "index.html";
    if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream body;
    body << in.rdbuf();
    Response r;
    r.content_type = std::string(content_type(file));
    r.body = body.str();
    r.headers.emplace_back("Cache-Control", "no-cache");
    // The UI loads only its own files and is never framed (clickjacking).
    r.headers.emplace_back("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    return r;
}

}  // namespace swarmline::http
