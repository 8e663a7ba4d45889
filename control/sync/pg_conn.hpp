// The few libpq operations the sync needs on its own long-lived connections: statements, COPY FROM
// STDIN, LISTEN/NOTIFY. Errors are returned as text (libpq's message), never thrown: the sync's
// threads treat every failure as "retry after back-off".
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace swarmline::control::sync {

struct PgResultFree {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultFree>;

class PgConn {
public:
    PgConn() = default;
    // Connects; on failure `ok()` is false and `error()` says why.
    explicit PgConn(const std::string& url);
    PgConn(PgConn&&) noexcept = default;
    PgConn& operator=(PgConn&&) noexcept = default;

    [[nodiscard]] bool ok() const noexcept { return c_ && PQstatus(c_.get()) == CONNECTION_OK; }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }
    [[nodiscard]] PGconn* raw() const noexcept { return c_.get(); }

    // Runs `sql` (one or several statements, no parameters). Null on failure (see error()).
    PgResult exec(std::string_view sql);
    // One statement with text parameters (nullptr = NULL).
    PgResult exec_params(std::string_view sql, const std::vector<const char*>& params);
    // `COPY ... FROM STDIN` with `data` (text format rows). False on failure.
    bool copy_in(std::string_view copy_sql, std::string_view data);
    // Reads whatever arrived on the socket and appends pending notification payloads to `out`.
    // False when the connection broke.
    bool drain_notifications(std::vector<std::string>& out);
    [[nodiscard]] int socket() const noexcept { return c_ ? PQsocket(c_.get()) : -1; }

private:
    struct Finish {
        void operator()(PGconn* c) const noexcept { PQfinish(c); }
    };
    bool check(PgResult& r, ExecStatusType want);
    std::unique_ptr<PGconn, Finish> c_;
    std::string error_;
};

// Cell helpers for results whose columns are known not to be NULL unless said.
[[nodiscard]] inline std::string_view cell(const PGresult* r, int row, int col) {
    return {PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col))};
}
[[nodiscard]] std::uint64_t cell_u64(const PGresult* r, int row, int col);  // 0 for NULL
[[nodiscard]] inline bool cell_bool(const PGresult* r, int row, int col) { return PQgetvalue(r, row, col)[0] == 't'; }
// A bytea column in hex output form (\x...) decoded into `out`; false when it is not `n` bytes.
bool cell_bytes(const PGresult* r, int row, int col, std::uint8_t* out, std::size_t n);

}  // namespace swarmline::control::sync
