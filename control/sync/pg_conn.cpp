#include "sync/pg_conn.hpp"

#include <charconv>
#include <cstdint>

namespace swarmline::control::sync {

PgConn::PgConn(const std::string& url) : c_(PQconnectdb(url.c_str())) {
    if (!c_) {
        error_ = "out of memory";
    } else if (PQstatus(c_.get()) != CONNECTION_OK) {
        error_ = PQerrorMessage(c_.get());
        while (!error_.empty() && (error_.back() == '\n' || error_.back() == ' ')) error_.pop_back();
    }
}

bool PgConn::check(PgResult& r, ExecStatusType want) {
    if (r && PQresultStatus(r.get()) == want) return true;
    error_ = r ? PQresultErrorMessage(r.get()) : PQerrorMessage(c_.get());
    while (!error_.empty() && error_.back() == '\n') error_.pop_back();
    return false;
}

PgResult PgConn::exec(std::string_view sql) {
    PgResult last;
    if (!c_) return last;
    if (!PQsendQuery(c_.get(), std::string(sql).c_str())) {
        error_ = PQerrorMessage(c_.get());
        return last;
    }
    // Several statements give several results: the first failure is the answer, else the last.
    bool failed = false;
    while (PgResult r{PQgetResult(c_.get())}) {
        if (failed) continue;
        auto st = PQresultStatus(r.get());
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            check(r, PGRES_COMMAND_OK);
            failed = true;
            last.reset();
            continue;
        }
        last = std::move(r);
    }
    if (!failed && !last) error_ = PQerrorMessage(c_.get());
    return last;
}

PgResult PgConn::exec_params(std::string_view sql, const std::vector<const char*>& params) {
    PgResult r{PQexecParams(c_.get(), std::string(sql).c_str(), static_cast<int>(params.size()), nullptr,
                            params.data(), nullptr, nullptr, 0)};
    if (r && (PQresultStatus(r.get()) == PGRES_COMMAND_OK || PQresultStatus(r.get()) == PGRES_TUPLES_OK)) return r;
    check(r, PGRES_COMMAND_OK);
    return {};
}

bool PgConn::copy_in(std::string_view copy_sql, std::string_view data) {
    PgResult start{PQexec(c_.get(), std::string(copy_sql).c_str())};
    if (!check(start, PGRES_COPY_IN)) return false;
    constexpr std::size_t kChunk = 1 << 20;  // libpq buffers what it cannot send at once; keep it bounded
    for (std::size_t off = 0; off < data.size(); off += kChunk) {
        auto n = std::min(kChunk, data.size() - off);
        if (PQputCopyData(c_.get(), data.data() + off, static_cast<int>(n)) != 1) {
            error_ = PQerrorMessage(c_.get());
            return false;
        }
    }
    if (PQputCopyEnd(c_.get(), nullptr) != 1) {
        error_ = PQerrorMessage(c_.get());
        return false;
    }
    bool ok = true;
    while (PgResult r{PQgetResult(c_.get())}) ok = check(r, PGRES_COMMAND_OK) && ok;
    return ok;
}

bool PgConn::drain_notifications(std::vector<std::string>& out) {
    if (!PQconsumeInput(c_.get())) {
        error_ = PQerrorMessage(c_.get());
        while (!error_.empty() && (error_.back() == '\n' || error_.back() == ' ')) error_.pop_back();
        return false;
    }
    while (PGnotify* n = PQnotifies(c_.get())) {
        out.emplace_back(n->extra);
        PQfreemem(n);
    }
    return PQstatus(c_.get()) == CONNECTION_OK;
}

std::uint64_t cell_u64(const PGresult* r, int row, int col) {
    if (PQgetisnull(r, row, col)) return 0;
    auto v = cell(r, row, col);
    std::uint64_t out = 0;
    std::from_chars(v.data(), v.data() + v.size(), out);
    return out;
}

bool cell_bytes(const PGresult* r, int row, int col, std::uint8_t* out, std::size_t n) {
    auto v = cell(r, row, col);
    if (PQgetisnull(r, row, col) || v.size() != 2 + 2 * n || v[0] != '\\' || v[1] != 'x') return false;
    for (std::size_t i = 0; i < n; ++i) {
        auto p = v.data() + 2 + 2 * i;
        if (std::from_chars(p, p + 2, out[i], 16).ptr != p + 2) return false;
    }
    return true;
}

}  // namespace swarmline::control::sync
