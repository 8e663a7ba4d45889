#!/usr/bin/env bash
# A private PostgreSQL cluster under the checkout, reachable only through a unix socket in its own
# folder (no TCP port to collide with another server). When run as root the server runs as the
# unprivileged `postgres` account, since PostgreSQL refuses to run as root.
#
#   scripts/pg.sh start DIR [PORT]   initialise (once) and start; prints the DATABASE_URL
#   scripts/pg.sh stop DIR           fast shutdown
#   scripts/pg.sh url DIR [PORT]     prints the DATABASE_URL
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd="${1:-}"; dir="${2:-}"; port="${3:-5433}"
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: scripts/pg.sh start|stop|url DIR [PORT]"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
bin="$(pg_bindir)"
data="$dir/data"; sock="$dir/run"
url="postgresql://swarmline@/swarmline?host=$sock&port=$port"

case "$cmd" in
  url) echo "$url" ;;
  start)
    as_root chown "$(pg_owner)" "$dir"
    if [ ! -f "$data/PG_VERSION" ]; then
      say "initialising PostgreSQL cluster in $data"
      as_pg_owner "$bin/initdb" -D "$data" -U swarmline --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      cat <<CONF | as_pg_owner tee -a "$data/postgresql.conf" >/dev/null
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
fsync = on
max_connections = 200
shared_buffers = 256MB
CONF
    fi
    as_pg_owner mkdir -p "$sock"
    if ! as_pg_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_pg_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { tail -20 "$dir/server.log" >&2; die "PostgreSQL did not start (log: $dir/server.log)"; }
    fi
    "$bin/psql" "postgresql://swarmline@/postgres?host=$sock&port=$port" -qAtc \
      "SELECT 1 FROM pg_database WHERE datname='swarmline'" | grep -q 1 \
      || "$bin/createdb" -h "$sock" -p "$port" -U swarmline swarmline
    echo "$url"
    ;;
  stop)
    if [ -f "$data/PG_VERSION" ] && as_pg_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_pg_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    ;;
  *) die "unknown command $cmd" ;;
esac
