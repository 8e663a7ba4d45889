// multipart/form-data request bodies (RFC 7578): the upload form's fields and its .torrent file.
// The parts are views into the body, so the body must outlive them.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace swarmline::control::torrents {

struct FormPart {
    std::string_view name;      // Content-Disposition name="..."
    std::string_view filename;  // Content-Disposition filename="..." (empty for plain fields)
    std::string_view data;
};

// The boundary of a `multipart/form-data; boundary=...` Content-Type; nullopt for any other type.
std::optional<std::string_view> form_boundary(std::string_view content_type);

// The parts of `body`; nullopt when it is not well-formed (a part without its closing delimiter,
// headers without their blank line, a part without a name).
std::optional<std::vector<FormPart>> parse_form(std::string_view body, std::string_view boundary);

}  // namespace swarmline::control::torrents
