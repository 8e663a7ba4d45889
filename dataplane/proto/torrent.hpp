// .torrent metainfo files: v1 (BEP 3), v2 (BEP 52) and hybrid (both in one info dict). The
// info_hash is computed over the exact bytes of the `info` dictionary as uploaded: SHA-1 for v1,
// SHA-256 for v2. This serves the control process (uploads, downloads with the user's passkey
// written in), not the announce path, so it allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/types.hpp"

namespace swarmline::proto::torrent {

using Sha256 = std::array<std::uint8_t, 32>;

struct File {
    // Where a client saves it: {name} for a single-file torrent, {name, dir..., file} otherwise.
    std::vector<std::string> path;
    std::uint64_t length = 0;
    bool pad = false;          // a v1 padding file (BEP 47 attr "p"), inserted by hybrid torrents
    Sha256 pieces_root{};      // v2, non-empty files only
};

struct Torrent {
    bool has_v1 = false;       // pieces + length/files
    bool has_v2 = false;       // meta version 2 + file tree
    InfoHash info_hash_v1{};   // SHA-1 of the info dict (v1 or hybrid)
    Sha256 info_hash_v2{};     // SHA-256 of the info dict (v2 or hybrid)
    std::string name;
    std::uint64_t piece_length = 0;
    std::uint64_t piece_count = 0;  // v1: pieces/20; v2-only: sum over files of their pieces
    std::uint64_t total_size = 0;   // without padding files
    std::vector<File> files;        // v1 order (with padding files), or the v2 file tree's order
    bool is_private = false;
    std::string source;
    std::string announce;
    std::vector<std::vector<std::string>> announce_list;  // tiers of URLs (BEP 12)
    std::string comment;
    std::string created_by;
    std::int64_t creation_date = 0;

    [[nodiscard]] bool hybrid() const noexcept { return has_v1 && has_v2; }
    // The v2 hash as trackers key it (BEP 52: truncated to 20 bytes).
    [[nodiscard]] InfoHash info_hash_v2_truncated() const noexcept;
};

struct Limits {
    std::size_t max_size = std::size_t{16} << 20;  // uploads larger than this are refused
    std::size_t max_files = 100000;
    std::size_t max_path_depth = 64;
};

struct Error {
    const char* step = nullptr;  // null on success
    std::size_t offset = 0;      // byte offset in the input where it was found
    [[nodiscard]] bool ok() const noexcept { return step == nullptr; }
};

[[nodiscard]] Error parse(std::string_view data, Torrent& out, const Limits& limits = {});

struct Rewrite {
    std::optional<std::string> announce;  // set it; an empty string removes the key
    // Set it; an empty list removes the key.
    std::optional<std::vector<std::vector<std::string>>> announce_list;
    bool set_private = false;             // private=1 in info (changes the info_hash)
    std::optional<std::string> source;    // info source (changes the info_hash); empty removes it
};

// Re-encodes `data` with the changes: every other key is kept byte for byte. `out` receives the
// new file and `parsed` its parse, with the new info_hashes.
[[nodiscard]] Error rewrite(std::string_view data, const Rewrite& changes, std::string& out, Torrent& parsed,
                            const Limits& limits = {});

}  // namespace swarmline::proto::torrent
