// Route patterns: literal segments and `{name}` segments, as OpenAPI writes them
// ("/api/v1/users/{id}"). A `{name}` segment matches one non-empty segment, percent-decoded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace swarmline::http {

// True when `path` matches `pattern`; the decoded `{name}` segments are appended to `params`.
// A segment whose percent-encoding is malformed does not match.
bool match_path(std::string_view pattern, std::string_view path, std::vector<std::string>& params);

}  // namespace swarmline::http
