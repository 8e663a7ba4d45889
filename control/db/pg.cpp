#include "db/pg.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace swarmline::db {

namespace {

std::string field(const PGresult* res, int code) {
    const char* v = PQresultErrorField(res, code);
    return v ? v : "";
}

std::string trimmed(const char* text) {
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// "primary: detail (hint: ...) [SQLSTATE xxxxx]": one line that says what and why.
Error error_from(const PGresult* res, PGconn* conn) {
    std::string primary = field(res, PG_DIAG_MESSAGE_PRIMARY);
    if (primary.empty()) return Error(trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn)));
    std::string message = primary;
    if (auto detail = field(res, PG_DIAG_MESSAGE_DETAIL); !detail.empty()) message += ": " + detail;
    if (auto hint = field(res, PG_DIAG_MESSAGE_HINT); !hint.empty()) message += " (hint: " + hint + ")";
    if (auto where = field(res, PG_DIAG_CONTEXT); !where.empty()) message += " (context: " + where + ")";
    std::string state = field(res, PG_DIAG_SQLSTATE);
    if (!state.empty()) message += " [SQLSTATE " + state + "]";
    int position = std::atoi(field(res, PG_DIAG_STATEMENT_POSITION).c_str());
    return Error(message, state, field(res, PG_DIAG_CONSTRAINT_NAME), position);
}

void ignore_notice(void*, const char*) {}

}  // namespace

std::uint64_t Result::affected_rows() const {
    if (!res_) return 0;
    std::string_view text = PQcmdTuples(res_.get());
    std::uint64_t n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    return n;
}

int Result::column(std::string_view name) const {
    for (int c = 0; c < columns(); ++c)
        if (name == PQfname(res_.get(), c)) return c;
    throw Error("result has no column \"" + std::string(name) + "\"");
}

void Result::check_cell(int row, int col) const {
    if (row < 0 || row >= rows() || col < 0 || col >= columns())
        throw Error("result cell (" + std::to_string(row) + ", " + std::to_string(col) + ") out of range: " +
                    std::to_string(rows()) + " rows, " + std::to_string(columns()) + " columns");
}

bool Result::is_null(int row, int col) const {
    check_cell(row, col);
    return PQgetisnull(res_.get(), row, col) != 0;
}

std::string_view Result::get(int row, int col) const {
    check_cell(row, col);
    return {PQgetvalue(res_.get(), row, col), static_cast<std::size_t>(PQgetlength(res_.get(), row, col))};
}

std::optional<std::string_view> Result::get_optional(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return get(row, col);
}

std::int64_t Result::get_int64(int row, int col) const {
    std::string_view text = get(row, col);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
        throw Error("column " + std::string(PQfname(res_.get(), col)) + " is not an integer: '" + std::string(text) + "'");
    return v;
}

bool Result::get_bool(int row, int col) const {
    std::string_view text = get(row, col);
    if (text == "t") return true;
    if (text == "f") return false;
    throw Error("column " + std::string(PQfname(res_.get(), col)) + " is not a boolean: '" + std::string(text) + "'");
}

std::vector<unsigned char> Result::get_bytea(int row, int col) const {
    check_cell(row, col);
    std::size_t len = 0;
    unsigned char* raw =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(res_.get(), row, col)), &len);
    if (!raw) throw Error("out of memory decoding bytea");
    std::vector<unsigned char> out(raw, raw + len);
    PQfreemem(raw);
    return out;
}

Connection::Connection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (!conn_) throw Error("out of memory creating a PostgreSQL connection");
    if (PQstatus(conn_.get()) != CONNECTION_OK)
        throw Error("cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_.get())));
    // NOTICEs (e.g. "extension already exists, skipping") are expected chatter, not errors; the
    // default processor would print them to stderr in the middle of a tool's report.
    PQsetNoticeProcessor(conn_.get(), ignore_notice, nullptr);
}

Result Connection::check(PGresult* res) const {
    if (!res) throw Error("PostgreSQL connection failed: " + trimmed(PQerrorMessage(conn_.get())));
    switch (PQresultStatus(res)) {
        case PGRES_COMMAND_OK:
        case PGRES_TUPLES_OK:
        case PGRES_EMPTY_QUERY:
            return Result(res);
        default: {
            Error e = error_from(res, conn_.get());
            PQclear(res);
            throw e;
        }
    }
}

Result Connection::exec(std::string_view sql) {
    return check(PQexec(conn_.get(), std::string(sql).c_str()));
}

Result Connection::exec_params(std::string_view sql, std::initializer_list<Param> params) {
    return exec_params(sql, std::span<const Param>(params.begin(), params.size()));
}

ParamArrays::ParamArrays(std::span<const Param> params) {
    copies_.reserve(params.size());  // no reallocation: values_ points into the copies
    values_.reserve(params.size());
    lengths_.reserve(params.size());
    formats_.reserve(params.size());
    for (const Param& p : params) {
        const char* value = p.value();
        if (!p.null() && !p.binary())
            value = copies_.emplace_back(value ? value : "", static_cast<std::size_t>(p.length())).c_str();
        values_.push_back(value);
        lengths_.push_back(p.length());
        formats_.push_back(p.binary() ? 1 : 0);
    }
}

Result Connection::exec_params(std::string_view sql, std::span<const Param> params) {
    const ParamArrays a(params);
    return check(PQexecParams(conn_.get(), std::string(sql).c_str(), a.count(), nullptr, a.values(), a.lengths(),
                              a.formats(), 0));
}

std::uint64_t Connection::copy_in(std::string_view copy_sql, std::string_view data) {
    PGresult* start = PQexec(conn_.get(), std::string(copy_sql).c_str());
    if (!start || PQresultStatus(start) != PGRES_COPY_IN) {
        Result other = check(start);  // throws the server's error, if it is one
        throw Error("not a COPY FROM STDIN statement: " + std::string(copy_sql));
    }
    PQclear(start);
    // libpq buffers what the socket does not take at once: chunks keep that buffer bounded.
    constexpr std::size_t kChunk = 1 << 20;
    for (std::size_t off = 0; off < data.size(); off += kChunk) {
        const auto n = std::min(kChunk, data.size() - off);
        if (PQputCopyData(conn_.get(), data.data() + off, static_cast<int>(n)) != 1)
            throw Error("COPY data: " + trimmed(PQerrorMessage(conn_.get())));
    }
    if (PQputCopyEnd(conn_.get(), nullptr) != 1) throw Error("COPY end: " + trimmed(PQerrorMessage(conn_.get())));
    // The COPY's own result, then the null that ends the command; a failure is thrown after both
    // are read, so the connection is ready for the next statement.
    PGresult* done = PQgetResult(conn_.get());
    while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
    return check(done).affected_rows();
}

void Connection::take_notifications(std::vector<std::string>& out) {
    if (!PQconsumeInput(conn_.get()) || PQstatus(conn_.get()) != CONNECTION_OK)
        throw Error("PostgreSQL connection lost: " + trimmed(PQerrorMessage(conn_.get())));
    while (PGnotify* n = PQnotifies(conn_.get())) {
        out.emplace_back(n->extra);
        PQfreemem(n);
    }
}

std::string Connection::escape_identifier(std::string_view name) const {
    char* s = PQescapeIdentifier(conn_.get(), name.data(), name.size());
    if (!s) throw Error("cannot escape identifier: " + trimmed(PQerrorMessage(conn_.get())));
    std::string out = s;
    PQfreemem(s);
    return out;
}

std::string Connection::escape_literal(std::string_view value) const {
    char* s = PQescapeLiteral(conn_.get(), value.data(), value.size());
    if (!s) throw Error("cannot escape literal: " + trimmed(PQerrorMessage(conn_.get())));
    std::string out = s;
    PQfreemem(s);
    return out;
}

Pipeline::Pipeline(Connection& conn) : conn_(conn) {
    if (PQenterPipelineMode(conn_.raw()) != 1)
        throw Error("cannot enter pipeline mode: " + trimmed(PQerrorMessage(conn_.raw())));
}

Pipeline::~Pipeline() {
    discard();
    PQexitPipelineMode(conn_.raw());
}

void Pipeline::queued(int ok, const char* what) {
    if (ok != 1) throw Error(std::string("cannot queue ") + what + ": " + trimmed(PQerrorMessage(conn_.raw())));
    ++queued_;
}

void Pipeline::send(std::string_view sql, std::span<const Param> params) {
    const ParamArrays a(params);
    queued(PQsendQueryParams(conn_.raw(), std::string(sql).c_str(), a.count(), nullptr, a.values(), a.lengths(),
                             a.formats(), 0),
           "a statement");
}

void Pipeline::send_prepared(const std::string& name, std::span<const Param> params) {
    const ParamArrays a(params);
    queued(PQsendQueryPrepared(conn_.raw(), name.c_str(), a.count(), a.values(), a.lengths(), a.formats(), 0),
           "a prepared statement");
}

std::vector<Result> Pipeline::sync() {
    PGconn* c = conn_.raw();
    if (PQpipelineSync(c) != 1) throw Error("pipeline sync: " + trimmed(PQerrorMessage(c)));
    ++syncs_;
    std::vector<Result> out;
    out.reserve(queued_);
    std::optional<Error> first;
    for (; queued_ > 0; --queued_) {
        // Each statement's result, then the null that ends it; a statement after a failure comes
        // back as PGRES_PIPELINE_ABORTED, without running.
        PGresult* r = PQgetResult(c);
        if (!r) throw Error("PostgreSQL connection failed in a pipeline: " + trimmed(PQerrorMessage(c)));
        while (PGresult* extra = PQgetResult(c)) PQclear(extra);
        if (PQresultStatus(r) == PGRES_PIPELINE_ABORTED) {
            PQclear(r);
            out.emplace_back();
            continue;
        }
        try {
            out.push_back(conn_.check(r));
        } catch (Error& e) {
            if (!first) first = std::move(e);
            out.emplace_back();
        }
    }
    PGresult* end = PQgetResult(c);
    const bool synced = end && PQresultStatus(end) == PGRES_PIPELINE_SYNC;
    PQclear(end);
    if (synced) --syncs_;
    if (!synced) throw Error("PostgreSQL connection failed in a pipeline: " + trimmed(PQerrorMessage(c)));
    if (first) throw *first;
    return out;
}

void Pipeline::discard() noexcept {
    PGconn* c = conn_.raw();
    if (queued_ > 0 && PQpipelineSync(c) == 1) ++syncs_;
    queued_ = 0;
    // Reads up to each Sync's own result; a broken connection has nothing more to read.
    while (syncs_ > 0 && PQstatus(c) == CONNECTION_OK) {
        PGresult* r = PQgetResult(c);
        if (!r) continue;  // the end of one statement's results
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) --syncs_;
        PQclear(r);
    }
}

Transaction::Transaction(Connection& conn) : conn_(conn) { conn_.exec("BEGIN"); }

Transaction::~Transaction() {
    if (done_) return;
    // A destructor must not throw; a failed ROLLBACK means the connection is gone, and the server
    // has then rolled back already.
    PQclear(PQexec(conn_.raw(), "ROLLBACK"));
}

void Transaction::commit() {
    done_ = true;
    conn_.exec("COMMIT");
}

void Transaction::commit(Pipeline& batch) {
    batch.send("COMMIT");
    batch.sync();
    done_ = true;
}

}  // namespace swarmline::db
