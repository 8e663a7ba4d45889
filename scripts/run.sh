#!/usr/bin/env bash
# The run command (README). Installs what is missing, builds, starts a private PostgreSQL cluster under
# the checkout (var/postgres) unless DATABASE_URL is given, applies the migrations, creates the first
# administrator (printing its credentials once), starts swarmline-control and swarmline-dataplane
# (io_uring, loopback) and prints the URLs. Ctrl-C stops everything it started. Safe to run twice.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SWARMLINE_ROOT"

"$SWARMLINE_ROOT/scripts/deps.sh"
# The daemons only: the test suites are the test command's to build.
NINJA_TARGETS="dataplane/daemon/swarmline-dataplane control/swarmline-control" "$SWARMLINE_ROOT/scripts/build.sh" build
bin="$SWARMLINE_ROOT/build"
config="${SWARMLINE_CONFIG:-$SWARMLINE_ROOT/swarmline.conf.example}"

started_pg=""
pids=()
stop_all() {
  trap - INT TERM EXIT
  say "stopping"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "$started_pg" ] && "$SWARMLINE_ROOT/scripts/pg.sh" stop "$started_pg"
  exit 0
}
trap stop_all INT TERM EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  started_pg="$SWARMLINE_ROOT/var/postgres"
  DATABASE_URL="$("$SWARMLINE_ROOT/scripts/pg.sh" start "$started_pg" 5433)"
fi
export DATABASE_URL

say "applying migrations"
"$bin/control/swarmline-control" migrate run --database-url "$DATABASE_URL" --source "$SWARMLINE_ROOT/migrations"

# The first administrator is created once; its password is printed that one time only.
if [ -z "$(psql "$DATABASE_URL" -qAtc "SELECT 1 FROM users LIMIT 1")" ]; then
  say "creating the first administrator (the password is shown only now)"
  "$bin/control/swarmline-control" user add --database-url "$DATABASE_URL" \
    --username admin --email admin@localhost --group Sysop --json
fi

"$bin/control/swarmline-control" serve --config "$config" --database-url "$DATABASE_URL" &
pids+=($!)
"$bin/dataplane/daemon/swarmline-dataplane" --config "$config" &
pids+=($!)

cat <<URLS

  Swarmline is running.
    web UI and API   http://127.0.0.1:8080/          (API under /api/v1/, OpenAPI at control/openapi.yaml)
    announce (HTTP)  http://127.0.0.1:6969/<passkey>/announce
    announce (UDP)   udp://127.0.0.1:6969/announce/<passkey>
    metrics          http://127.0.0.1:6970/metrics (dataplane), http://127.0.0.1:8080/metrics (control)
  Ctrl-C stops everything.

URLS
wait -n "${pids[@]}" || true
say "a daemon exited"
stop_all
