# Shared by the scripts: paths, privilege handling, logging. Sourced, never run.
# shellcheck shell=bash
set -euo pipefail

SWARMLINE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SWARMLINE_ROOT

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The unprivileged account that owns and runs the private PostgreSQL cluster when we are root
# (PostgreSQL refuses to run as root).
pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

as_pg_owner() {
  local owner; owner="$(pg_owner)"
  if [ "$(id -un)" = "$owner" ]; then "$@"; else as_root runuser -u "$owner" -- "$@"; fi
}

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  die "PostgreSQL server binaries not found (scripts/deps.sh installs postgresql-15)"
}
