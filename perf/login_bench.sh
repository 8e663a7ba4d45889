#!/usr/bin/env bash
# Sign-ins per second of swarmline-control: POST /api/v1/auth/login with a correct password, driven
# by wrk over keep-alive connections, against a throw-away database on the PostgreSQL that
# SWARMLINE_TEST_DATABASE_URL points at. Each sign-in verifies an Argon2id hash with the parameters
# of control/auth/password.hpp (m=19 MiB, t=2, p=1), creates a user_sessions row and a
# login_attempts row. The figure is bound by Argon2id on this machine's cores.
#
# usage: perf/login_bench.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
set -euo pipefail

build=${1:-build}
seconds=${2:-20}
connections=${3:-8}
bin="$build/control/swarmline-control"
admin=${SWARMLINE_TEST_DATABASE_URL:?set SWARMLINE_TEST_DATABASE_URL to a PostgreSQL superuser URL}
command -v wrk >/dev/null || { echo "login_bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$bin" ] || { echo "login_bench: $bin is not built" >&2; exit 1; }

db="swarmline_login_bench_$$"
url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$admin" "$db")
work=$(mktemp -d)
serve_pid=""
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

psql -q "$admin" -c "CREATE DATABASE $db" >/dev/null
"$bin" migrate run --database-url "$url" >/dev/null
"$bin" user add --database-url "$url" --username bench --email bench@localhost --password bench-password-1 >/dev/null

# Port 0: the server picks a free port and logs it; its "serving" line is the readiness signal.
"$bin" serve --database-url "$url" --listen 127.0.0.1:0 --sync=false --workers 4 --pg-pool-size 4 \
    --login-attempts-per-ip 100000000 --login-failures-per-account 100000000 2>"$work/serve.log" &
serve_pid=$!
for _ in $(seq 1 100); do
    grep -q "swarmline-control serving" "$work/serve.log" 2>/dev/null && break
    kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
done
port=$(sed -n 's/.*listen=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
[ -n "$port" ] || { echo "login_bench: the server did not report its port" >&2; cat "$work/serve.log" >&2; exit 1; }

cat >"$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"bench","password":"bench-password-1"}'
local bad = 0
response = function(status) if status ~= 200 then bad = bad + 1 end end
done = function() io.write(string.format("non-200 responses: %d\n", bad)) end
LUA

# CPU seconds the server has used (user + system), from /proc: on a shared machine the wall-clock
# rate depends on the other load, the CPU cost per sign-in does not.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$serve_pid/stat"; }

echo "login_bench: Argon2id m=19456 KiB t=2 p=1, $(nproc) cores, $connections connections, ${seconds}s, load average $(cut -d' ' -f1 /proc/loadavg)"
cpu_before=$(cpu_seconds)
wrk -t 2 -c "$connections" -d "${seconds}s" --timeout 30s --latency -s "$work/login.lua" \
    "http://127.0.0.1:$port/api/v1/auth/login" | tee "$work/wrk.out"
cpu_after=$(cpu_seconds)
requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$work/wrk.out")
awk -v r="$requests" -v a="$cpu_before" -v b="$cpu_after" 'BEGIN {
    cpu = b - a
    printf "server CPU: %.2f s for %d sign-ins = %.1f ms per sign-in (%.1f sign-ins per CPU-second)\n", cpu, r, 1000 * cpu / r, r / cpu
}'
