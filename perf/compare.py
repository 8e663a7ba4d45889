#!/usr/bin/python3
"""Side-by-side tracker benchmark: Swarmline's dataplane, Debian's opentracker and trivial UDP and
HTTP responders (the kernel-path ceilings), each pinned to core 0, the load generator pinned to
core 1, the same load at each in turn, several rounds alternating. Run through perf/compare.sh, which
builds what it needs; see perf/README.md for what each part measures.

Every server is started by this script, waited for by a readiness signal (its ready line, or an
answered request), and stopped by its pid; every load run is bounded in time. Results go to
perf/results/<time>/ (git-ignored): the raw JSON of each run, summary.md, and the PNG plots.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
# Servers and load generator run at this nice level (set from --nice): on a machine shared with
# builds, a raised priority keeps the others' share of the two cores small during a run. With
# autogroup scheduling (one group per session) nice only ranks tasks within their group, so the
# script also sets its session's group to the same level; the servers stay in that session.
NICE = ["nice", "-n", "0"]
# A closed-loop run during which other processes took more than --max-others of the two cores is
# run again (up to this many times), keeping the least disturbed one.
RETRIES_WHEN_DISTURBED = 2


def raise_priority(level, realtime):
    if realtime:
        # SCHED_FIFO: a waking server or load generator preempts any other process at once. The
        # kernel's real-time throttling still leaves others 5 % of each core.
        NICE[:] = ["chrt", "-f", "10"]
        return
    NICE[2] = str(level)
    try:
        with open("/proc/self/autogroup", "w") as f:
            f.write(str(level))
    except OSError as e:
        log(f"autogroup nice not set ({e}); nice {level} only ranks within the session")
SERVER_CORE = "0"
LOADGEN_CORE = "1"
# The default workload (aquatic's UDP load test): 1M torrents, 2M peers. The dataplane's tables
# are sized with room to spare so that no run is limited by a full table.
TORRENTS = 1_000_000
PEERS = 2_000_000


def log(msg):
    print(f"[compare] {msg}", file=sys.stderr, flush=True)


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def proc_cpu_s(pid):
    """User + system CPU seconds of a process, all its threads (fields 14 and 15 of stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            v = v.strip()
            if v.endswith(" kB"):
                out[k] = int(v[:-3])
    return out


def cores_busy_s():
    """CPU seconds the two benchmark cores spent in processes since boot (user, nice, system).
    Interrupt and softirq time is left out: on loopback it is mostly the benchmark's own packets,
    and it is not charged to any process."""
    busy = {}
    with open("/proc/stat") as f:
        for line in f:
            name, *vals = line.split()
            if name in ("cpu" + SERVER_CORE, "cpu" + LOADGEN_CORE):
                v = [int(x) for x in vals]
                busy[name] = (v[0] + v[1] + v[2]) / CLK_TCK
    return sum(busy.values())


class Server:
    """A process pinned to the server core, stopped by its pid."""

    def __init__(self, name, cmd, workdir, cwd=None):
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = open(self.log_path, "w")
        log(f"start {name}: {' '.join(cmd)}")
        self.proc = subprocess.Popen(NICE + ["taskset", "-c", SERVER_CORE] + cmd, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=cwd)
        self.pid = self.proc.pid
        self.udp = None
        self.http = None
        self.admin = None

    def wait_for_line(self, pattern, timeout=60):
        """Waits for a line matching `pattern` in the log (the server's readiness signal)."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        with open(self.log_path) as f:
            buf = ""
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
                chunk = f.read()
                if chunk:
                    buf += chunk
                    for line in buf.splitlines():
                        m = rx.search(line)
                        if m:
                            return m
                    continue
                # The log is a file, not a pipe: nothing to block on, so look again shortly.
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready after {timeout} s; see {self.log_path}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_ceiling(bins, workdir):
    s = Server("ceiling", [bins["ceiling"], "--udp", "127.0.0.1:0", "--duration", "7200"], workdir)
    m = s.wait_for_line(r"msg=ready udp=(\S+)")
    s.udp = m.group(1)
    return s


def start_http_ceiling(bins, workdir):
    s = Server("ceiling-http", [bins["http_ceiling"], "--http", "127.0.0.1:0", "--duration", "7200"], workdir)
    s.name = "ceiling"  # the same row name as over UDP: the ceiling of the protocol at hand
    m = s.wait_for_line(r"msg=ready http=(\S+)")
    s.http = m.group(1)
    return s


def start_dataplane(bins, workdir, name, peers, torrents):
    shm = f"/dev/shm/swarmline-perf-{os.getpid()}-{name}"
    if os.path.exists(shm):
        os.unlink(shm)
    # One shard (one worker): its tables hold the whole workload with a quarter to spare.
    cmd = [bins["dataplane"], "--open", "--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--admin", "127.0.0.1:0",
           "--workers", "1", "--cores", SERVER_CORE, "--shm", shm,
           "--peers-per-shard", str(peers + peers // 4), "--torrents-per-shard", str(torrents + torrents // 4)]
    s = Server(name, cmd, workdir)
    s.shm = shm
    m = s.wait_for_line(r"msg=ready .*udp=(\S+) http=(\S+) admin=(\S+)", timeout=120)
    s.udp, s.http, s.admin = m.group(1), m.group(2), m.group(3)
    return s


def opentracker_ready(http, info_hash_hex):
    """True once opentracker answers an announce for a whitelisted hash: the whitelist is loaded."""
    q = urllib.parse.urlencode({"info_hash": bytes.fromhex(info_hash_hex), "peer_id": b"-SLREADY-00000000000",
                                "port": "1", "uploaded": "0", "downloaded": "0", "left": "0", "event": "stopped",
                                "compact": "1"})
    try:
        with urllib.request.urlopen(f"http://{http}/announce?{q}", timeout=2) as r:
            return b"failure reason" not in r.read()
    except OSError:
        return False


def start_opentracker(bins, workdir, name, whitelist):
    root = os.path.join(workdir, name)
    os.makedirs(root, exist_ok=True)
    shutil.copy(whitelist, os.path.join(root, "whitelist.txt"))
    port_u, port_t = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    conf = os.path.join(root, "opentracker.conf")
    with open(conf, "w") as f:
        # opentracker chroots into tracker.rootdir (when run as root), so the whitelist path is
        # relative to it; stats are allowed from loopback for the peer count.
        f.write(f"listen.udp 127.0.0.1:{port_u}\nlisten.tcp 127.0.0.1:{port_t}\naccess.whitelist /whitelist.txt\n"
                f"access.stats 127.0.0.1\ntracker.rootdir {root}\n")
    s = Server(name, [bins["opentracker"], "-f", conf], workdir)
    s.udp, s.http = f"127.0.0.1:{port_u}", f"127.0.0.1:{port_t}"
    with open(whitelist) as f:
        first = f.readline().strip()
    deadline = time.monotonic() + 120
    while not opentracker_ready(s.http, first):
        if s.proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"opentracker did not become ready; see {s.log_path}")
        time.sleep(0.1)
    return s


def peers_reported(server):
    """The tracker's own count of the peers it holds."""
    if server.name.startswith("opentracker"):
        with urllib.request.urlopen(f"http://{server.http}/stats?mode=peer", timeout=10) as r:
            return int(r.read().split()[0])
    with urllib.request.urlopen(f"http://{server.admin}/metrics", timeout=10) as r:
        total = 0
        for line in r.read().decode().splitlines():
            if line.startswith("swarmline_peers{"):
                total += int(float(line.split()[-1]))
        return total


def run_loadgen(bins, workdir, tag, server, args, duration):
    """One bounded load run against `server`; returns the loadgen's JSON report plus the server's
    CPU and the CPU others used on the two benchmark cores meanwhile."""
    cmd = NICE + ["taskset", "-c", LOADGEN_CORE, bins["loadgen"], "--cores", LOADGEN_CORE, "--json",
           "--duration", str(duration)] + args
    cpu0, busy0, t0 = proc_cpu_s(server.pid), cores_busy_s(), time.monotonic()
    lg = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    cpu1, busy1, t1 = proc_cpu_s(server.pid), cores_busy_s(), time.monotonic()
    if lg.returncode != 0:
        raise RuntimeError(f"loadgen failed ({tag}): {lg.stderr.strip()}")
    r = json.loads(lg.stdout)
    lg_cpu = r["loadgen"]["process_cpu_s"]
    r["server_cpu_s"] = cpu1 - cpu0
    # What ran on the two cores besides the server and the load generator (other engineers'
    # builds on a shared machine): a run with much of it is noise, and the table says so.
    r["other_cpu_percent"] = max(0.0, 100.0 * ((busy1 - busy0) - (cpu1 - cpu0) - lg_cpu) / (2 * (t1 - t0)))
    r["tag"] = tag
    with open(os.path.join(workdir, "runs.jsonl"), "a") as f:
        f.write(json.dumps(r) + "\n")
    return r


def target_url(server, proto):
    return f"{proto}://{server.udp if proto == 'udp' else server.http}" + ("/announce" if proto == "http" else "")


def closed_loop(bins, workdir, subjects, proto, rounds, duration, max_others):
    """`subjects`: (label, server, load generator arguments) run in turn, alternating order."""
    results = {label: [] for label, _, _ in subjects}
    for rnd in range(rounds):
        order = subjects if rnd % 2 == 0 else list(reversed(subjects))
        for label, s, args in order:
            # A datagram the server dropped holds its window slot until the timeout: a short one
            # keeps drops from shrinking the window (answers come within milliseconds).
            r = run_loadgen(bins, workdir, f"{proto}-closed-{label}-{rnd}", s,
                            ["--target", target_url(s, proto), "--timeout-ms", "250"] + args, duration)
            for _ in range(RETRIES_WHEN_DISTURBED):
                if r["other_cpu_percent"] <= max_others:
                    break
                log(f"{proto} round {rnd + 1} {label}: others took {r['other_cpu_percent']:.0f} % of the cores, "
                    "running it again")
                again = run_loadgen(bins, workdir, f"{proto}-closed-{label}-{rnd}-again", s,
                                    ["--target", target_url(s, proto), "--timeout-ms", "250"] + args, duration)
                if again["other_cpu_percent"] < r["other_cpu_percent"]:
                    r = again
            log(f"{proto} round {rnd + 1} {label}: {r['responses_per_s']:.0f} responses/s, "
                f"p99 {r['latency_us']['p99']:.0f} us, server CPU {r['server_cpu_s']:.2f} s, "
                f"others {r['other_cpu_percent']:.0f} %")
            results[label].append(r)
    return results


def sweep(bins, workdir, servers, proto, rates, duration, in_flight):
    points = {s.name: [] for s in servers}
    for rate in rates:
        for s in servers:
            r = run_loadgen(bins, workdir, f"{proto}-open-{s.name}-{rate}", s,
                            ["--target", target_url(s, proto), "--rate", str(rate), "--in-flight", str(in_flight)],
                            duration)
            points[s.name].append((rate, r["responses_per_s"], r["latency_us"]["p99"], r["latency_us"]["p50"]))
            log(f"{proto} sweep {s.name} at {rate}/s: {r['responses_per_s']:.0f} responses/s, "
                f"p99 {r['latency_us']['p99']:.0f} us")
    return points


def summarize(results, reference):
    """Median over rounds per server, and the ratio to `reference` (opentracker)."""
    rows = []
    ref = statistics.median(r["responses_per_s"] for r in results[reference]) if reference in results else None
    for name, runs in results.items():
        rps = [r["responses_per_s"] for r in runs]
        med = statistics.median(rps)
        p99 = statistics.median(r["latency_us"]["p99"] for r in runs)
        responses = sum(r["responses"] for r in runs)
        cpu = sum(r["server_cpu_s"] for r in runs)
        rows.append({
            "name": name, "rps": med, "min": min(rps), "max": max(rps),
            "announce_rps": statistics.median(r["by_kind"]["announce"]["responses_per_s"] for r in runs),
            "peers_per_announce": sum(r["response_peers"] for r in runs) / max(1, sum(r["by_kind"]["announce"]["responses"]
                                                                                  for r in runs)),
            "ratio": med / ref if ref else float("nan"), "p99": p99,
            "cpu_ms_per_1k": 1e6 * cpu / responses if responses else float("nan"),
            "errors": sum(r["error_responses"] + r["timeouts"] + r["invalid"] for r in runs),
            "loadgen_cpu": statistics.median(r["loadgen"]["worker_user_percent"] + r["loadgen"]["worker_sys_percent"]
                                             for r in runs),
            "others": max(r["other_cpu_percent"] for r in runs),
        })
    return rows


def bar_line(proto, rows, bar):
    """Issue 5's bar for the dataplane (2x opentracker's UDP responses per core, 10x its HTTP), read
    off the table, next to what the ceiling allows on this machine."""
    ratios = {r["name"]: r["ratio"] for r in rows}
    ours = {n: v for n, v in ratios.items() if n.startswith("swarmline")}
    if not ours:
        return ""
    found = ", ".join(f"{n} {v:.2f}x" for n, v in ours.items())
    ceilings = ", ".join(f"{n} {v:.2f}x" for n, v in ratios.items() if n.startswith("ceiling"))
    meeting = [n for n, v in ours.items() if v >= bar]
    met = f"met by {', '.join(meeting)}" if meeting else "not met"
    return f"Bar ({proto}, at least {bar:g}x opentracker): {found} - {met}; the ceiling allows {ceilings}.\n"


def table(title, rows):
    out = [f"### {title}", "",
           "| server | responses/s (median) | min..max | of them announces/s | ratio to opentracker | p99 (us) "
           "| peers per announce | server CPU ms per 1k responses | errors+timeouts | loadgen CPU % "
           "| others' CPU % (max) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['name']} | {r['rps']:.0f} | {r['min']:.0f}..{r['max']:.0f} | {r['announce_rps']:.0f} "
                   f"| {r['ratio']:.2f} | {r['p99']:.0f} | {r['peers_per_announce']:.1f} "
                   f"| {r['cpu_ms_per_1k']:.1f} | {r['errors']} | {r['loadgen_cpu']:.0f} | {r['others']:.0f} |")
    return "\n".join(out) + "\n"


def plot(workdir, proto, points, png):
    """Throughput and p99 latency against offered load, one line per server (gnuplot)."""
    if not shutil.which("gnuplot"):
        log("gnuplot not found (apt-get install gnuplot-nox): no plot")
        return False
    files = []
    for name, pts in points.items():
        path = os.path.join(workdir, f"sweep-{proto}-{name}.dat")
        with open(path, "w") as f:
            f.write("# offered achieved p99_us p50_us\n")
            for p in pts:
                f.write(" ".join(str(x) for x in p) + "\n")
        files.append((name, path))
    tp = ", ".join(f"'{p}' using ($1/1000):($2/1000) with linespoints title '{n}'" for n, p in files)
    lat = ", ".join(f"'{p}' using ($1/1000):($3/1000) with linespoints title '{n}'" for n, p in files)
    script = f"""set terminal pngcairo size 1200,500
set output '{png}'
set multiplot layout 1,2 title '{proto.upper()} announce load, server on one core, load generator on another'
set xlabel 'offered load (k requests/s)'
set ylabel 'responses/s (k)'
set key top left
set grid
plot {tp}, x with lines dashtype 2 lc 'gray' title 'offered'
set ylabel 'p99 latency (ms)'
set logscale y
plot {lat}
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    return True


def memory(bins, workdir, sizes, kinds, whitelist_for):
    """Peak RSS and shared memory of each tracker holding N peers, loaded by --fill."""
    rows = []
    for n in sizes:
        torrents = max(1, n // 2)
        for kind in kinds:
            name = f"{kind}-mem-{n}"
            s = (start_dataplane(bins, workdir, name, n, torrents) if kind == "swarmline"
                 else start_opentracker(bins, workdir, name, whitelist_for(torrents)))
            try:
                before = proc_status(s.pid)
                # Many sockets: each peer keeps one source address, and more addresses keep peers of
                # one torrent apart on opentracker, which keys peers by address and port. Torrents
                # are drawn uniformly: N/2 torrents of about 2 peers each.
                r = run_loadgen(bins, workdir, f"memory-{name}", s,
                                ["--target", target_url(s, "udp"), "--fill", "--peers", str(n), "--torrents",
                                 str(torrents), "--sockets-per-worker", "64", "--in-flight", "32",
                                 "--pareto-shape", "0"], 900)
                after = proc_status(s.pid)
                held = peers_reported(s)
                shm_bytes = shm_alloc = 0
                if kind == "swarmline":
                    st = os.stat(s.shm)
                    shm_bytes, shm_alloc = st.st_size, st.st_blocks * 512
                grown = (after.get("VmRSS", 0) - before.get("VmRSS", 0)) * 1024
                rows.append({"peers": n, "server": kind, "announced": r["by_kind"]["announce"]["responses"], "held": held,
                             "rss_before_mib": before.get("VmRSS", 0) / 1024, "peak_rss_mib": after.get("VmHWM", 0) / 1024,
                             "rss_shmem_mib": after.get("RssShmem", 0) / 1024,
                             "shm_size_mib": shm_bytes / 2**20, "shm_touched_mib": shm_alloc / 2**20,
                             "bytes_per_peer": grown / held if held else float("nan"),
                             "peak_per_peer": after.get("VmHWM", 0) * 1024 / held if held else float("nan"),
                             "errors": r["error_responses"] + r["timeouts"],
                             "fill_s": r["wall_s"]})
                log(f"memory {name}: {rows[-1]}")
            finally:
                s.stop()
                if kind == "swarmline" and os.path.exists(s.shm):
                    os.unlink(s.shm)
    return rows


def memory_table(rows):
    out = ["### Memory (peers loaded with `--fill`, one announce each)", "",
           "| peers announced | server | peers held | RSS before (MiB) | peak RSS (MiB) | of it shared memory (MiB) "
           "| segment size / touched (MiB) | bytes per peer (RSS growth / held) | peak RSS / held | errors+timeouts "
           "| fill time (s) |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        seg = f"{r['shm_size_mib']:.0f} / {r['shm_touched_mib']:.0f}" if r["server"] == "swarmline" else "-"
        out.append(f"| {r['announced']} | {r['server']} | {r['held']} | {r['rss_before_mib']:.0f} | {r['peak_rss_mib']:.0f} "
                   f"| {r['rss_shmem_mib']:.0f} | {seg} | {r['bytes_per_peer']:.0f} | {r['peak_per_peer']:.0f} | {r['errors']} "
                   f"| {r['fill_s']:.1f} |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--results", required=True, help="folder for this run's results")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5, help="seconds per closed-loop run")
    ap.add_argument("--sweep-duration", type=int, default=3, help="seconds per open-loop point")
    ap.add_argument("--udp-rates", default="25000,50000,100000,150000,200000,250000,300000")
    ap.add_argument("--http-rates", default="5000,10000,20000,40000,80000,120000")
    ap.add_argument("--udp-in-flight", type=int, default=256,
                    help="closed loop: window per socket (4 sockets); 256 saturates every server measured here")
    ap.add_argument("--http-in-flight", type=int, default=256,
                    help="closed loop: connections, one request in flight each (256: near the peak of both trackers)")
    ap.add_argument("--http-pipeline", type=int, default=8,
                    help="also run Swarmline with this many pipelined requests per connection (same total "
                         "in flight); 1: not")
    ap.add_argument("--sweep-udp-in-flight", type=int, default=1024,
                    help="open loop: window per socket, large so that the schedule, not the window, sets the load")
    ap.add_argument("--sweep-http-in-flight", type=int, default=512, help="open loop: connections")
    ap.add_argument("--memory-peers", default="1000000,10000000")
    ap.add_argument("--parts", default="udp,http,sweep,memory")
    ap.add_argument("--nice", type=int, default=-15 if os.geteuid() == 0 else 0,
                    help="nice level of the servers and the load generator (negative needs root)")
    ap.add_argument("--realtime", action="store_true",
                    help="run servers and load generator SCHED_FIFO (chrt -f 10) instead of nice: for a machine "
                         "others are using; they get 5 %% of the two cores while it runs")
    ap.add_argument("--max-others", type=float, default=20.0,
                    help="closed loop: run again (twice at most) when other processes took more than this %% of "
                         "the two cores")
    ap.add_argument("--without-swarmline", action="store_true", help="opentracker and the ceiling only")
    a = ap.parse_args()
    raise_priority(a.nice, a.realtime)
    parts = set(a.parts.split(","))
    os.makedirs(a.results, exist_ok=True)
    workdir = a.results
    bins = {"loadgen": os.path.join(a.build_dir, "perf/loadgen/swarmline-loadgen"),
            "ceiling": os.path.join(a.build_dir, "perf/loadgen/swarmline-udp-ceiling"),
            "http_ceiling": os.path.join(a.build_dir, "perf/loadgen/swarmline-http-ceiling"),
            "dataplane": os.path.join(a.build_dir, "dataplane/daemon/swarmline-dataplane"),
            "opentracker": shutil.which("opentracker") or "/usr/bin/opentracker"}
    with_swarmline = not a.without_swarmline and os.access(bins["dataplane"], os.X_OK)
    if not with_swarmline:
        log("without Swarmline's dataplane: " + ("asked to" if a.without_swarmline else "not built"))

    whitelists = {}

    def whitelist_for(torrents):
        if torrents not in whitelists:
            path = os.path.join(workdir, f"whitelist-{torrents}.txt")
            subprocess.run([bins["loadgen"], "--torrents", str(torrents), "--dump-info-hashes", path], check=True)
            whitelists[torrents] = path
        return whitelists[torrents]

    md = [f"# Swarmline perf comparison, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC", "",
          f"Machine: {os.cpu_count()} cores, kernel {os.uname().release}; servers pinned to core {SERVER_CORE}, "
          f"load generator to core {LOADGEN_CORE}; all at {'SCHED_FIFO 10' if a.realtime else f'nice {a.nice}'}; "
          "loopback only.",
          f"Workload: {TORRENTS} torrents, {PEERS} peers, 75 % seeders, numwant 30, announce:scrape:connect = 100:1:1, "
          "scrapes of 1..10 hashes (aquatic's UDP load test defaults).",
          f"Command: `{' '.join(sys.argv)}`", ""]
    servers = []
    try:
        servers.append(start_ceiling(bins, workdir))
        if with_swarmline:
            servers.append(start_dataplane(bins, workdir, "swarmline", PEERS, TORRENTS))
        servers.append(start_opentracker(bins, workdir, "opentracker", whitelist_for(TORRENTS)))
        trackers = servers[1:]
        http_ceiling = start_http_ceiling(bins, workdir)
        servers.append(http_ceiling)
        udp_servers = servers[:-1]
        http_servers = [http_ceiling] + trackers
        if "udp" in parts:
            res = closed_loop(bins, workdir, [(s.name, s, ["--in-flight", str(a.udp_in_flight)]) for s in udp_servers],
                              "udp", a.rounds, a.duration, a.max_others)
            rows = summarize(res, "opentracker")
            md.append(table(f"UDP, closed loop ({a.rounds} rounds of {a.duration} s, alternating; "
                            f"4 sockets x {a.udp_in_flight} in flight)", rows))
            md.append(bar_line("UDP", rows, 2.0))
        if "http" in parts:
            subjects = [(s.name, s, ["--in-flight", str(a.http_in_flight)]) for s in http_servers]
            if a.http_pipeline > 1:
                # The same servers with pipelined requests, which opentracker does not serve (it
                # answers one request per connection).
                conns = max(1, a.http_in_flight // a.http_pipeline)
                pipelined = ["--in-flight", str(conns), "--pipeline", str(a.http_pipeline)]
                for s in reversed(http_servers[:2] if with_swarmline else http_servers[:1]):
                    subjects.insert(2 if with_swarmline else 1,
                                    (f"{s.name}-pipelined-{conns}x{a.http_pipeline}", s, pipelined))
            res = closed_loop(bins, workdir, subjects, "http", a.rounds, a.duration, a.max_others)
            rows = summarize(res, "opentracker")
            md.append(table(f"HTTP, closed loop ({a.rounds} rounds of {a.duration} s, alternating; "
                            f"{a.http_in_flight} connections, one request in flight each, keep-alive where the "
                            "server allows it)", rows))
            md.append(bar_line("HTTP", rows, 10.0))
        if "sweep" in parts:
            for proto, rates, subjects, in_flight in (
                    ("udp", a.udp_rates, udp_servers, a.sweep_udp_in_flight),
                    ("http", a.http_rates, http_servers, a.sweep_http_in_flight)):
                pts = sweep(bins, workdir, subjects, proto, [int(x) for x in rates.split(",")], a.sweep_duration,
                            in_flight)
                png = os.path.join(workdir, f"sweep-{proto}.png")
                if plot(workdir, proto, pts, png):
                    md.append(f"### {proto.upper()} open loop: throughput and p99 against offered load\n\n"
                              f"![{proto} sweep](sweep-{proto}.png)\n")
                lines = ["| offered/s | " + " | ".join(f"{n} responses/s | {n} p99 (us)" for n in pts) + " |",
                         "|---:|" + "---:|---:|" * len(pts)]
                for i, rate in enumerate(int(x) for x in rates.split(",")):
                    lines.append(f"| {rate} | " + " | ".join(f"{pts[n][i][1]:.0f} | {pts[n][i][2]:.0f}" for n in pts) + " |")
                md.append("\n".join(lines) + "\n")
    finally:
        for s in servers:
            s.stop()
            if hasattr(s, "shm") and os.path.exists(s.shm):
                os.unlink(s.shm)
    if "memory" in parts:
        sizes = [int(x) for x in a.memory_peers.split(",")]
        kinds = (["swarmline"] if with_swarmline else []) + ["opentracker"]
        md.append(memory_table(memory(bins, workdir, sizes, kinds, whitelist_for)))
    # The whitelists (41 bytes per torrent, up to 5M torrents, and a copy per opentracker) are
    # derived from --torrents and --seed: regenerable, not worth keeping.
    for dirpath, _, files in os.walk(workdir):
        for name in files:
            if name.startswith("whitelist") and name.endswith(".txt"):
                os.unlink(os.path.join(dirpath, name))
    with open(os.path.join(workdir, "summary.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))
    log(f"results in {workdir}")


if __name__ == "__main__":
    main()
