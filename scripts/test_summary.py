"""Prints 'N passed, N failed, N skipped' from a meson testlog.json (one JSON object a line)."""
import json
import os
import sys

counts = {"passed": 0, "failed": 0, "skipped": 0}
# meson writes no log when a build defines no tests: that is zero of each, not an error.
lines = open(sys.argv[1], encoding="utf-8").readlines() if os.path.exists(sys.argv[1]) else []
for line in lines:
    result = json.loads(line).get("result", "")
    if result in ("OK", "EXPECTEDFAIL"):
        counts["passed"] += 1
    elif result == "SKIP":
        counts["skipped"] += 1
    else:
        counts["failed"] += 1
print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
