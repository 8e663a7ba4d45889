#include "services/torrents/media_files.hpp"

#include <algorithm>
#include <cctype>

namespace swarmline::control::torrents {

namespace {

struct Known {
    std::string_view ext;
    std::string_view mime;
    bool media;
};

constexpr Known kKnown[] = {
    {"mkv", "video/x-matroska", true}, {"mp4", "video/mp4", true},      {"m4v", "video/x-m4v", true},
    {"avi", "video/x-msvideo", true},  {"mov", "video/quicktime", true}, {"wmv", "video/x-ms-wmv", true},
    {"ts", "video/mp2t", true},        {"m2ts", "video/mp2t", true},     {"webm", "video/webm", true},
    {"mpg", "video/mpeg", true},       {"mpeg", "video/mpeg", true},     {"vob", "video/dvd", true},
    {"flv", "video/x-flv", true},      {"flac", "audio/flac", true},     {"mp3", "audio/mpeg", true},
    {"m4a", "audio/mp4", true},        {"aac", "audio/aac", true},       {"ogg", "audio/ogg", true},
    {"opus", "audio/opus", true},      {"wav", "audio/wav", true},       {"ape", "audio/x-ape", true},
    {"wv", "audio/x-wavpack", true},   {"dsf", "audio/x-dsf", true},     {"alac", "audio/x-alac", true},
    {"nfo", "text/x-nfo", false},      {"txt", "text/plain", false},     {"srt", "application/x-subrip", false},
    {"ass", "text/x-ssa", false},      {"sub", "text/x-microdvd", false}, {"jpg", "image/jpeg", false},
    {"jpeg", "image/jpeg", false},     {"png", "image/png", false},      {"pdf", "application/pdf", false},
    {"epub", "application/epub+zip", false}, {"cue", "application/x-cue", false}, {"log", "text/plain", false},
    {"iso", "application/x-iso9660-image", false}, {"zip", "application/zip", false},
    {"rar", "application/vnd.rar", false}, {"7z", "application/x-7z-compressed", false},
    {"exe", "application/vnd.microsoft.portable-executable", false},
};

}  // namespace

FileKind classify_file(std::string_view filename) {
    FileKind k;
    const auto dot = filename.rfind('.');
    // "name." and ".hidden" have no extension; an extension longer than 16 is not one.
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == filename.size() || filename.size() - dot > 17) return k;
    k.extension.assign(filename.substr(dot + 1));
    std::transform(k.extension.begin(), k.extension.end(), k.extension.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    for (const auto& known : kKnown)
        if (known.ext == k.extension) {
            k.mime = known.mime;
            k.is_media = known.media;
        }
    return k;
}

}  // namespace swarmline::control::torrents
