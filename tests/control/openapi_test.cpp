// control/openapi.yaml and the route table describe the same API: every route is documented with
// its method and required right (x-right), and every documented operation is a route.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "services/app.hpp"

using namespace swarmline;

namespace {

using Operation = std::tuple<std::string, std::string, std::string>;  // METHOD, path, right

// Reads `paths:` of an OpenAPI 3 document written in block style: a path is a key indented by two
// spaces, an operation a key indented by four, and `x-right:` a key indented by six.
std::set<Operation> documented(const std::string& file) {
    std::ifstream in(file);
    EXPECT_TRUE(in) << file;
    std::set<Operation> out;
    std::string line, path, method;
    bool in_paths = false;
    auto indent = [](const std::string& l) { return l.find_first_not_of(' '); };
    while (std::getline(in, line)) {
        if (line.empty() || line.find_first_not_of(' ') == std::string::npos || line[indent(line)] == '#') continue;
        if (indent(line) == 0) {
            in_paths = line.rfind("paths:", 0) == 0;
            continue;
        }
        if (!in_paths) continue;
        const auto n = indent(line);
        const auto colon = line.find(':', n);
        const std::string key = line.substr(n, colon - n);
        if (n == 2) {
            path = key;
        } else if (n == 4 && key != "parameters" && key != "summary" && key != "description") {
            method = key;
            for (auto& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            out.insert({method, path, "(missing x-right)"});
        } else if (n == 6 && key == "x-right") {
            std::string right = line.substr(colon + 1);
            right.erase(0, right.find_first_not_of(' '));
            out.erase({method, path, "(missing x-right)"});
            out.insert({method, path, right});
        }
    }
    return out;
}

}  // namespace

TEST(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedOperationIsARoute) {
    const auto doc = documented(SWARMLINE_OPENAPI_FILE);
    std::set<Operation> table;
    for (const auto& r : control::routes())
        table.insert({r.method, r.pattern, std::string(auth::right_name(r.right))});
    for (const auto& op : table)
        EXPECT_TRUE(doc.contains(op)) << std::get<0>(op) << " " << std::get<1>(op) << " (x-right: " << std::get<2>(op)
                                      << ") is a route but not in openapi.yaml";
    for (const auto& op : doc)
        EXPECT_TRUE(table.contains(op)) << std::get<0>(op) << " " << std::get<1>(op) << " (x-right: " << std::get<2>(op)
                                        << ") is in openapi.yaml but not a route";
    EXPECT_GT(doc.size(), 20u);
}
