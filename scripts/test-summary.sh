#!/usr/bin/env bash
# test-summary.sh: one count over the test suites of several build trees.
#
#   scripts/test-summary.sh [BUILDDIR...]    (default: .local/build .local/build-asan)
#
# Reads each BUILDDIR/test-suite.log that `make check` wrote (the TAP driver
# counts every test point there), prints a line per tree and the tail of
# each failing test's log, and ends with exactly one line:
#
#   N passed, N failed[, N skipped]
#
# passed = PASS + XFAIL, failed = FAIL + XPASS + ERROR, skipped = SKIP.  A tree
# without test-suite.log (the build or make check stopped before the tests
# ran) counts as one failure.  Exit status: 0 when nothing failed, else 1.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in
-h|--help)
	sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0 ;;
esac
if [ $# = 0 ]; then
	set -- "$root/.local/build" "$root/.local/build-asan"
fi
tail_lines=${FB_SUMMARY_TAIL:-30}

passed=0
failed=0
skipped=0
lines=()

for dir in "$@"; do
	name=${dir#"$root"/}
	log=$dir/test-suite.log
	if [ ! -f "$log" ]; then
		lines+=("$name: no test-suite.log: the build or make check stopped before the tests ran (counted as 1 failed)")
		failed=$((failed + 1))
		continue
	fi
	# "# PASS:  12" lines of the summary at the top of test-suite.log.
	read -r pass xfail skip fail xpass error < <(awk '
		/^# (PASS|XFAIL|SKIP|FAIL|XPASS|ERROR): *[0-9]+$/ {
			k = $2; sub(/:$/, "", k); n[k] = $3
		}
		/^\.\. contents::/ { exit }
		END {
			print n["PASS"] + 0, n["XFAIL"] + 0, n["SKIP"] + 0,
				n["FAIL"] + 0, n["XPASS"] + 0, n["ERROR"] + 0
		}' "$log")
	p=$((pass + xfail))
	f=$((fail + xpass + error))
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + skip))
	lines+=("$name: $p passed, $f failed, $skip skipped (PASS $pass, XFAIL $xfail, FAIL $fail, XPASS $xpass, ERROR $error, SKIP $skip)")

	# Failing tests: test-suite.log heads each copied-in log with
	# "RESULT: tests/unit/test_x" and a line of '='.
	while IFS= read -r t; do
		[ -n "$t" ] || continue
		echo
		echo "---- $name/$t.log (last $tail_lines lines) ----"
		if [ -f "$dir/$t.log" ]; then
			tail -n "$tail_lines" "$dir/$t.log"
		else
			echo "(missing)"
		fi
	done < <(awk '
		/^=+$/ && prev ~ /^(FAIL|XPASS|ERROR): / && length($0) == length(prev) {
			sub(/^[A-Z]+: /, "", prev); print prev
		}
		{ prev = $0 }' "$log")
done

echo
echo "==> test summary"
for l in "${lines[@]}"; do
	echo "    $l"
done
summary="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then
	summary="$summary, $skipped skipped"
fi
echo "$summary"
[ "$failed" = 0 ]
