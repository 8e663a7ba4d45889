// A small pool of PostgreSQL connections (db::Connection, control/db/pg.hpp) for the request
// handlers. Each connection prepares a statement the first time it runs it (Statement names are
// global constants), so every later run on that connection is a PQexecPrepared: parsed and planned
// once per connection, not once per request. A broken connection is dropped when it comes back, and
// the next lease opens a fresh one, so a PostgreSQL restart costs only the requests in flight.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "db/pg.hpp"

namespace swarmline::control {

// A statement with a name unique in the process; prepared once per connection.
struct Statement {
    const char* name;
    const char* sql;
};

// True when the error means the connection (not the statement) failed: the caller answers 503.
bool connection_lost(const db::Error& e) noexcept;
inline bool unique_violation(const db::Error& e) noexcept { return e.sqlstate() == db::sqlstate::unique_violation; }

class PgConn {
public:
    explicit PgConn(const std::string& url) : conn_(url) {}

    db::Result run(const Statement& st, std::initializer_list<db::Param> params = {});
    db::Result run(const Statement& st, std::span<const db::Param> params);

    // One statement of run_all(); what `params` view must outlive the call.
    struct Call {
        const Statement& st;
        std::span<const db::Param> params;
    };
    // Runs independent statements in one round trip (db::Pipeline): in order, each seeing the ones
    // before it, all in one implicit transaction unless one is open. A statement this connection
    // has not run before is prepared first (its own round trip, once per connection). The results
    // in order; throws the first failure, and then none of them took effect outside a transaction.
    std::vector<db::Result> run_all(std::span<const Call> calls);

    db::Connection& connection() noexcept { return conn_; }
    bool ok() const noexcept { return PQstatus(conn_.raw()) == CONNECTION_OK; }

private:
    void prepare(const Statement& st);
    db::Connection conn_;
    std::unordered_set<std::string> prepared_;
};

// BEGIN on construction; ROLLBACK unless commit() was called.
class Transaction : public db::Transaction {
public:
    explicit Transaction(PgConn& c) : db::Transaction(c.connection()) {}
};

class PgPool {
public:
    // Up to `size` connections, opened on demand.
    PgPool(std::string url, std::uint32_t size, std::chrono::milliseconds acquire_timeout = std::chrono::seconds(5));

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

    // A connection for the caller's exclusive use; throws db::Error when none is free within the
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
