// Media-file detection for torrent_files: a file's extension, its MIME type and whether it is a
// video or audio file (what the site shows as the torrent's media), by extension only: the site
// never sees the files' contents.
#pragma once

#include <string>
#include <string_view>

namespace swarmline::control::torrents {

struct FileKind {
    std::string extension;   // lower case, without the dot; empty when the name has none
    std::string_view mime;   // empty when unknown
    bool is_media = false;
};

FileKind classify_file(std::string_view filename);

}  // namespace swarmline::control::torrents
