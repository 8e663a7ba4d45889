#include "torrents_fixture.hpp"

#include <fstream>
#include <iterator>

#include "services/app.hpp"

namespace swarmline::control::test {

void TorrentsTest::SetUp() {
    ControlTest::SetUp();
    if (IsSkipped()) return;
    configure();
    if (HasFatalFailure()) return;
    member_id_ = make_user("member1", "Member");
    power_id_ = make_user("power1", "Power User");
    uploader_id_ = make_user("uploader1", "Uploader");
    moderator_id_ = make_user("mod1", "Moderator");
    member_ = login("member1");
    power_ = login("power1");
    uploader_ = login("uploader1");
    moderator_ = login("mod1");
}

std::string TorrentsTest::sample(const std::string& file) {
    std::ifstream in(std::string(SWARMLINE_TORRENT_SAMPLES) + "/" + file, std::ios::binary);
    EXPECT_TRUE(in) << file;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string TorrentsTest::make_v1(const std::string& name, std::uint64_t length, const std::string& file_ext) {
    constexpr std::uint64_t kPiece = 16384;
    const auto pieces = (length + kPiece - 1) / kPiece;
    std::string hashes(pieces * 20, '\0');
    for (std::size_t i = 0; i < hashes.size(); ++i) hashes[i] = static_cast<char>((i * 31 + name.size()) & 0xff);
    const std::string file = name + file_ext;
    return "d8:announce22:http://example.org/ann4:infod6:lengthi" + std::to_string(length) + "e4:name" +
           std::to_string(file.size()) + ":" + file + "12:piece lengthi" + std::to_string(kPiece) + "e6:pieces" +
           std::to_string(hashes.size()) + ":" + hashes + "ee";
}

Reply TorrentsTest::upload(const std::string& token, const std::string& torrent, const std::string& category,
                           const std::map<std::string, std::string>& fields) {
    const std::string boundary = "----swarmlineTestBoundary7MA4YWxk";
    std::string body;
    const auto field = [&](const std::string& name, const std::string& value, const char* filename) {
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"";
        if (filename) body += std::string("; filename=\"") + filename + "\"\r\nContent-Type: application/x-bittorrent";
        body += "\r\n\r\n" + value + "\r\n";
    };
    field("torrent", torrent, "upload.torrent");
    field("category", category, nullptr);
    for (const auto& [k, v] : fields) field(k, v, nullptr);
    body += "--" + boundary + "--\r\n";
    http::Request req;
    req.method = "POST";
    req.path = "/api/v1/torrents";
    req.body = std::move(body);
    req.remote_ip = "127.0.0.1";
    req.request_id = "test";
    req.headers.emplace_back("content-type", "multipart/form-data; boundary=" + boundary);
    req.headers.emplace_back("authorization", "Bearer " + token);
    auto res = app().handle(req);
    return {res.status, res.body, res.headers};
}

Reply TorrentsTest::moderate(const std::string& id, const std::string& action, const std::string& reason) {
    std::string body = R"({"action":")" + action + "\"";
    if (!reason.empty()) body += R"(,"reason":")" + reason + "\"";
    return call("POST", "/api/v1/torrents/" + id + "/moderation", body + "}", moderator_);
}

proto::torrent::Torrent TorrentsTest::parse(const std::string& bytes) {
    proto::torrent::Torrent t;
    const auto e = proto::torrent::parse(bytes, t);
    EXPECT_TRUE(e.ok()) << (e.step ? e.step : "");
    return t;
}

}  // namespace swarmline::control::test
