#!/bin/sh
# One command for the side-by-side benchmark: builds the load generator, the ceiling responder and
# the dataplane into build-perf (release), then runs perf/compare.py (see perf/README.md).
# Extra arguments go to compare.py, e.g. `perf/compare.sh --rounds 5 --parts udp,http`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build="$root/build-perf"
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" -Dbuildtype=release -Dtests=disabled -Dbenchmarks=disabled >/dev/null
fi
# The dataplane may not be buildable yet; the comparison then runs without it and says so.
ninja -C "$build" -j2 perf/loadgen/swarmline-loadgen perf/loadgen/swarmline-udp-ceiling perf/loadgen/swarmline-http-ceiling
ninja -C "$build" -j2 dataplane/daemon/swarmline-dataplane || {
    echo "compare.sh: dataplane not built; comparing opentracker and the ceiling only" >&2
    rm -f "$build/dataplane/daemon/swarmline-dataplane"
}
for tool in opentracker taskset gnuplot; do
    command -v "$tool" >/dev/null || echo "compare.sh: $tool missing (scripts/packages.txt lists it)" >&2
done
results="$here/results/$(date -u +%Y%m%d-%H%M%S)"
exec /usr/bin/python3 "$here/compare.py" --build-dir "$build" --results "$results" "$@"
