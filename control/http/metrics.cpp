#include "http/metrics.hpp"

#include <cstdio>

namespace swarmline::http {

namespace {

// Label values escape backslash, quote and newline (exposition format).
void append_label(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += "=\"";
    for (char c : value) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out.push_back(c);
    }
    out.push_back('"');
}

std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

}  // namespace

void Metrics::observe(std::string_view method, std::string_view route, unsigned status, double seconds) {
    std::lock_guard lock(mu_);
    ++requests_[{std::string(method), std::string(route), status}];
    auto& t = timings_[{std::string(method), std::string(route)}];
    ++t.count;
    t.seconds += seconds;
}

void Metrics::add_reading(std::string name, std::string help, std::string type, std::function<double()> read,
                          std::vector<std::pair<std::string, std::string>> labels) {
    std::lock_guard lock(mu_);
    readings_.push_back({std::move(name), std::move(help), std::move(type), std::move(read), std::move(labels)});
}

std::string Metrics::render() const {
    std::lock_guard lock(mu_);
    std::string out;
    out += "# HELP swarmline_http_requests_total HTTP requests answered, by route pattern and status.\n";
    out += "# TYPE swarmline_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
        out += "swarmline_http_requests_total{";
        append_label(out, "method", std::get<0>(key));
        out += ',';
        append_label(out, "route", std::get<1>(key));
        out += ',';
        append_label(out, "status", std::to_string(std::get<2>(key)));
        out += "} " + std::to_string(n) + "\n";
    }
    out += "# HELP swarmline_http_request_seconds Time spent in handlers, by route pattern.\n";
    out += "# TYPE swarmline_http_request_seconds summary\n";
    for (const auto& [key, t] : timings_) {
        std::string labels;
        append_label(labels, "method", key.first);
        labels += ',';
        append_label(labels, "route", key.second);
        out += "swarmline_http_request_seconds_sum{" + labels + "} " + number(t.seconds) + "\n";
        out += "swarmline_http_request_seconds_count{" + labels + "} " + std::to_string(t.count) + "\n";
    }
    // The exposition format wants a family's samples together under one HELP/TYPE, whatever order
    // they were added in.
    for (std::size_t i = 0; i < readings_.size(); ++i) {
        const auto& first = readings_[i];
        bool seen = false;
        for (std::size_t j = 0; j < i && !seen; ++j) seen = readings_[j].name == first.name;
        if (seen) continue;
        out += "# HELP " + first.name + " " + first.help + "\n";
        out += "# TYPE " + first.name + " " + first.type + "\n";
        for (std::size_t j = i; j < readings_.size(); ++j) {
            const auto& r = readings_[j];
            if (r.name != first.name) continue;
            out += r.name;
            if (!r.labels.empty()) {
                out += '{';
                for (std::size_t k = 0; k < r.labels.size(); ++k) {
                    if (k) out += ',';
                    append_label(out, r.labels[k].first, r.labels[k].second);
                }
                out += '}';
            }
            out += " " + number(r.read()) + "\n";
        }
    }
    return out;
}

}  // namespace swarmline::http
