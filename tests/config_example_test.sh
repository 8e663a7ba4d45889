#!/usr/bin/env bash
# Fails when swarmline.conf.example differs from what the binaries print (regenerate it with
# scripts/config-example.sh) or when either program refuses the example.
set -euo pipefail
root="$1"; dataplane="$2"; control="$3"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/dataplane/daemon" "$tmp/control"
ln -s "$dataplane" "$tmp/dataplane/daemon/swarmline-dataplane"
ln -s "$control" "$tmp/control/swarmline-control"
bash "$root/scripts/config-example.sh" "$tmp" "$tmp/expected.conf"
diff -u "$root/swarmline.conf.example" "$tmp/expected.conf"
# Both programs read the file back without complaint (an unknown key or bad value would fail here).
"$dataplane" --config "$root/swarmline.conf.example" --print-config >/dev/null
"$control" serve --config "$root/swarmline.conf.example" --print-config >/dev/null
