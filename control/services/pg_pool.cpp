#include "services/pg_pool.hpp"

#include <charconv>
#include <cstdlib>

namespace swarmline::control {

namespace {

std::string trimmed_error(const char* msg) {
    std::string s = msg ? msg : "unknown libpq error";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

std::int64_t Rows::affected() const {
    const char* n = PQcmdTuples(r_.get());
    return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::int64_t Rows::int64(int row, int col) const {
    if (is_null(row, col)) return 0;
    const auto t = text(row, col);
    std::int64_t v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
}

double Rows::real(int row, int col) const {
    if (is_null(row, col)) return 0;
    return std::strtod(str(row, col).c_str(), nullptr);
}

PgConn::PgConn(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string msg = trimmed_error(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw PgError("cannot connect to PostgreSQL: " + msg, "");
    }
}

PgConn::~PgConn() {
    if (conn_) PQfinish(conn_);
}

Rows PgConn::check(PGresult* r) {
    const auto status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(r);
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg = trimmed_error(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
    std::string code = state ? state : "";
    PQclear(r);
    throw PgError(msg, code);
}

Rows PgConn::run(const Statement& st, const std::vector<Param>& params) {
    if (!prepared_.contains(st.name)) {
        check(PQprepare(conn_, st.name, st.sql, 0, nullptr));
        prepared_.insert(st.name);
    }
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p.c_str());
    return check(PQexecPrepared(conn_, st.name, static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
}

Rows PgConn::run(const Statement& st, std::initializer_list<Param> params) {
    return run(st, std::vector<Param>(params));
}

Rows PgConn::exec(const std::string& sql) { return check(PQexec(conn_, sql.c_str())); }

Transaction::~Transaction() {
    if (done_) return;
    try {
        c_.exec("ROLLBACK");
    } catch (const PgError&) {
        // The connection is gone; the server rolled the transaction back itself.
    }
}

PgPool::PgPool(std::string url, std::uint32_t size, std::chrono::milliseconds acquire_timeout)
    : url_(std::move(url)), size_(size ? size : 1), timeout_(acquire_timeout) {}

PgPool::~PgPool() = default;

PgPool::Lease PgPool::acquire() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout_, [&] { return !idle_.empty() || open_ < size_; }))
        throw PgError("no PostgreSQL connection free within the acquire timeout", "");
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
        // A broken connection is closed; the next lease opens a fresh one.
        if (c->ok())
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
