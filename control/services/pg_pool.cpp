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

db::Result PgConn::run(const Statement& st, std::span<const db::Param> params) {
    PGconn* c = conn_.raw();
    if (!prepared_.contains(st.name)) {
        checked(PQprepare(c, st.name, st.sql, 0, nullptr), c);
        prepared_.insert(st.name);
    }
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    values.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p.value());
        lengths.push_back(p.length());
        formats.push_back(p.binary() ? 1 : 0);
    }
    // Text parameters are passed NUL-terminated copies: a Param may view a string_view that is not.
    std::vector<std::string> copies;
    copies.reserve(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (params[i].null() || params[i].binary()) continue;
        copies.emplace_back(params[i].value(), static_cast<std::size_t>(params[i].length()));
        values[i] = copies.back().c_str();
    }
    return checked(PQexecPrepared(c, st.name, static_cast<int>(values.size()), values.data(), lengths.data(),
                                  formats.data(), 0),
                   c);
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
