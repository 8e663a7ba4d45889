// POST /api/v1/torrents: the upload form (multipart/form-data): a `torrent` file part and the
// metadata fields of UploadForm, each a plain form field.
#include <charconv>

#include "http/api_error.hpp"
#include "http/json_writer.hpp"
#include "services/torrents/multipart.hpp"
#include "services/torrents/torrent_routes.hpp"
#include "services/torrents/torrent_upload.hpp"

namespace swarmline::control {

using http::ApiError;
using http::Response;
using namespace torrents;

namespace {

std::int64_t form_int(std::string_view name, std::string_view text) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size())
        throw ApiError::invalid("'" + std::string(name) + "' must be an integer");
    return v;
}

bool form_bool(std::string_view text) { return text == "1" || text == "true" || text == "on" || text == "yes"; }

std::vector<std::string> split_tags(std::string_view text) {
    std::vector<std::string> tags;
    std::string cur;
    for (char ch : text) {
        if (ch == ',' || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            if (!cur.empty()) tags.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += ch;
        }
    }
    if (!cur.empty()) tags.push_back(std::move(cur));
    return tags;
}

UploadForm read_form(const http::Request& req) {
    const auto boundary = form_boundary(req.header("content-type"));
    if (!boundary) throw ApiError::bad_request("send multipart/form-data with the .torrent file in a 'torrent' part");
    const auto parts = parse_form(req.body, *boundary);
    if (!parts) throw ApiError::bad_request("the multipart/form-data body is malformed");
    UploadForm f;
    bool has_torrent = false, has_category = false;
    for (const auto& p : *parts) {
        const std::string value(p.data);
        const auto text = [&](std::size_t max) {
            if (value.size() > max)
                throw ApiError::invalid("'" + std::string(p.name) + "' is longer than " + std::to_string(max) + " bytes");
            return value;
        };
        const auto opt = [&](std::size_t max) { return value.empty() ? std::nullopt : std::optional(text(max)); };
        const auto num = [&]() { return value.empty() ? std::nullopt : std::optional(form_int(p.name, value)); };
        if (p.name == "torrent") {
            f.torrent = value;
            has_torrent = true;
        } else if (p.name == "category") {
            f.category = text(64);
            has_category = true;
        } else if (p.name == "name") f.name = opt(512);
        else if (p.name == "description") f.description = text(65536);
        else if (p.name == "nfo") f.nfo = opt(65536);
        else if (p.name == "mediainfo") f.mediainfo = opt(262144);
        else if (p.name == "anonymous") f.anonymous = form_bool(value);
        else if (p.name == "media_type") f.media_type = opt(16);
        else if (p.name == "resolution") f.resolution = opt(32);
        else if (p.name == "video_codec") f.video_codec = opt(32);
        else if (p.name == "audio_codec") f.audio_codec = opt(32);
        else if (p.name == "source") f.source = opt(32);
        else if (p.name == "container") f.container = opt(32);
        else if (p.name == "hdr_format") f.hdr_format = opt(32);
        else if (p.name == "release_group") f.release_group = opt(64);
        else if (p.name == "imdb_id") f.imdb_id = opt(16);
        else if (p.name == "tmdb_id") f.tmdb_id = num();
        else if (p.name == "year") f.year = num();
        else if (p.name == "season_number") f.season_number = num();
        else if (p.name == "episode_number") f.episode_number = num();
        else if (p.name == "tags") f.tags = split_tags(text(4096));
        else throw ApiError::invalid("unknown form field '" + std::string(p.name) + "'");
    }
    if (!has_torrent) throw ApiError::invalid("the form has no 'torrent' file part");
    if (!has_category) throw ApiError::invalid("the form has no 'category' field");
    return f;
}

}  // namespace

Response post_torrent(Ctx& c) {
    const auto form = read_form(c.req);
    const auto r = upload_torrent(c.db(), form, Actor{c.me(), c.req.remote_ip, c.req.request_id}, false);
    http::JsonWriter w;
    w.begin_object().field("id", r.id).field("tracker_id", r.tracker_id).field("status", r.status);
    w.field("name", r.name).field("info_hash", r.info_hash).key("info_hash_v2");
    r.info_hash_v2.empty() ? w.null() : w.value(r.info_hash_v2);
    w.field("size", static_cast<std::uint64_t>(r.size)).field("file_count", static_cast<std::uint64_t>(r.file_count));
    w.field("download_url", "/api/v1/torrents/" + r.id + "/download").end_object();
    return Response::json(w.take(), 201);
}

}  // namespace swarmline::control
