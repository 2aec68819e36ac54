#!/usr/bin/env bash
# The full randomized differential run of the solver against dnf:
# TestRandomAgainstDNF on the repositories of TestRandomAgainstLibsolv
# (the same generators and seeds), SEEDS repositories per generator, each
# request ("dnf install NAME", and for "stress" also capabilities) solved
# with and without weak deps by slipway, by dnf (its Python API, one
# process per generator; CLI requests check it), by testsolv as
# TestRandomAgainstLibsolv asks it and by testsolv given dnf's own job.
# The default, 420 seeds, makes 10,080 plain and 12,600 stress requests.
# CI runs the 16-seed sample (go test ./builder/solve/).
#
# Prints one RESULT line per generator and weak setting; docs/solver.md
# records the last run. With SAVE=DIR, each request where slipway differs
# from dnf is reduced to a small repository and written into DIR as a
# testsolv case whose expected result is dnf's answer (`testsolv FILE`
# prints nothing when libsolv agrees with dnf).
# Needs: go, dnf and python3-dnf, testsolv (libsolv-tools).
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=${SEEDS:-420}
args=(-random-dnf-seeds="$seeds" -random-dnf-cli="${CLI:-20}")
if [ -n "${SAVE:-}" ]; then
	mkdir -p "$SAVE" && args+=(-random-dnf-save="$(cd "$SAVE" && pwd)")
fi
log=$(mktemp "${TMPDIR:-/tmp}/solver-diff-dnf.XXXXXX")
go test -count=1 -timeout 90m -run '^TestRandomAgainstDNF$' -v ./builder/solve/ -args "${args[@]}" >"$log" 2>&1
status=$?
out=$(cat "$log")
grep -o 'RESULT .*\|the dnf command line agrees.*\|wrote .* cases into .*' <<<"$out" || { echo "$out" | tail -40; exit 1; }
if [ "$status" -ne 0 ]; then
	echo "the test failed (solvability differs, dnf and testsolv given its job differ, or past a ceiling):"
	grep -E -A3 'slipway .*, dnf|given dnf.s job differ|too many|says|no longer differs|--- FAIL' <<<"$out" | head -40
	echo "the whole output: $log"
else
	rm -f "$log"
fi
exit "$status"
