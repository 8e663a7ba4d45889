#!/usr/bin/env bash
# The load generator against swarmline-dataplane with --backend dpdk and with --backend io_uring,
# through the same veth pair between two network namespaces, in alternating rounds:
#   dpdk      the server's veth end driven by net_af_packet (--no-huge), the kernel kept off it
#   io_uring  the server's veth end is an ordinary kernel interface holding the address
# One worker pinned to core 0, the load generator pinned to core 1, both at nice -15. As root.
#
#   perf/bench/dpdk/compare_vdev.sh [BUILD_DIR] [ROUNDS] [SECONDS]
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

# Starts the daemon (open mode, one worker on core 0, a fresh segment sized for the load) in the
# server namespace and waits for its `msg=ready` line.
start() {
  ip netns exec "$s" nice -n -15 "$dataplane" --open --workers 1 --cores 0 --udp $net.1:6969 --http $net.1:6969 \
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
# UDP (the fast path with dpdk), then HTTP keep-alive to the same address and port (with dpdk: the
# exception tap, the kernel, an io_uring HTTP worker that hands each announce to the DPDK worker).
load() {
  ip netns exec "$c" nice -n -15 "$loadgen" --target udp://$net.1:6969 --duration "$seconds" --cores 1 \
    --client-ipv4 $net.10 --sockets-per-worker 4 --in-flight 64 --timeout-ms 250 --torrents 100000 --peers 200000
  echo "-- http"
  # 4 keep-alive connections: the load generator binds connection n to --client-ipv4 + n.
  ip netns exec "$c" nice -n -15 "$loadgen" --target http://$net.1:6969 --duration "$seconds" --cores 1 \
    --client-ipv4 $net.10 --in-flight 4 --timeout-ms 1000 --torrents 100000 --peers 200000
}

run_dpdk() {
  # The kernel sees the veth's frames beside net_af_packet: keep it from answering (hugepages/README.md).
  ip netns exec "$s" sysctl -qw net.ipv6.conf.$vs.disable_ipv6=1 net.ipv4.conf.$vs.rp_filter=1 net.ipv4.conf.$vs.arp_ignore=8
  start --backend dpdk --dpdk-vdev "net_af_packet0,iface=$vs" --dpdk-address $net.1/24 --dpdk-no-huge \
        --dpdk-memory 512 --dpdk-main-core 1 --dpdk-file-prefix "swl-cmp-$$"
  echo "== dpdk (net_af_packet on the veth), round $1"; load
  ip netns exec "$s" curl -s 127.0.0.1:6970/metrics |
    grep -E '^swarmline_dpdk_frames_total\{worker="0",event="(rx|tx|tx_dropped|dropped|to_kernel)"\}' | tr '\n' ' '; echo
  stop
}
run_uring() {
  ip -n "$s" addr add $net.1/24 dev "$vs"
  ip netns exec "$s" sysctl -qw net.ipv4.conf.$vs.rp_filter=0 net.ipv4.conf.$vs.arp_ignore=0
  start --backend io_uring
  echo "== io_uring (kernel veth), round $1"; load; stop
  ip -n "$s" addr del $net.1/24 dev "$vs"
}
for r in $(seq "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then run_dpdk "$r"; run_uring "$r"; else run_uring "$r"; run_dpdk "$r"; fi
done
