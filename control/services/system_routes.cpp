// Operations: /health (is PostgreSQL answering), /metrics (Prometheus), the public site settings,
// and site settings for administrators.
#include "http/api_error.hpp"
#include "http/json_input.hpp"
#include "http/json_writer.hpp"
#include "services/handlers.hpp"

namespace swarmline::control {

using http::ApiError;
using http::JsonInput;
using http::JsonWriter;
using http::Response;

Response get_health(Ctx& c) {
    static const Statement kPing{"health_ping", "SELECT 1"};
    try {
        c.db().run(kPing);
    } catch (const db::Error& e) {
        return Response::error(503, "database_unavailable", std::string("PostgreSQL: ") + e.what());
    }
    JsonWriter w;
    w.begin_object().field("status", "ok").field("database", "ok").end_object();
    return Response::json(w.take());
}

Response get_metrics(Ctx& c) {
    Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = c.app.metrics().render();
    return r;
}

namespace {

Response settings_json(const db::Result& r) {
    JsonWriter w;
    w.begin_object().key("settings").begin_object();
    for (int i = 0; i < r.rows(); ++i) w.key(r.get(i, 0)).raw(r.get(i, 1));
    w.end_object().end_object();
    return Response::json(w.take());
}

}  // namespace

Response get_site(Ctx& c) {
    static const Statement kPublic{"settings_public", "SELECT key, value::text FROM site_settings WHERE is_public ORDER BY key"};
    return settings_json(c.db().run(kPublic));
}

Response list_settings(Ctx& c) {
    static const Statement kAll{"settings_all", "SELECT key, value::text FROM site_settings ORDER BY key"};
    return settings_json(c.db().run(kAll));
}

Response put_setting(Ctx& c) {
    JsonInput in(c.req.body);
    const auto value = in.optional_raw("value");
    if (!value) throw ApiError::invalid("'value' is required");
    static const Statement kPut{"setting_put",
                                "UPDATE site_settings SET value = $2::jsonb, updated_by = $3 WHERE key = $1 "
                                "RETURNING key, value::text"};
    const auto r = c.db().run(kPut, {c.req.params.at(0), *value, c.me()});
    if (r.rows() == 0) throw ApiError::not_found("no such setting");
    return settings_json(r);
}

}  // namespace swarmline::control
