#!/usr/bin/env bash
# The full randomized differential run of the solver against libsolv
# (testsolv): TestRandomAgainstLibsolv with SEEDS repositories per
# generator ("plain": every kind of dependency; "stress": also rich
# conflicts, else branches, nested rich dependencies, suggests, enhances
# and capability requests), each request solved with and without weak
# deps. The default, 420 seeds, makes 10,080 plain and 12,600 stress
# requests. CI runs the 40-seed sample (go test ./builder/solve/).
#
# Prints one RESULT line per generator; docs/solver.md records the last
# run. The test fails on any difference libsolv's bug #527 does not explain; the script
# reports the numbers either way.
# Needs: go, testsolv (libsolv-tools).
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=${SEEDS:-420}
out=$(go test -count=1 -timeout 60m -run '^TestRandomAgainstLibsolv$' -v ./builder/solve/ -args -random-seeds="$seeds" 2>&1)
status=$?
grep -o 'RESULT .*' <<<"$out" || { echo "$out" | tail -40; exit 1; }
if [ "$status" -ne 0 ]; then
	echo "the test failed (solvability or a choice differs):"
	grep -E 'we say|choices differ' <<<"$out" | head -20
fi
exit "$status"
