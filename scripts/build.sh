#!/usr/bin/env bash
# Configures (once) and builds one build directory. Extra arguments go to `meson setup`; the
# targets in NINJA_TARGETS (all when empty) are what gets built.
#   scripts/build.sh BUILD_DIR [meson setup options...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir="${1:-build}"; shift || true
cd "$SWARMLINE_ROOT"
if [ ! -f "$dir/build.ninja" ]; then
  say "configuring $dir $*"
  meson setup "$dir" "$@" >/dev/null
fi
say "building $dir"
# Two jobs fit the 2-core machines this is tested on; NINJA_JOBS overrides it.
# shellcheck disable=SC2086 # NINJA_TARGETS is a list
ninja -C "$dir" -j "${NINJA_JOBS:-$(nproc)}" ${NINJA_TARGETS:-} >/dev/null || ninja -C "$dir" -j1 ${NINJA_TARGETS:-}
