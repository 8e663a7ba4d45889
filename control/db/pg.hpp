// A small RAII layer over libpq for the control process: a connection, its results, typed
// parameters and a transaction guard. Every failure throws db::Error carrying PostgreSQL's SQLSTATE,
// the constraint it names (if any) and the statement position, so callers can map a unique
// violation to a user-facing answer and tools can point at the faulty line.
//
// Not thread-safe: one Connection per thread (libpq's rule).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace swarmline::db {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, std::string sqlstate = {}, std::string constraint = {},
                   int position = 0)
        : std::runtime_error(message),
          sqlstate_(std::move(sqlstate)),
          constraint_(std::move(constraint)),
          position_(position) {}

    // Five-character SQLSTATE ("23505" unique_violation, "23514" check_violation ...); empty for
    // client-side failures such as a refused connection.
    const std::string& sqlstate() const noexcept { return sqlstate_; }
    // The constraint a violation names ("users_passkey_key"); empty when none.
    const std::string& constraint() const noexcept { return constraint_; }
    // 1-based character offset of the error in the statement text; 0 when unknown.
    int position() const noexcept { return position_; }

private:
    std::string sqlstate_;
    std::string constraint_;
    int position_;
};

namespace sqlstate {
inline constexpr std::string_view unique_violation = "23505";
inline constexpr std::string_view foreign_key_violation = "23503";
inline constexpr std::string_view check_violation = "23514";
inline constexpr std::string_view not_null_violation = "23502";
}  // namespace sqlstate

class Result {
public:
    Result() = default;
    explicit Result(PGresult* res) : res_(res) {}

    int rows() const noexcept { return res_ ? PQntuples(res_.get()) : 0; }
    int columns() const noexcept { return res_ ? PQnfields(res_.get()) : 0; }
    // Rows changed by INSERT/UPDATE/DELETE/COPY, 0 for other commands.
    std::uint64_t affected_rows() const;
    // Column number of a result column by name; throws Error when there is none.
    int column(std::string_view name) const;

    bool is_null(int row, int col) const;
    // The value as PostgreSQL's text output; valid while this Result lives.
    std::string_view get(int row, int col) const;
    std::optional<std::string_view> get_optional(int row, int col) const;
    std::int64_t get_int64(int row, int col) const;
    bool get_bool(int row, int col) const;
    // A bytea column (text format "\x..."), decoded.
    std::vector<unsigned char> get_bytea(int row, int col) const;

    PGresult* raw() const noexcept { return res_.get(); }

private:
    void check_cell(int row, int col) const;
    struct Clear {
        void operator()(PGresult* r) const noexcept { PQclear(r); }
    };
    std::unique_ptr<PGresult, Clear> res_;
};

// One statement parameter: text (PostgreSQL parses it as the parameter's type), binary bytea, or NULL.
class Param {
public:
    Param(std::nullptr_t) noexcept : null_(true) {}
    Param(std::string_view text) noexcept : view_(text) {}
    Param(const std::string& text) noexcept : view_(text) {}
    Param(const char* text) noexcept : view_(text) {}
    Param(std::int64_t v) : owned_(std::to_string(v)), is_owned_(true) {}
    Param(std::int32_t v) : owned_(std::to_string(v)), is_owned_(true) {}
    Param(bool v) noexcept : view_(v ? "t" : "f") {}
    template <typename T>
    Param(const std::optional<T>& v) : Param(v ? Param(*v) : Param(nullptr)) {}

    static Param bytea(std::span<const unsigned char> bytes) noexcept {
        Param p{std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())};
        p.binary_ = true;
        return p;
    }

    const char* value() const noexcept { return null_ ? nullptr : is_owned_ ? owned_.data() : view_.data(); }
    int length() const noexcept { return static_cast<int>(is_owned_ ? owned_.size() : view_.size()); }
    bool binary() const noexcept { return binary_; }
    bool null() const noexcept { return null_; }

private:
    std::string_view view_;
    std::string owned_;  // numbers are rendered here; value() points into it at call time
    bool is_owned_ = false;
    bool binary_ = false;
    bool null_ = false;
};

// Params as libpq's parallel arrays, for the one call they are built for. A text value is passed as
// a NUL-terminated copy: libpq reads text parameters up to their NUL, and a Param may view a string
// that has none.
class ParamArrays {
public:
    explicit ParamArrays(std::span<const Param> params);
    int count() const noexcept { return static_cast<int>(values_.size()); }
    const char* const* values() const noexcept { return values_.data(); }
    const int* lengths() const noexcept { return lengths_.data(); }
    const int* formats() const noexcept { return formats_.data(); }

private:
    std::vector<std::string> copies_;
    std::vector<const char*> values_;
    std::vector<int> lengths_;
    std::vector<int> formats_;
};

class Connection {
public:
    // `conninfo` is a libpq URL (postgresql://...) or key=value string. Throws Error.
    explicit Connection(const std::string& conninfo);

    Connection(Connection&&) noexcept = default;
    Connection& operator=(Connection&&) noexcept = default;

    // Runs one or more statements with the simple query protocol (so a whole migration file can be
    // sent at once); returns the last statement's result. Throws Error on the first failure.
    Result exec(std::string_view sql);
    // Runs one statement with $1..$n parameters (extended protocol, never interpolated).
    Result exec_params(std::string_view sql, std::initializer_list<Param> params);
    Result exec_params(std::string_view sql, std::span<const Param> params);

    // `COPY ... FROM STDIN` (text format) fed with `data`, whole rows each ending in a newline.
    // Returns the rows copied.
    std::uint64_t copy_in(std::string_view copy_sql, std::string_view data);

    // LISTEN's side: reads what has arrived on socket() without blocking and appends the payloads of
    // the notifications received since the last call to `out`. Throws when the connection broke.
    // Poll socket() for readability to wait for the next one.
    void take_notifications(std::vector<std::string>& out);
    int socket() const noexcept { return PQsocket(conn_.get()); }

    std::string escape_identifier(std::string_view name) const;
    std::string escape_literal(std::string_view value) const;

    std::string database() const { return PQdb(conn_.get()); }
    PGconn* raw() const noexcept { return conn_.get(); }

private:
    friend class Pipeline;
    Result check(PGresult* res) const;
    struct Finish {
        void operator()(PGconn* c) const noexcept { PQfinish(c); }
    };
    std::unique_ptr<PGconn, Finish> conn_;
};

// libpq's pipeline mode on a connection, for as long as this object lives: the statements queued
// with send() and send_prepared() go out without waiting for each other's results, sync() ends
// the batch and reads every result. One round trip for the batch instead of one per statement.
// The server runs them in order, each seeing the ones before it; outside an explicit transaction
// the batch is one implicit transaction, inside one the statements are part of it. After a failed
// statement the rest of the batch is skipped (PostgreSQL's rule), so a COMMIT queued last is not
// run and the transaction stays failed for its ROLLBACK.
//
// COPY and multi-statement strings are not allowed here (extended protocol, one statement each).
// The connection stays blocking: a batch's results are read only after it is all sent, which is
// safe while they are small (command tags, a few rows), not for statements returning large results.
class Pipeline {
public:
    explicit Pipeline(Connection& conn);  // throws Error
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;
    // Leaves pipeline mode; a batch not synced is sent with a Sync and its results discarded.
    ~Pipeline();

    // Queue a statement (one with $1..$n parameters, or one prepared on this connection); its
    // result is the next one in sync()'s vector. Throw Error when libpq cannot queue it (the
    // connection broke).
    void send(std::string_view sql, std::span<const Param> params = {});
    void send_prepared(const std::string& name, std::span<const Param> params = {});

    // Sends a Sync and reads the result of every statement queued since the last one, in order.
    // Throws the first statement's Error, after reading them all so the connection is usable.
    std::vector<Result> sync();

private:
    void queued(int ok, const char* what);
    void discard() noexcept;
    Connection& conn_;
    std::size_t queued_ = 0;  // statements sent since the last Sync
    int syncs_ = 0;           // Syncs sent whose result was not read yet
};

// BEGIN on construction; ROLLBACK on destruction unless commit() was called (a failed statement or
// an exception leaves nothing behind).
class Transaction {
public:
    explicit Transaction(Connection& conn);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    void commit();
    // Queues the COMMIT last in `batch` and runs the batch (Pipeline::sync(), which throws the
    // first failure): the transaction's last statements and its end in one round trip. Committed
    // only when the whole batch passed; else this object's destructor rolls back, after `batch`
    // has left pipeline mode (declare the Pipeline after the Transaction).
    void commit(Pipeline& batch);

private:
    Connection& conn_;
    bool done_ = false;
};

}  // namespace swarmline::db
