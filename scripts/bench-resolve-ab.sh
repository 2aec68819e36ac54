#!/usr/bin/env bash
# Compares `slipway resolve` at another commit (REV, "before") with this
# tree ("after") on bench-resolve-cli.sh's synthetic 20,000-package
# repository and 30-name request, alternating the two in one run so the
# load of a shared machine falls on both alike:
#
#   scripts/bench-resolve-ab.sh REV [-runs 9]
#
# Each round runs before and after cold (empty cache: primary.xml parsed)
# and warm (parsed metadata cache), the order flipped every round, and
# checks both print the same resolution. Prints the median CPU time (user
# + system: it does not count waiting for a core) and wall time of each,
# and after / before.
# Needs: go, git, /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 REV [-runs R]" >&2; exit 2; }
rev=$1; shift
runs=9
while [ $# -gt 0 ]; do
	case "$1" in
	-runs) runs=$2; shift 2 ;;
	*) echo "usage: $0 REV [-runs R]" >&2; exit 2 ;;
	esac
done

work=$(mktemp -d)
trap 'git worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/src" "$rev" >/dev/null 2>&1
(cd "$work/src" && CGO_ENABLED=0 go build -o "$work/slipway-before" ./cmd/slipway)
CGO_ENABLED=0 go build -o "$work/slipway-after" ./cmd/slipway
scripts/bench-resolve-repo.sh "$work" 20000 30

# measure V KIND: appends "wall_ms cpu_ms" of one resolve to $work/V-KIND.
measure() {
	local v=$1 kind=$2 start end u s
	[ "$kind" = cold ] && rm -rf "$work/cache-$v"
	start=$(date +%s%N)
	{ TIMEFORMAT='%3U %3S'; time "$work/slipway-$v" --cache-dir "$work/cache-$v" resolve "$work/bench.toml" >"$work/out-$v" 2>"$work/err-$v"; } 2>"$work/cpu"
	end=$(date +%s%N)
	read -r u s <"$work/cpu"
	echo "$(((end - start) / 1000000)) $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000 }')" >>"$work/$v-$kind"
}
for i in $(seq "$runs"); do
	order="before after"
	[ $((i % 2)) -eq 0 ] && order="after before"
	for kind in cold warm; do
		for v in $order; do measure "$v" "$kind"; done
	done
	cmp -s "$work/out-before" "$work/out-after" || { echo "before and after resolve differently"; diff "$work/out-before" "$work/out-after" | head; exit 1; }
done

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "before $(git rev-parse --short "$rev"), after $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes'); $runs rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-26s %10s %10s %8s %10s %10s %8s\n' "" "CPU before" "CPU after" "ratio" "wall bef." "wall aft." "ratio"
for kind in cold warm; do
	bc=$(cut -d' ' -f2 "$work/before-$kind" | median); ac=$(cut -d' ' -f2 "$work/after-$kind" | median)
	bw=$(cut -d' ' -f1 "$work/before-$kind" | median); aw=$(cut -d' ' -f1 "$work/after-$kind" | median)
	awk -v k="resolve, $kind" -v bc="$bc" -v ac="$ac" -v bw="$bw" -v aw="$aw" 'BEGIN {
		printf "%-26s %7d ms %7d ms %8.2f %7d ms %7d ms %8.2f\n", k, bc, ac, ac / bc, bw, aw, aw / bw }'
done
