#!/usr/bin/env bash
# Times slipway's solver against libsolv (testsolv) on the same synthetic
# 20,000-package repository and 30-name request (builder/solve/bench_test.go),
# in one run, and prints the ratio.
#
# What is timed:
#   slipway  - go test -bench: NewPool (indexing 20,000 in-memory packages)
#              plus Solve, and Solve alone on a ready pool.
#   libsolv  - testsolv on the dumped testcase: parsing the text testcase
#              (20,000 packages), building its pool and solving. Parsing is
#              part of libsolv's time, as indexing is part of ours.
# Needs: go, testsolv (libsolv-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -count=1 -short -run '^TestBenchRepoAgainstLibsolv$' ./builder/solve/ -args -dump-bench-case="$tmp/case.t" >/dev/null
# The dumped case has weak deps off (solverflags ignorerecommended), like
# the benchmarks below.

bench=$(go test -count=1 -run '^$' -bench '^BenchmarkNewPoolAndSolve$' -benchtime "${runs}x" ./builder/solve/
	go test -count=1 -run '^$' -bench '^BenchmarkSolve$/^weak=false$' -benchtime "${runs}x" ./builder/solve/)
ours_full=$(awk '/^BenchmarkNewPoolAndSolve/ {print $3}' <<<"$bench")
ours_solve=$(awk '/^BenchmarkSolve\/weak=false/ {print $3}' <<<"$bench")

start=$(date +%s%N)
for _ in $(seq "$runs"); do testsolv "$tmp/case.t" >/dev/null; done
end=$(date +%s%N)
theirs=$(( (end - start) / runs ))

awk -v full="$ours_full" -v solve="$ours_solve" -v theirs="$theirs" -v runs="$runs" 'BEGIN {
	printf "runs: %d each, 20000 packages, 30-name request, weak deps off\n", runs
	printf "slipway NewPool+Solve:          %8.1f ms\n", full / 1e6
	printf "slipway Solve (pool ready):     %8.1f ms\n", solve / 1e6
	printf "libsolv testsolv (parse+solve): %8.1f ms\n", theirs / 1e6
	printf "ratio libsolv / slipway (NewPool+Solve): %.2f\n", theirs / full
}'

