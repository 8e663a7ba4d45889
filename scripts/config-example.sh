#!/usr/bin/env bash
# Writes swarmline.conf.example from the programs' own `--print-config` (defaults and help live in
# code; this file is their output, so it cannot drift). tests/ checks that the committed file matches.
#   scripts/config-example.sh BUILD_DIR [OUTPUT]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build="${1:-build}"; out="${2:-$SWARMLINE_ROOT/swarmline.conf.example}"
{
  echo "# Swarmline configuration: one file for both daemons, a [section] each."
  echo "# Every key can be overridden on the command line as --key value. Regenerate with"
  echo "# scripts/config-example.sh after changing an option."
  echo
  "$build/dataplane/daemon/swarmline-dataplane" --print-config
  "$build/control/swarmline-control" serve --print-config
} | sed "s|= $SWARMLINE_ROOT/|= |" > "$out"  # paths into the checkout, relative to it (run.sh runs there)
