#!/usr/bin/env bash
# Configures (once) and builds one build directory. Extra arguments go to `meson setup`.
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
ninja -C "$dir" -j "${NINJA_JOBS:-$(nproc)}" >/dev/null || ninja -C "$dir" -j1
