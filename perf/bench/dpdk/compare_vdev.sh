#!/usr/bin/env bash
# The load generator against swarmline-dataplane with --backend dpdk and with --backend io_uring,
# through the same veth pair between two network namespaces, in alternating rounds:
#   dpdk      the server's veth end driven by net_af_packet (--no-huge), the kernel kept off it
#   io_uring  the server's veth end is an ordinary kernel interface holding the address
# One server worker, the load generator, both at nice -15, on cores of their own (below). As root.
#
#   perf/bench/dpdk/compare_vdev.sh [BUILD_DIR] [ROUNDS] [SECONDS]
#
# Each run's JSON report is kept in perf/results/vdev-<time>/ (git-ignored); the script ends with a
# table per protocol and backend: the median responses/s over the rounds with their min..max, and
# the median of the rounds' p99 latency.
#
# What this measures is the virtual-device set-up, not a NIC: net_af_packet moves every frame
# through a packet socket (a system call per transmit burst), so it says how the two backends
# compare over veth, and that the DPDK path holds up under load; the per-core cost of the fast
# path itself is bench_dpdk's.
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
seconds=${3:-5}
dataplane=$build/dataplane/daemon/swarmline-dataplane
loadgen=$build/perf/loadgen/swarmline-loadgen
[ -x "$dataplane" ] && [ -x "$loadgen" ] || { echo "build $dataplane and $loadgen first" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
out=$(cd "$(dirname "$0")/../../.." && pwd)/perf/results/vdev-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$out"

# Cores (SERVER_CORE, HTTP_CORE, LOADGEN_CORE override them): the server's one worker on the first
# core, the load generator alone on the last. With --backend dpdk HTTP is served by an io_uring
# thread behind the exception tap: it gets a core of its own when there is a third one, else it
# shares the DPDK worker's core, where it waits for the poller's time slices (the HTTP figures of
# dpdk are then a floor). Never the load generator's core: it would take the load generator's time
# and the comparison would measure the load generator.
ncores=$(nproc)
server_core=${SERVER_CORE:-0}
loadgen_core=${LOADGEN_CORE:-$((ncores - 1))}
if [ -z "${HTTP_CORE:-}" ]; then
  HTTP_CORE=$server_core
  for ((core = 0; core < ncores; core++)); do
    if [ "$core" != "$server_core" ] && [ "$core" != "$loadgen_core" ]; then HTTP_CORE=$core; break; fi
  done
fi
http_core=$HTTP_CORE
[ "$server_core" != "$loadgen_core" ] && [ "$http_core" != "$loadgen_core" ] ||
  { echo "the load generator's core ($loadgen_core) must be its own" >&2; exit 1; }
echo "cores: server worker $server_core, dpdk HTTP worker $http_core, load generator $loadgen_core" \
  "$([ "$http_core" = "$server_core" ] && echo "(no third core: dpdk's HTTP worker shares the poller's)")"

s=swl-cmp-s$$ c=swl-cmp-c$$ vs=swcs$$ vc=swcc$$ net=10.77.250
log=$(mktemp)
shm=/dev/shm/swl-cmp-$$
cleanup() { ip netns del "$s" 2>/dev/null || true; ip netns del "$c" 2>/dev/null || true; rm -f "$log" "$shm"; }
trap cleanup EXIT
ip netns add "$s"; ip netns add "$c"
ip -n "$s" link add "$vs" type veth peer name "$vc"
ip -n "$s" link set "$vc" netns "$c"
ip -n "$s" link set lo up; ip -n "$s" link set "$vs" up
ip -n "$c" link set lo up; ip -n "$c" link set "$vc" up
for i in 10 11 12 13; do ip -n "$c" addr add $net.$i/24 dev "$vc"; done  # the load generator's 4 sockets
# A veth leaves checksums to the receiver (offload); net_af_packet passes the frames on as they are,
# and the server's kernel behind the tap would drop such TCP segments: the client computes them in
# full, as a NIC's sender would (`ethtool -K $vc tx off`, by its ioctl: ethtool may not be installed).
ip netns exec "$c" /usr/bin/python3 - "$vc" <<'PY'
import array, fcntl, socket, struct, sys
value = array.array("I", [0x17, 0])  # ETHTOOL_STXCSUM, off
ifreq = struct.pack("16sP", sys.argv[1].encode(), value.buffer_info()[0]).ljust(40, b"\0")
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fcntl.ioctl(sock.fileno(), 0x8946, ifreq)  # SIOCETHTOOL
PY

# Starts the daemon (open mode, one worker, a fresh segment sized for the load) in the
# server namespace and waits for its `msg=ready` line.
start() {
  ip netns exec "$s" nice -n -15 "$dataplane" --open --workers 1 --cores "$server_core" --udp $net.1:6969 --http $net.1:6969 \
    --admin 127.0.0.1:6970 --shm "$shm" --shm-recreate --peers-per-shard 262144 --torrents-per-shard 131072 \
    "$@" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    grep -q 'msg=ready' "$log" && return 0
    kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "server not ready" >&2; cat "$log" >&2; exit 1
}
stop() { kill -TERM $pid; wait $pid || true; }
# One load run (backend, protocol, round, the load generator's own options): its JSON report to
# $out/<backend>-<protocol>-<round>.json, and one line of it here.
load_run() {
  local report=$out/$1-$2-$3.json
  ip netns exec "$c" nice -n -15 "$loadgen" --target "$2://$net.1:6969" --duration "$seconds" --cores "$loadgen_core" \
    --client-ipv4 $net.10 --torrents 100000 --peers 200000 --json "${@:4}" >"$report"
  /usr/bin/python3 - "$report" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"  {r['protocol']}: {r['responses_per_s']:.0f} responses/s, p99 {r['latency_us']['p99']} us, "
      f"timeouts {r['timeouts']}, error responses {r['error_responses']}")
PY
}
# UDP (the fast path with dpdk), then HTTP keep-alive to the same address and port (with dpdk: the
# exception tap, the kernel, an io_uring HTTP worker that hands each announce to the DPDK worker).
load() {
  load_run "$1" udp "$2" --sockets-per-worker 4 --in-flight 64 --timeout-ms 250
  # 4 keep-alive connections: the load generator binds connection n to --client-ipv4 + n.
  load_run "$1" http "$2" --in-flight 4 --timeout-ms 1000
}

run_dpdk() {
  # The kernel sees the veth's frames beside net_af_packet: keep it from answering (hugepages/README.md).
  ip netns exec "$s" sysctl -qw net.ipv6.conf.$vs.disable_ipv6=1 net.ipv4.conf.$vs.rp_filter=1 net.ipv4.conf.$vs.arp_ignore=8
  start --backend dpdk --dpdk-vdev "net_af_packet0,iface=$vs" --dpdk-address $net.1/24 --dpdk-no-huge \
        --dpdk-memory 512 --dpdk-main-core "$http_core" --dpdk-http-cores "$http_core" --dpdk-file-prefix "swl-cmp-$$"
  echo "== dpdk (net_af_packet on the veth), round $1"; load dpdk "$1"
  ip netns exec "$s" curl -s 127.0.0.1:6970/metrics |
    grep -E '^swarmline_dpdk_frames_total\{worker="0",event="(rx|tx|tx_dropped|dropped|to_kernel)"\}' | tr '\n' ' '; echo
  stop
}
run_uring() {
  ip -n "$s" addr add $net.1/24 dev "$vs"
  ip netns exec "$s" sysctl -qw net.ipv4.conf.$vs.rp_filter=0 net.ipv4.conf.$vs.arp_ignore=0
  start --backend io_uring
  echo "== io_uring (kernel veth), round $1"; load io_uring "$1"; stop
  ip -n "$s" addr del $net.1/24 dev "$vs"
}
for r in $(seq "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then run_dpdk "$r"; run_uring "$r"; else run_uring "$r"; run_dpdk "$r"; fi
done

# The side-by-side table from the rounds' reports.
/usr/bin/python3 - "$out" "$rounds" "$seconds" <<'PY'
import json, pathlib, statistics, sys
out, rounds, seconds = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
runs = {}
for f in sorted(out.glob("*.json")):
    backend, protocol, _ = f.stem.split("-")
    runs.setdefault((protocol, backend), []).append(json.loads(f.read_text()))
backends = ("dpdk", "io_uring")
print(f"\nsummary: {rounds} round(s) of {seconds} s, median responses/s (min..max), median p99 in us; reports in {out}")
print(f"{'':9}" + "".join(f"| {b + ' responses/s':>29} | {'p99 us':>9} " for b in backends) + "| timeouts, errors")
for protocol in ("udp", "http"):
    row, bad = f"{protocol:9}", []
    for backend in backends:
        rs = runs.get((protocol, backend), [])
        if not rs:
            row += f"| {'-':>29} | {'-':>9} "
            continue
        rate = [r["responses_per_s"] for r in rs]
        spread = f"{statistics.median(rate):.0f} ({min(rate):.0f}..{max(rate):.0f})"
        row += f"| {spread:>29} | {statistics.median(r['latency_us']['p99'] for r in rs):9.1f} "
        bad.append(f"{backend} {sum(r['timeouts'] for r in rs)}, {sum(r['error_responses'] for r in rs)}")
    print(row + "| " + "; ".join(bad))
PY
