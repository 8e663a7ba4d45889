// Adding a .torrent to the site, shared by the upload route and `swarmline-control torrent add`:
// the file is parsed with the protocol library, rewritten with private=1 and the site's source
// (so the stored info_hash is the one members' clients will announce) and without any announce
// URL (each download gets its member's own), then stored with its file list, tags and the
// moderation queue entry when the uploader's group needs approval.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/pg_pool.hpp"
#include "services/torrents/torrent_journal.hpp"

namespace swarmline::control::torrents {

// Larger .torrent files are refused (413): with the form's other fields they stay under the
// control server's 1 MiB body limit.
inline constexpr std::size_t kMaxTorrentBytes = 960 * 1024;

struct UploadForm {
    std::string torrent;   // the .torrent file's bytes
    std::string category;  // slug or numeric id
    std::optional<std::string> name;  // default: the torrent's own name
    std::string description;
    std::optional<std::string> nfo;
    std::optional<std::string> mediainfo;  // the MediaInfo text report of the main file
    bool anonymous = false;
    std::optional<std::string> media_type, resolution, video_codec, audio_codec, source, container, hdr_format,
        release_group, imdb_id;
    std::optional<std::int64_t> year, tmdb_id, season_number, episode_number;
    std::vector<std::string> tags;
};

struct UploadResult {
    std::string id;
    std::int64_t tracker_id = 0;
    std::string status;  // approved | pending
    std::string info_hash;     // hex of the 20-byte key (v1, or the truncated v2 of a v2-only torrent)
    std::string info_hash_v2;  // hex of the SHA-256; empty for v1-only torrents
    std::string name;
    std::uint64_t size = 0;
    std::size_t file_count = 0;
};

// Stores the torrent. `uploader_id` empty: added by the site (the CLI). `approve`: approved at once
// whatever the uploader's group says (the operator's CLI). Throws http::ApiError with the reason
// (invalid_torrent 422, torrent_too_large 413, duplicate_torrent 409, invalid_field 422).
UploadResult upload_torrent(PgConn& db, const UploadForm& form, const Actor& who, bool approve);

}  // namespace swarmline::control::torrents
