#include "config.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <fstream>

namespace swarmline::loadgen {
namespace {

std::string parse_target(const std::string& url, Target& t) {
    std::string_view rest = url;
    if (rest.starts_with("udp://")) {
        t.protocol = Protocol::udp;
        rest.remove_prefix(6);
    } else if (rest.starts_with("http://")) {
        t.protocol = Protocol::http;
        rest.remove_prefix(7);
    } else {
        return "target '" + url + "': expected udp://HOST:PORT[/PATH] or http://HOST:PORT[/PATH]";
    }
    const auto slash = rest.find('/');
    const std::string_view hostport = rest.substr(0, slash);
    std::string path = slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash));
    const auto colon = hostport.rfind(':');
    if (colon == std::string_view::npos) return "target '" + url + "': no port";
    std::string_view host = hostport.substr(0, colon);
    std::uint16_t port = 0;
    const auto ps = hostport.substr(colon + 1);
    if (auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
        ec != std::errc{} || p != ps.data() + ps.size() || port == 0)
        return "target '" + url + "': bad port";
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        auto* a = reinterpret_cast<sockaddr_in6*>(&t.addr);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        if (inet_pton(AF_INET6, std::string(host.substr(1, host.size() - 2)).c_str(), &a->sin6_addr) != 1)
            return "target '" + url + "': bad IPv6 address";
        t.addr_len = sizeof(sockaddr_in6);
        t.v6 = true;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&t.addr);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        if (inet_pton(AF_INET, std::string(host).c_str(), &a->sin_addr) != 1)
            return "target '" + url + "': bad IPv4 address (names are not resolved)";
        t.addr_len = sizeof(sockaddr_in);
    }
    t.host = std::string(hostport);
    // HTTP needs a path; a UDP target without one sends no BEP 41 URL data.
    if (path.empty() && t.protocol == Protocol::http) path = "/announce";
    t.announce_path = path;
    t.scrape_path = path;
    if (auto at = path.rfind("announce"); at != std::string::npos) t.scrape_path.replace(at, 8, "scrape");
    return {};
}

}  // namespace

void Config::register_options(options::Registry& r) {
    r.add("target", "where to send: udp://IP:PORT[/PATH] or http://IP:PORT[/PATH]; repeatable, one protocol per run; "
          "PATH may hold {passkey} (HTTP path, or BEP 41 URL data over UDP)", &target_urls);
    r.add("duration", "seconds to run (the run stops by itself)", &duration_s);
    r.add("requests", "stop after sending this many requests in all, once they are answered or timed out; "
          "0: as many as --duration allows", &requests);
    r.add("workers", "worker threads, each with its own sockets", &workers);
    r.add("cores", "CPU of each worker, in order (e.g. 1,2); empty: not pinned", &cores);
    r.add("sockets-per-worker", "UDP sockets per worker, each bound to its own loopback address so "
          "SO_REUSEPORT spreads them over the tracker's workers", &sockets_per_worker);
    r.add("in-flight", "closed loop window: outstanding requests per UDP socket, or HTTP keep-alive "
          "connections per worker", &in_flight);
    r.add("pipeline", "HTTP: requests in flight on each keep-alive connection (HTTP/1.1 pipelining, 1..64); "
          "1: each waits for the previous answer", &pipeline);
    r.add("rate", "open loop: requests per second over all workers, latency measured from the "
          "scheduled send time; 0: closed loop (as fast as answers come back)", &rate);
    r.add("timeout-ms", "a request unanswered this long counts as a timeout", &timeout_ms);
    r.add("torrents", "number of torrents", &torrents);
    r.add("peers", "number of peers, spread over the torrents by popularity", &peers);
    r.add("peers-per-torrent", "when non-zero, peers = torrents x this (overrides --peers)", &peers_per_torrent);
    r.add("seeder-percent", "share of peers that are seeders (left = 0)", &seeder_percent);
    r.add("pareto-shape", "popularity skew: torrents drawn from Pareto(1, shape) capped at 101 and mapped "
          "onto the torrent range; larger crowds more peers onto the first torrents; 0: uniform", &pareto_shape);
    r.add("numwant", "peers wanted per announce", &numwant);
    r.add("scrape-max-hashes", "a scrape asks for 1..this many info_hashes (BEP 15 allows 74)", &scrape_max_hashes);
    r.add("weight-announce", "share of announces in the request mix", &weight_announce);
    r.add("weight-scrape", "share of scrapes in the request mix", &weight_scrape);
    r.add("weight-connect", "share of UDP connect requests in the mix (each refreshes the socket's "
          "connection id); ignored over HTTP", &weight_connect);
    r.add("completed-permille", "of a leecher's announces, per mille that send event=completed "
          "(the peer becomes a seeder)", &completed_permille);
    r.add("stopped-permille", "of an active peer's announces, per mille that send event=stopped "
          "(its next announce is started again)", &stopped_permille);
    r.add("connection-id-renew", "UDP: seconds after which a socket fetches a fresh connection id "
          "(BEP 15 ids live two minutes)", &connection_id_renew_s);
    r.add("passkey-file", "passkeys, one a line; peer i uses line i modulo their count ({passkey} in "
          "the target path); empty: none", &passkey_file);
    r.add("client-ipv4", "first loopback address the IPv4 sockets bind to; socket n uses this + n",
          &client_ipv4);
    r.add("fill", "announce every peer exactly once (event=started) and stop: loads a tracker with "
          "a known number of peers, e.g. to measure its memory", &fill);
    r.add("seed", "seed of the workload (info_hashes, peer ids, popularity)", &seed);
    r.add("json", "print the report as one JSON object", &json);
    r.add("dump-info-hashes", "write every info_hash (hex, one a line: opentracker's whitelist) to this "
          "file and exit", &dump_info_hashes);
}

std::uint64_t Config::request_budget(unsigned index) const noexcept {
    if (requests == 0) return UINT64_MAX;
    return requests / workers + (index < requests % workers ? 1 : 0);
}

std::string Config::resolve() {
    if (workers == 0) return "--workers must be at least 1";
    if (sockets_per_worker == 0) return "--sockets-per-worker must be at least 1";
    if (in_flight == 0 || in_flight > 32768) return "--in-flight must be 1..32768";
    if (pipeline == 0 || pipeline > kMaxPipeline) return "--pipeline must be 1.." + std::to_string(kMaxPipeline);
    if (torrents == 0) return "--torrents must be at least 1";
    if (peers_per_torrent != 0) {
        const std::uint64_t p = std::uint64_t{torrents} * peers_per_torrent;
        if (p > 0xffffffffu) return "--torrents x --peers-per-torrent exceeds 2^32";
        peers = static_cast<std::uint32_t>(p);
    }
    if (peers == 0) return "--peers must be at least 1";
    if (seeder_percent > 100) return "--seeder-percent is at most 100";
    if (scrape_max_hashes == 0 || scrape_max_hashes > 74) return "--scrape-max-hashes must be 1..74";
    if (weight_announce + weight_scrape + weight_connect == 0) return "the request weights are all zero";
    if (completed_permille + stopped_permille > 1000) return "--completed-permille + --stopped-permille exceed 1000";
    double shape = 0;
    if (auto [p, ec] = std::from_chars(pareto_shape.data(), pareto_shape.data() + pareto_shape.size(), shape);
        ec != std::errc{} || p != pareto_shape.data() + pareto_shape.size() || !(shape >= 0))
        return "--pareto-shape must be a number, 0 or more";
    workload = {torrents, peers, seeder_percent, shape, seed};

    targets.clear();
    if (target_urls.empty()) return "no --target";
    for (const auto& url : target_urls) {
        Target t;
        if (auto err = parse_target(url, t); !err.empty()) return err;
        if (!targets.empty() && t.protocol != targets.front().protocol) return "all targets must use one protocol";
        targets.push_back(std::move(t));
    }
    core_ids.clear();
    for (const auto& c : cores) {
        int id = -1;
        if (auto [p, ec] = std::from_chars(c.data(), c.data() + c.size(), id); ec != std::errc{} || id < 0)
            return "--cores: bad CPU '" + c + "'";
        core_ids.push_back(id);
    }
    if (!core_ids.empty() && core_ids.size() != workers) return "--cores must name one CPU per worker";
    in_addr a{};
    if (inet_pton(AF_INET, client_ipv4.c_str(), &a) != 1) return "--client-ipv4: bad address";
    first_client_ipv4 = ntohl(a.s_addr);

    passkeys.clear();
    if (!passkey_file.empty()) {
        std::ifstream in(passkey_file);
        if (!in) return passkey_file + ": cannot open";
        for (std::string line; std::getline(in, line);) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
            if (!line.empty() && line.front() != '#') passkeys.push_back(line);
        }
        if (passkeys.empty()) return passkey_file + ": no passkeys";
    }
    for (const auto& t : targets)
        if ((t.announce_path.find("{passkey}") != std::string::npos) != !passkeys.empty())
            return "a target path holds {passkey} exactly when --passkey-file is given";
    return {};
}

}  // namespace swarmline::loadgen
