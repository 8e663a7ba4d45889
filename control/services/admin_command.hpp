// The frame of the admin CLI's subcommands (user, invite): options parsed by the registry, a
// PostgreSQL connection from --database-url or DATABASE_URL, errors reported as one line on stderr
// (and exit 1), the result printed as JSON (--json) or as `key: value` lines.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/options.hpp"
#include "services/pg_pool.hpp"

namespace swarmline::control {

// What a subcommand did, in print order. Values are text; the keys in `numeric` are written as
// JSON numbers (tracker_id).
struct AdminResult {
    std::string summary;  // one sentence for the text form
    std::vector<std::pair<std::string, std::string>> fields;
    std::vector<std::string> numeric = {"tracker_id"};
};

// Parses argv[first..] into `registry` (which must already hold the subcommand's own options;
// --database-url and --json are added here), connects, and runs `op`. Returns the exit code.
int run_admin_command(const char* name, int argc, char** argv, int first, options::Registry& registry,
                      const std::function<AdminResult(PgConn&)>& op);

}  // namespace swarmline::control
