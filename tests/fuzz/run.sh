#!/bin/sh
# Runs every libFuzzer target for SECONDS on its committed seed corpus; fails on the first finding.
#   tests/fuzz/run.sh BUILD_DIR SECONDS
# BUILD_DIR is a clang build configured with -Dfuzzers=true. New inputs go to a temporary
# directory, so the committed corpus only changes by hand; a crashing input is kept in
# $FUZZ_ARTIFACTS (default: BUILD_DIR/fuzz-artifacts) for the report.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
artifacts=${FUZZ_ARTIFACTS:-$build/fuzz-artifacts}
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
for target in fuzz_bencode fuzz_torrent fuzz_udp_request fuzz_http_request; do
    exe=$build/tests/fuzz/$target
    if [ ! -x "$exe" ]; then
        echo "$target: not built in $build (configure with CXX=clang++ and -Dfuzzers=true)" >&2
        exit 1
    fi
    name=${target#fuzz_}
    corpus=$here/corpus/$name
    mkdir -p "$work/$target"
    echo "== $target: ${seconds}s on $corpus"
    if ! "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -dict="$here/$name.dict" -artifact_prefix="$artifacts/$target-" "$work/$target" "$corpus" \
            >"$work/$target.log" 2>&1; then
        tail -n 60 "$work/$target.log" >&2
        echo "$target: FINDING (input kept under $artifacts/)" >&2
        status=1
    else
        grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$work/$target.log" || true
    fi
done
exit $status
