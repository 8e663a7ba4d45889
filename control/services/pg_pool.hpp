// A small pool of libpq connections for the request handlers. Each connection prepares a
// statement the first time it runs it (Statement names are global constants), so every query after
// the first on a connection is a PQexecPrepared. A broken connection is dropped and replaced on the
// next lease, so a PostgreSQL restart costs the requests in flight and nothing after.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace swarmline::control {

// A failed query or connection. `sqlstate` is PostgreSQL's five-character code ("23505" is a
// unique violation); empty when the connection itself failed.
class PgError : public std::runtime_error {
public:
    PgError(const std::string& message, std::string sqlstate)
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const noexcept { return sqlstate_; }
    bool unique_violation() const noexcept { return sqlstate_ == "23505"; }
    bool connection_lost() const noexcept { return sqlstate_.empty() || sqlstate_.starts_with("08"); }

private:
    std::string sqlstate_;
};

// A statement with a name unique in the process; prepared once per connection.
struct Statement {
    const char* name;
    const char* sql;
};

// One query parameter in text format, or NULL.
class Param {
public:
    Param(std::nullopt_t) : null_(true) {}
    Param(std::string_view s) : text_(s) {}
    Param(const char* s) : text_(s) {}
    Param(const std::string& s) : text_(s) {}
    Param(std::int64_t v) : text_(std::to_string(v)) {}
    Param(int v) : text_(std::to_string(v)) {}
    Param(bool v) : text_(v ? "t" : "f") {}
    template <typename T>
    Param(const std::optional<T>& v) : null_(!v) {
        if (v) text_ = Param(*v).text_;
    }
    const char* c_str() const noexcept { return null_ ? nullptr : text_.c_str(); }

private:
    std::string text_;
    bool null_ = false;
};

class Rows {
public:
    explicit Rows(PGresult* r) : r_(r, &PQclear) {}
    int size() const noexcept { return PQntuples(r_.get()); }
    bool empty() const noexcept { return size() == 0; }
    std::int64_t affected() const;
    bool is_null(int row, int col) const noexcept { return PQgetisnull(r_.get(), row, col) != 0; }
    std::string_view text(int row, int col) const noexcept {
        return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
    }
    std::string str(int row, int col) const { return std::string(text(row, col)); }
    std::optional<std::string> opt_str(int row, int col) const {
        return is_null(row, col) ? std::nullopt : std::optional<std::string>(str(row, col));
    }
    std::int64_t int64(int row, int col) const;  // NULL reads as 0
    double real(int row, int col) const;         // NULL reads as 0
    bool boolean(int row, int col) const noexcept { return text(row, col) == "t"; }
    int column(const char* name) const noexcept { return PQfnumber(r_.get(), name); }

private:
    std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class PgConn {
public:
    explicit PgConn(const std::string& url);  // throws PgError when it cannot connect
    ~PgConn();
    PgConn(const PgConn&) = delete;
    PgConn& operator=(const PgConn&) = delete;

    Rows run(const Statement& st, std::initializer_list<Param> params = {});
    Rows run(const Statement& st, const std::vector<Param>& params);
    // One-off SQL without parameters (transaction control, tests).
    Rows exec(const std::string& sql);
    bool ok() const noexcept { return PQstatus(conn_) == CONNECTION_OK; }

private:
    Rows check(PGresult* r);
    PGconn* conn_;
    std::unordered_set<std::string> prepared_;
};

// BEGIN on construction; ROLLBACK unless commit() was called.
class Transaction {
public:
    explicit Transaction(PgConn& c) : c_(c) { c_.exec("BEGIN"); }
    ~Transaction();
    void commit() {
        c_.exec("COMMIT");
        done_ = true;
    }

private:
    PgConn& c_;
    bool done_ = false;
};

class PgPool {
public:
    // Up to `size` connections, opened on demand.
    PgPool(std::string url, std::uint32_t size, std::chrono::milliseconds acquire_timeout = std::chrono::seconds(5));
    ~PgPool();

    class Lease {
    public:
        Lease(PgPool& pool, std::unique_ptr<PgConn> c) : pool_(&pool), c_(std::move(c)) {}
        Lease(Lease&& o) noexcept = default;
        ~Lease();
        PgConn* operator->() const noexcept { return c_.get(); }
        PgConn& operator*() const noexcept { return *c_; }

    private:
        PgPool* pool_;
        std::unique_ptr<PgConn> c_;
    };

    // A connection for the caller's exclusive use; throws PgError when none is free within the
    // acquire timeout or PostgreSQL cannot be reached.
    Lease acquire();
    std::uint32_t size() const noexcept { return size_; }
    std::uint32_t in_use() const;

private:
    void give_back(std::unique_ptr<PgConn> c);
    std::string url_;
    std::uint32_t size_;
    std::chrono::milliseconds timeout_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<PgConn>> idle_;
    std::uint32_t open_ = 0;  // idle + leased
};

}  // namespace swarmline::control
