// The web UI's files (web/), served at `/`. Only regular files below the root are served: a path
// with a `..` segment, a NUL or a malformed escape is refused before it reaches the file system.
#pragma once

#include <filesystem>
#include <optional>

#include "http/message.hpp"

namespace swarmline::http {

class StaticFiles {
public:
    explicit StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}
    // The file for a GET of `path` ("/" is index.html), or nullopt when there is none.
    std::optional<Response> get(std::string_view path) const;

private:
    std::filesystem::path root_;
};

}  // namespace swarmline::http
