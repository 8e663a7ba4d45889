#!/usr/bin/env bash
# The test command (README, and exactly what .ci/run runs). On a fresh Debian 12 machine it installs
# what is missing, builds, starts a throw-away PostgreSQL, runs every test suite (unit, integration,
# e2e), runs them once more under AddressSanitizer + UndefinedBehaviorSanitizer, the shared-memory
# table tests under ThreadSanitizer, each fuzzer for a short while, and stops what it started.
# Safe to run twice.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SWARMLINE_ROOT"

"$SWARMLINE_ROOT/scripts/deps.sh"

pgdir="$SWARMLINE_ROOT/var/test-postgres"
cleanup() {
  "$SWARMLINE_ROOT/scripts/pg.sh" stop "$pgdir" || true
  as_root rm -rf "$pgdir"
  # The tests unlink their segments; a test killed by a sanitizer's abort cannot. What is left is
  # tmpfs, i.e. memory, that the next build would be short of.
  as_root rm -f /dev/shm/swarmline-test-* /dev/shm/swarmline-e2e-*
}
trap cleanup EXIT
cleanup
# A port of its own keeps it apart from the run command's cluster (5433).
SWARMLINE_TEST_DATABASE_URL="$("$SWARMLINE_ROOT/scripts/pg.sh" start "$pgdir" 5434)"
export SWARMLINE_TEST_DATABASE_URL

summary=()
run_suites() {  # BUILD_DIR LABEL
  local dir="$1" label="$2" rc=0
  say "tests ($label)"
  meson test -C "$dir" --print-errorlogs --num-processes "$(nproc)" || rc=$?
  summary+=("$label: $(/usr/bin/python3 "$SWARMLINE_ROOT/scripts/test_summary.py" "$dir/meson-logs/testlog.json")")
  return $rc
}

status=0
"$SWARMLINE_ROOT/scripts/build.sh" build
run_suites build release || status=1

# Line tables (-g1) are all a sanitizer report needs; full debug info of the Boost-heavy control
# code would double this build's time on a 2-core CI machine. -Og, not -O2: instrumented Boost code
# compiled 2.7x faster (control/http/server.cpp: 34 s against 91 s), which took this build from 19
# to about 8 minutes, while the tests, mostly waiting on sockets and PostgreSQL, run about as fast.
"$SWARMLINE_ROOT/scripts/build.sh" build-asan -Dsanitizers=address,undefined -Dbuildtype=plain \
  -Doptimization=g -Ddebug=false -Dcpp_args=-g1 -Db_lundef=false -Dbenchmarks=disabled
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run_suites build-asan asan+ubsan || status=1

# The lock-free tables once more under ThreadSanitizer: readers hammering them while the writer
# updates is exactly what it checks. Only those tests: TSan slows everything else for nothing.
NINJA_TARGETS="tests/shm_swarm/test_shm_swarm tests/shm_swarm/test_shm_concurrency" \
  "$SWARMLINE_ROOT/scripts/build.sh" build-tsan -Dsanitizers=thread -Dbuildtype=debugoptimized -Dbenchmarks=disabled
say "tests (tsan: shared-memory tables)"
tsan_rc=0
TSAN_OPTIONS=halt_on_error=1 meson test -C build-tsan --no-rebuild --print-errorlogs shm_swarm shm_concurrency || tsan_rc=$?
summary+=("tsan: $(/usr/bin/python3 "$SWARMLINE_ROOT/scripts/test_summary.py" build-tsan/meson-logs/testlog.json)")
[ "$tsan_rc" -eq 0 ] || status=1

if [ -f tests/fuzz/run.sh ]; then
  CXX=clang++ CC=clang NINJA_TARGETS="$(cd tests/fuzz && ls fuzz_*.cpp | sed 's|^|tests/fuzz/|; s|\.cpp$||' | tr '\n' ' ')" \
    "$SWARMLINE_ROOT/scripts/build.sh" build-fuzz -Dfuzzers=true -Dbuildtype=debugoptimized \
    -Dtests=disabled -Dbenchmarks=disabled -Djemalloc=disabled -Ddpdk=disabled
  say "fuzzing each parser for ${FUZZ_SECONDS:-20} s"
  if bash tests/fuzz/run.sh build-fuzz "${FUZZ_SECONDS:-20}"; then
    summary+=("fuzz: 1 passed, 0 failed")
  else
    summary+=("fuzz: 0 passed, 1 failed"); status=1
  fi
fi

for line in "${summary[@]}"; do echo "$line"; done
# The closing line CI reads: every suite of every build, added up.
printf '%s\n' "${summary[@]}" | awk -F'[:,]' '{for(i=2;i<=NF;i++){split($i,a," "); t[a[2]]+=a[1]}}
  END {printf "total: %d passed, %d failed, %d skipped\n", t["passed"], t["failed"], t["skipped"]}'
exit $status
