#include "services/pg_pool.hpp"

#include <cstdlib>

namespace swarmline::control {

namespace {

std::string error_field(const PGresult* r, int code) {
    const char* v = r ? PQresultErrorField(r, code) : nullptr;
    return v ? v : "";
}

// db::Connection checks the results of what it runs itself; PQprepare and PQexecPrepared are not
// among them, so their results are checked here, with the same SQLSTATE and constraint in the error.
db::Result checked(PGresult* r, PGconn* conn) {
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return db::Result(r);
    std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    db::Error e(message, error_field(r, PG_DIAG_SQLSTATE), error_field(r, PG_DIAG_CONSTRAINT_NAME),
                std::atoi(error_field(r, PG_DIAG_STATEMENT_POSITION).c_str()));
    PQclear(r);
    throw e;
}

}  // namespace

bool connection_lost(const db::Error& e) noexcept {
    // Class 08 is "connection exception"; a client-side failure (refused, reset) carries no SQLSTATE.
    return e.sqlstate().empty() || e.sqlstate().starts_with("08") || e.sqlstate() == "57P01";
}

void PgConn::prepare(const Statement& st) {
    if (prepared_.contains(st.name)) return;
    PGconn* c = conn_.raw();
    checked(PQprepare(c, st.name, st.sql, 0, nullptr), c);
    prepared_.insert(st.name);
}

db::Result PgConn::run(const Statement& st, std::span<const db::Param> params) {
    prepare(st);
    const db::ParamArrays a(params);
    PGconn* c = conn_.raw();
    return checked(PQexecPrepared(c, st.name, a.count(), a.values(), a.lengths(), a.formats(), 0), c);
}

std::vector<db::Result> PgConn::run_all(std::span<const Call> calls) {
    for (const Call& call : calls) prepare(call.st);
    db::Pipeline batch(conn_);
    for (const Call& call : calls) batch.send_prepared(call.st.name, call.params);
    return batch.sync();
}

db::Result PgConn::run(const Statement& st, std::initializer_list<db::Param> params) {
    return run(st, std::span<const db::Param>(params.begin(), params.size()));
}

PgPool::PgPool(std::string url, std::uint32_t size, std::chrono::milliseconds acquire_timeout)
    : url_(std::move(url)), size_(size ? size : 1), timeout_(acquire_timeout) {}

PgPool::Lease PgPool::acquire() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout_, [&] { return !idle_.empty() || open_ < size_; }))
        throw db::Error("no PostgreSQL connection free within the acquire timeout");
    if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(c));
    }
    ++open_;
    lock.unlock();
    try {
        return Lease(*this, std::make_unique<PgConn>(url_));
    } catch (...) {
        lock.lock();
        --open_;
        cv_.notify_one();
        throw;
    }
}

void PgPool::give_back(std::unique_ptr<PgConn> c) {
    {
        std::lock_guard lock(mu_);
        // A broken connection is closed (when `c` goes out of scope, outside the lock); the next
        // lease opens a fresh one.
        if (c->ok() && PQtransactionStatus(c->connection().raw()) == PQTRANS_IDLE)
            idle_.push_back(std::move(c));
        else
            --open_;
    }
    cv_.notify_one();
}

std::uint32_t PgPool::in_use() const {
    std::lock_guard lock(mu_);
    return open_ - static_cast<std::uint32_t>(idle_.size());
}

PgPool::Lease::~Lease() {
    if (c_) pool_->give_back(std::move(c_));
}

}  // namespace swarmline::control
