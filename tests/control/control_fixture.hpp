// Integration fixture for the control API: a migrated throw-away database (DatabaseTest), an App
// over it (created on first use, so a test may change config() before), and helpers to make
// accounts and call routes in-process. Socket-level tests start a real http::Server on port 0.
#pragma once

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>

#include "http/message.hpp"
#include "services/app.hpp"
#include "support/test_database.hpp"

namespace swarmline::control::test {

struct Reply {
    unsigned status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    // A member of the JSON body by JSON pointer ("/error/code"); empty when absent or not a string.
    std::string str(const char* pointer) const;
    std::int64_t integer(const char* pointer) const;
    bool has(const char* pointer) const;
    // error.code of the error shape (empty when the body is not one).
    std::string error() const { return str("/error/code"); }
    std::string header(std::string_view name) const;
};

class ControlTest : public swarmline::test::DatabaseTest {
protected:
    ControlConfig& config() { return config_; }
    App& app();

    // An in-process call of the dispatcher, as the server would make it.
    Reply call(const std::string& method, const std::string& target, const std::string& body = "",
               const std::string& token = "", const std::string& ip = "127.0.0.1");

    // An active account in `group` with `password`; returns its id.
    std::string make_user(const std::string& username, const std::string& group = "",
                          const std::string& password = "correct-horse-1");
    // Signs in and returns the session token (the test fails when the sign-in does).
    std::string login(const std::string& username, const std::string& password = "correct-horse-1");
    // One SQL statement on the test database, returning the first column of the first row.
    std::string sql(const std::string& statement);

private:
    ControlConfig config_;
    std::unique_ptr<App> app_;
};

}  // namespace swarmline::control::test
