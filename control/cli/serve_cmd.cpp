// `swarmline-control serve`: the web API and UI (Boost.Beast), the shm <-> PostgreSQL sync and the
// background jobs (control/jobs), until SIGINT or SIGTERM.
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/options.hpp"
#include "cli/commands.hpp"
#include "http/server.hpp"
#include "jobs/scheduler.hpp"
#include "jobs/site_jobs.hpp"
#include "services/app.hpp"
#include "swarmline_version.hpp"
#include "sync/sync_service.hpp"

namespace swarmline::control {

namespace {

constexpr std::string_view kUsage =
    "usage: swarmline-control serve [--config FILE] [--key value ...]\n"
    "  --config FILE     read the [control] section of FILE, then apply the command line\n"
    "  --print-config    print every option with its help and value (an example config file)\n";

struct ServeOptions {
    ControlConfig app;
    http::ServerConfig server;
    std::string listen = "127.0.0.1:8080";
    std::uint32_t io_threads = 1;
    std::uint32_t workers = 8;
    std::uint64_t body_limit = 1024 * 1024;
    std::uint64_t header_limit = 16 * 1024;
    std::uint32_t read_timeout_s = 30;
    std::uint32_t idle_timeout_s = 60;
    std::string log_level = "info";
    bool sync = true;
    jobs::SiteJobsOptions jobs;
    std::uint32_t smtp_port = 25;
    sync::SyncConfig sync_config;
};

void register_options(options::Registry& r, ServeOptions& o) {
    r.add("database-url", "libpq URL of the site database (default: the DATABASE_URL environment variable)",
          &o.app.database_url);
    r.add("listen", "HTTP address of the web API and UI, ADDRESS:PORT or [IPv6]:PORT (port 0: a free port)", &o.listen);
    r.add("io-threads", "threads that read and write HTTP connections", &o.io_threads);
    r.add("workers", "threads that run request handlers (each may hold one PostgreSQL connection)", &o.workers);
    r.add("pg-pool-size", "PostgreSQL connections for the handlers, at most", &o.app.pg_pool_size);
    r.add("body-limit", "largest request body in bytes (a larger one is answered 413)", &o.body_limit);
    r.add("header-limit", "largest request header block in bytes (a larger one is answered 431)", &o.header_limit);
    r.add("read-timeout-s", "seconds a client has to send a whole request", &o.read_timeout_s);
    r.add("idle-timeout-s", "seconds a keep-alive connection may wait for its next request", &o.idle_timeout_s);
    r.add("web-root", "folder of the web UI's files, served at / (empty: no UI)", &o.app.web_root);
    r.add("announce-url", "the tracker's public base URL; a member's announce URL is BASE/PASSKEY/announce",
          &o.app.announce_url);
    r.add("cookie-secure", "mark the session cookie Secure (set when a TLS proxy is in front)", &o.app.cookie_secure);
    r.add("session-hours", "lifetime of a session not marked 'remember me'", &o.app.session_hours);
    r.add("login-attempts-per-ip", "sign-in attempts one IP address may make per login window", &o.app.login_attempts_per_ip);
    r.add("login-failures-per-account", "failed sign-ins per account per login window before it is refused",
          &o.app.login_failures_per_account);
    r.add("login-window-s", "the login rate-limit window in seconds", &o.app.login_window_s);
    r.add("totp-max-failures", "wrong two-factor codes in a row before two-factor sign-in locks", &o.app.totp_max_failures);
    r.add("totp-lockout-s", "seconds two-factor sign-in stays locked", &o.app.totp_lockout_s);
    r.add("log-level", "debug, info, warn or error", &o.log_level);
    r.add("smtp-host", "SMTP relay that delivers the e-mail outbox (empty: mail stays in email_outbox)", &o.jobs.smtp.host);
    r.add("smtp-port", "its port", &o.smtp_port);
    r.add("smtp-from", "the sender address of the site's mail", &o.jobs.smtp.from);
    r.add("smtp-helo", "the name given in HELO and in Message-IDs", &o.jobs.smtp.helo);
    r.add("outbox-interval-s", "seconds between passes over the e-mail outbox", &o.jobs.outbox_interval_s);
    jobs::register_options(r, o.jobs);
    r.add("sync", "run the shm <-> PostgreSQL sync beside the web API (false: the web API alone)", &o.sync);
    sync::register_options(r, o.sync_config);
}

// "127.0.0.1:8080", "[::1]:8080" -> address and port; false when malformed.
bool split_listen(const std::string& listen, std::string& address, std::uint16_t& port) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon + 1 == listen.size()) return false;
    address = listen.substr(0, colon);
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
    char* end = nullptr;
    const unsigned long p = std::strtoul(listen.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || p > 65535) return false;
    port = static_cast<std::uint16_t>(p);
    return !address.empty();
}

}  // namespace

int cmd_serve(int argc, char** argv) {
    bool print_config = false;
    std::vector<char*> args{argv[0]};
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--print-config")
            print_config = true;
        else
            args.push_back(argv[i]);
    }
    const int n = static_cast<int>(args.size());

    ServeOptions o;
    if (const char* env = std::getenv("DATABASE_URL")) o.app.database_url = env;
    if (std::filesystem::is_directory(SWARMLINE_WEB_DIR)) o.app.web_root = SWARMLINE_WEB_DIR;
    options::Registry registry("control");
    register_options(registry, o);
    for (int i = 1; i < n; ++i) {
        if (std::string_view(args[i]) == "--help") {
            std::cout << kUsage << "options:\n";
            registry.print_help(std::cout);
            return 0;
        }
    }
    if (const auto file = options::Registry::find_config_arg(n, args.data(), 1); !file.empty()) {
        if (auto err = registry.load_file(file); !err.empty()) {
            std::cerr << "swarmline-control serve: " << err << "\n";
            return 2;
        }
    }
    if (auto err = registry.parse_args(n, args.data(), 1, nullptr); !err.empty()) {
        std::cerr << "swarmline-control serve: " << err << "\n";
        return 2;
    }
    if (print_config) {
        registry.print(std::cout);
        return 0;
    }
    log::Level level;
    if (!log::parse_level(o.log_level, level)) {
        std::cerr << "swarmline-control serve: log-level: '" << o.log_level << "' is not debug, info, warn or error\n";
        return 2;
    }
    log::set_level(level);
    if (o.app.database_url.empty()) {
        std::cerr << "swarmline-control serve: no database: set --database-url or DATABASE_URL\n";
        return 2;
    }
    if (!split_listen(o.listen, o.server.address, o.server.port)) {
        std::cerr << "swarmline-control serve: listen: '" << o.listen << "' is not ADDRESS:PORT\n";
        return 2;
    }
    o.server.io_threads = o.io_threads;
    o.server.worker_threads = o.workers;
    o.server.body_limit = o.body_limit;
    o.server.header_limit = o.header_limit;
    o.server.read_timeout = std::chrono::seconds(o.read_timeout_s);
    o.server.idle_timeout = std::chrono::seconds(o.idle_timeout_s);

    // Blocked before any thread starts, so every thread inherits the mask and only sigwait sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    sync::SyncService sync_service;
    if (o.sync) {
        o.sync_config.database_url = o.app.database_url;
        if (auto err = sync_service.start(o.sync_config); !err.empty()) {
            log::error("the sync cannot start", {{"error", err}});
            return 1;
        }
    }

    if (o.smtp_port == 0 || o.smtp_port > 65535) {
        std::cerr << "swarmline-control serve: smtp-port: " << o.smtp_port << " is not a port\n";
        return 2;
    }
    o.jobs.smtp.port = static_cast<std::uint16_t>(o.smtp_port);
    jobs::Scheduler scheduler(o.app.database_url);
    if (auto err = jobs::add_site_jobs(scheduler, o.jobs); !err.empty()) {
        std::cerr << "swarmline-control serve: " << err << "\n";
        return 2;
    }

    App app(o.app);
    scheduler.publish(app.metrics());
    scheduler.start();
    // The sync's counters appear on /metrics; each is read by name when scraped.
    sync_service.metrics().for_each([&](std::string_view name, std::string_view help, std::uint64_t, bool counter) {
        app.metrics().add_reading(std::string(name), std::string(help), counter ? "counter" : "gauge",
                                  [&sync_service, metric = std::string(name)] {
                                      double value = 0;
                                      sync_service.metrics().for_each(
                                          [&](std::string_view each, std::string_view, std::uint64_t v, bool) {
                                              if (each == metric) value = static_cast<double>(v);
                                          });
                                      return value;
                                  });
    });
    http::Server server(o.server, [&app](http::Request& req) { return app.handle(req); });
    struct Counter {
        const char* name;
        const char* help;
        const std::atomic<std::uint64_t>* value;
    };
    const auto& stats = server.stats();
    const Counter server_counters[] = {
        {"swarmline_http_connections_total", "HTTP connections accepted", &stats.connections},
        {"swarmline_http_rejected_oversized_total", "requests refused for their body or header size",
         &stats.rejected_oversized},
        {"swarmline_http_rejected_malformed_total", "requests refused as malformed HTTP", &stats.rejected_malformed},
        {"swarmline_http_timeouts_total", "connections closed by a read timeout", &stats.timeouts},
    };
    for (const auto& c : server_counters)
        app.metrics().add_reading(c.name, c.help, "counter",
                                  [v = c.value] { return static_cast<double>(v->load(std::memory_order_relaxed)); });
    try {
        server.start();
    } catch (const std::exception& e) {
        log::error("cannot listen", {{"listen", o.listen}, {"error", e.what()}});
        return 1;
    }
    log::info("swarmline-control serving", {{"version", SWARMLINE_VERSION},
                                            {"listen", o.server.address + ":" + std::to_string(server.port())},
                                            {"web_root", o.app.web_root},
                                            {"sync", o.sync ? "on" : "off"},
                                            {"smtp", o.jobs.smtp.host.empty() ? "off" : o.jobs.smtp.host},
                                            {"search", o.jobs.search.meili_host.empty() ? "postgresql" : "meilisearch"}});
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log::info("stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    server.stop();
    scheduler.stop();
    sync_service.stop();
    return 0;
}

}  // namespace swarmline::control
