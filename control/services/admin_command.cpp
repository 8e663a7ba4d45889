#include "services/admin_command.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "http/api_error.hpp"
#include "http/json_writer.hpp"

namespace swarmline::control {

int run_admin_command(const char* name, int argc, char** argv, int first, options::Registry& registry,
                      const std::function<AdminResult(PgConn&)>& op) {
    std::string database_url;
    if (const char* env = std::getenv("DATABASE_URL")) database_url = env;
    bool json = false;
    registry.add("database-url", "libpq URL of the site database (default: the DATABASE_URL environment variable)",
                 &database_url);
    registry.add("json", "print the result as one JSON object", &json);
    for (int i = first; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--help") {
            std::cout << "usage: swarmline-control " << name << " [options]\noptions:\n";
            registry.print_help(std::cout);
            return 0;
        }
    }
    if (auto err = registry.parse_args(argc, argv, first, nullptr); !err.empty()) {
        std::cerr << "swarmline-control " << name << ": " << err << "\n";
        return 2;
    }
    if (database_url.empty()) {
        std::cerr << "swarmline-control " << name << ": no database: set --database-url or DATABASE_URL\n";
        return 2;
    }
    AdminResult result;
    try {
        PgConn db(database_url);
        result = op(db);
    } catch (const http::ApiError& e) {
        std::cerr << "swarmline-control " << name << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "swarmline-control " << name << ": " << e.what() << "\n";
        return 1;
    }
    if (json) {
        http::JsonWriter w;
        w.begin_object();
        for (const auto& [k, v] : result.fields) {
            const bool number = std::find(result.numeric.begin(), result.numeric.end(), k) != result.numeric.end();
            number ? w.key(k).raw(v) : w.field(k, v);
        }
        w.end_object();
        std::cout << w.str() << "\n";
    } else {
        std::cout << result.summary << "\n";
        for (const auto& [k, v] : result.fields) std::cout << "  " << k << ": " << v << "\n";
    }
    return 0;
}

}  // namespace swarmline::control
