#include "services/torrents/search_queue.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <vector>

namespace swarmline::control::torrents {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

// One JSON POST to Meilisearch; "" when it answered 2xx, else why not. Asynchronous operations
// under one deadline, so a server that stops answering cannot hold the worker.
std::string meili_post(const MeiliConfig& m, const std::string& target, const std::string& body) {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
    req.set(bhttp::field::host, m.host);
    req.set(bhttp::field::content_type, "application/json");
    if (!m.api_key.empty()) req.set(bhttp::field::authorization, "Bearer " + m.api_key);
    req.body() = body;
    req.prepare_payload();
    beast::flat_buffer buf;
    bhttp::response<bhttp::string_body> res;
    std::string error;
    stream.expires_after(m.timeout);
    resolver.async_resolve(m.host, std::to_string(m.port), [&](beast::error_code ec, asio::ip::tcp::resolver::results_type r) {
        if (ec) return void(error = "resolve: " + ec.message());
        stream.async_connect(r, [&](beast::error_code ec2, const asio::ip::tcp::endpoint&) {
            if (ec2) return void(error = "connect: " + ec2.message());
            bhttp::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
                if (ec3) return void(error = "send: " + ec3.message());
                bhttp::async_read(stream, buf, res, [&](beast::error_code ec4, std::size_t) {
                    if (ec4) error = "receive: " + ec4.message();
                });
            });
        });
    });
    io.run();
    if (!error.empty()) return error;
    if (res.result_int() / 100 != 2)
        return "Meilisearch answered " + std::to_string(res.result_int()) + ": " + res.body().substr(0, 500);
    return "";
}

}  // namespace

SearchQueueResult process_search_queue(PgConn& db, const MeiliConfig& meili, std::size_t batch) {
    SearchQueueResult result;
    static const Statement kReclaim{
        "search_queue_reclaim",
        "UPDATE search_index_queue SET status = 'pending', locked_at = NULL, locked_by = NULL "
        "WHERE status = 'processing' AND locked_at < now() - interval '10 minutes'"};
    db.run(kReclaim);
    // The payload is read at claim time; an item for a torrent that is gone is a delete.
    static const Statement kClaim{
        "search_queue_claim",
        "UPDATE search_index_queue q SET status = 'processing', locked_at = now(), locked_by = 'control', "
        "attempts = attempts + 1 WHERE id IN (SELECT id FROM search_index_queue WHERE status = 'pending' "
        "AND entity_type = 'torrent' AND next_attempt_at <= now() ORDER BY priority DESC, id LIMIT $1 "
        "FOR UPDATE SKIP LOCKED) RETURNING id, entity_id, operation, payload::text"};
    const auto rows = db.run(kClaim, {static_cast<std::int64_t>(batch)});
    std::vector<std::string> upserts, deletes;
    std::string documents = "[", ids = "[";
    for (int i = 0; i < rows.rows(); ++i) {
        const std::string id(rows.get(i, 0)), entity(rows.get(i, 1));
        if (rows.get(i, 2) == "delete") {
            deletes.push_back(id);
            ids += (ids.size() > 1 ? ",\"" : "\"") + entity + "\"";
        } else {
            upserts.push_back(id);
            // The payload is a JSON object; the document is it plus its primary key.
            std::string payload(rows.get(i, 3));
            const bool empty = payload.find_first_not_of("{} ") == std::string::npos;
            documents += (documents.size() > 1 ? "," : "") + std::string("{\"id\":\"") + entity + "\"" +
                         (empty ? "}" : "," + payload.substr(payload.find('{') + 1));
        }
    }
    documents += "]";
    ids += "]";
    const auto finish = [&](const std::vector<std::string>& items, const std::string& error) {
        if (items.empty()) return;
        std::string list = "{";
        for (const auto& id : items) list += (list.size() > 1 ? "," : "") + id;
        list += "}";
        if (error.empty()) {
            static const Statement kDone{
                "search_queue_done",
                "UPDATE search_index_queue SET status = 'completed', processed_at = now(), locked_at = NULL, "
                "locked_by = NULL, last_error = NULL WHERE id = ANY($1::bigint[])"};
            result.completed += db.run(kDone, {list}).affected_rows();
            return;
        }
        // Retry after 30 s, 1 min, 2 min ... at most an hour apart; give up after max_attempts.
        static const Statement kRetry{
            "search_queue_retry",
            "UPDATE search_index_queue SET locked_at = NULL, locked_by = NULL, last_error = $2, "
            "status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END, "
            "next_attempt_at = now() + make_interval(secs => least(3600, 30 * power(2, attempts - 1))) "
            "WHERE id = ANY($1::bigint[])"};
        result.failed += db.run(kRetry, {list, error.substr(0, 1000)}).affected_rows();
    };
    if (meili.host.empty()) {
        finish(upserts, "");
        finish(deletes, "");
    } else {
        const std::string base = "/indexes/" + meili.index + "/documents";
        if (!upserts.empty()) finish(upserts, meili_post(meili, base, documents));
        if (!deletes.empty()) finish(deletes, meili_post(meili, base + "/delete-batch", ids));
    }
    static const Statement kClean{
        "search_queue_clean",
        "DELETE FROM search_index_queue WHERE status = 'completed' AND processed_at < now() - interval '7 days'"};
    result.cleaned = db.run(kClean).affected_rows();
    return result;
}

}  // namespace swarmline::control::torrents
