#!/usr/bin/env bash
# Times loading a synthetic 20,000-package repository (primary.xml is about
# 38 MB uncompressed) with slipway's builder/repo against libsolv's
# repo2solv, which parses the same primary.xml.gz into a .solv file, in one
# run, and prints the ratio. Each side runs RUNS times; the best wall time
# counts.
#
#   scripts/gen-synthetic-repo-bench.sh [-n 20000] [-seed 1] [-runs 5]
#
# Needs repo2solv (apt-get install libsolv-tools).
set -euo pipefail
cd "$(dirname "$0")/.."

n=20000 seed=1 runs=5
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-seed) seed=$2; shift 2 ;;
	-runs) runs=$2; shift 2 ;;
	*) echo "usage: $0 [-n N] [-seed S] [-runs R]" >&2; exit 2 ;;
	esac
done
command -v repo2solv >/dev/null || { echo "repo2solv missing: apt-get install libsolv-tools" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go run ./scripts/gen-synthetic-repo -n "$n" -seed "$seed" -out "$work/repo"
CGO_ENABLED=0 go build -o "$work/load" ./scripts/gen-synthetic-repo-bench

best() { sort -n | head -1; }
ms() { # command... -> wall milliseconds
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

echo "primary.xml: $(grep -A6 'type="primary"' "$work/repo/repodata/repomd.xml" | sed -n 's:.*<open-size>\(.*\)</open-size>:\1:p') bytes uncompressed, $n packages"
r2s=$(for _ in $(seq "$runs"); do ms repo2solv -o "$work/x.solv" "$work/repo"; done | best)
cold=$(for _ in $(seq "$runs"); do ms "$work/load" -repo "$work/repo" -mode cold; done | best)
first=$(for _ in $(seq "$runs"); do ms "$work/load" -repo "$work/repo" -mode first; done | best)
"$work/load" -repo "$work/repo" -mode warm >"$work/warm.txt"
warm=$(sed -n 's/^warm *\([0-9]*\) ms wall.*/\1/p' "$work/warm.txt")
echo "repo2solv (primary -> .solv)       best of $runs: ${r2s} ms"
echo "slipway cold (no cache)            best of $runs: ${cold} ms  (includes process start)"
echo "slipway first load, writing cache best of $runs: ${first} ms  (includes process start)"
echo "slipway warm (parsed-metadata cache), in process: ${warm} ms"
echo "ratio slipway cold / repo2solv: $(awk -v a="$cold" -v b="$r2s" 'BEGIN { printf "%.2f", a / b }')"
/usr/bin/time -f "slipway cold peak RSS: %M KiB" "$work/load" -repo "$work/repo" -mode cold >/dev/null
/usr/bin/time -f "repo2solv peak RSS: %M KiB" repo2solv -o "$work/x.solv" "$work/repo"
