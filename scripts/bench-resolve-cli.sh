#!/usr/bin/env bash
# Times `slipway resolve` end to end (repomd, primary.xml.gz parsed as a
# stream, solve, print) on a synthetic distribution-shaped repository of
# 20,000 packages against libsolv (repo2solv + testsolv) and dnf on the same
# repository and request, in one run, and prints the ratios and peak RSS.
#
#   scripts/bench-resolve-cli.sh [-n 20000] [-names 30] [-runs 3]
#
# slipway cold = empty cache (XML parsed); warm = the parsed metadata cache
# is filled. dnf cold = fresh cachedir; warm = same cachedir, -C. Each
# figure is the best of the runs, for wall time and CPU time (user +
# system) separately.
# Needs: go, repo2solv + testsolv (libsolv-tools), dnf, /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."

n=20000 names=30 runs=3
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-names) names=$2; shift 2 ;;
	-runs) runs=$2; shift 2 ;;
	*) echo "usage: $0 [-n N] [-names K] [-runs R]" >&2; exit 2 ;;
	esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/bench-resolve-repo.sh "$work" "$n" "$names"
CGO_ENABLED=0 go build -o "$work/slipway" ./cmd/slipway

# ms WALL, KB MAXRSS and ms CPU (user + system) of one command.
# (wall time from the clock in nanoseconds: /usr/bin/time's %e has 10 ms
# steps, too coarse for a 100 ms command; /usr/bin/time gives the RSS;
# bash's time keyword gives CPU time in ms steps. On a shared machine CPU
# time is the steadier figure: it does not count waiting for a core.)
measure() {
	local start end u s
	start=$(date +%s%N)
	{ TIMEFORMAT='%3U %3S'; time /usr/bin/time -f '%M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true; } 2>"$work/cpu"
	end=$(date +%s%N)
	read -r u s <"$work/cpu"
	echo "$(( (end - start) / 1000000 )) $(tail -1 "$work/time") $(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000 }')"
}
best() { sort -n | head -1; }

cold_ms=() warm_ms=() cold_cpu=() warm_cpu=() rss=0
for _ in $(seq "$runs"); do
	rm -rf "$work/cache"
	read -r ms kb cpu < <(measure "$work/slipway" --cache-dir "$work/cache" resolve "$work/bench.toml")
	cold_ms+=("$ms"); cold_cpu+=("$cpu"); [ "$kb" -gt "$rss" ] && rss=$kb
	read -r ms kb cpu < <(measure "$work/slipway" --cache-dir "$work/cache" resolve "$work/bench.toml")
	warm_ms+=("$ms"); warm_cpu+=("$cpu"); [ "$kb" -gt "$rss" ] && rss=$kb
done
cp "$work/out" "$work/slipway.out"; [ -s "$work/slipway.out" ] || { echo "slipway resolve failed:"; cat "$work/err"; exit 1; }
ours=$(grep -vc '^#' "$work/slipway.out")  # minus the "# ARCH" header

# libsolv: repo2solv -F (parse primary and filelists, as slipway and dnf
# answer file deps from filelists; without -F testsolv drops requests whose
# file deps only filelists answer) + testsolv (solve), weak deps off.
{
	echo "repo available 0 solv x.solv" # testsolv reads paths relative to the case file
	echo "system x86_64 rpm"
	echo "solverflags ignorerecommended"
	sed 's/.*/job install name &/' "$work/request"
	echo "result transaction,problems <inline>"
} >"$work/case.t"
r2s=() ts=() r2s_cpu=() ts_cpu=()
for _ in $(seq "$runs"); do
	read -r ms _ cpu < <(measure repo2solv -F -o "$work/x.solv" "$work/repo")
	r2s+=("$ms"); r2s_cpu+=("$cpu")
	read -r ms _ cpu < <(measure testsolv "$work/case.t")
	ts+=("$ms"); ts_cpu+=("$cpu")
done
theirs=$(grep -c '^+install ' "$work/out" || true)

# dnf: resolve only (--assumeno, which exits 1 after printing the
# transaction), cold and warm cache.
home="$work/home"; mkdir -p "$home"; echo '%_dbpath /var/lib/rpm' >"$home/.rpmmacros"
cat >"$work/dnf.sh" <<DNF
#!/usr/bin/env bash
extra=()
[ "\$1" = warm ] && extra=(-C)
HOME="$home" exec dnf --assumeno --releasever=3 --setopt=reposdir=/dev/null --setopt=cachedir="$work/dnfcache" \\
	--setopt=install_weak_deps=False --installroot="$work/root" --forcearch=x86_64 \\
	--repofrompath=synth,"file://$work/repo" --repo=synth --nogpgcheck "\${extra[@]}" install $(paste -sd' ' "$work/request")
DNF
chmod +x "$work/dnf.sh"
dcold=() dwarm=() dcold_cpu=() dwarm_cpu=()
for _ in $(seq "$runs"); do
	rm -rf "$work/dnfcache" "$work/root"
	read -r ms _ cpu < <(measure "$work/dnf.sh" cold)
	dcold+=("$ms"); dcold_cpu+=("$cpu")
	read -r ms _ cpu < <(measure "$work/dnf.sh" warm)
	dwarm+=("$ms"); dwarm_cpu+=("$cpu")
done
dnfpkgs=$(grep -cE '^ [^ ]+ +(x86_64|noarch) ' "$work/out" || true)

sc=$(printf '%s\n' "${cold_ms[@]}" | best); sw=$(printf '%s\n' "${warm_ms[@]}" | best)
lr=$(printf '%s\n' "${r2s[@]}" | best); lt=$(printf '%s\n' "${ts[@]}" | best)
dc=$(printf '%s\n' "${dcold[@]}" | best); dw=$(printf '%s\n' "${dwarm[@]}" | best)
scc=$(printf '%s\n' "${cold_cpu[@]}" | best); swc=$(printf '%s\n' "${warm_cpu[@]}" | best)
lrc=$(printf '%s\n' "${r2s_cpu[@]}" | best); ltc=$(printf '%s\n' "${ts_cpu[@]}" | best)
dcc=$(printf '%s\n' "${dcold_cpu[@]}" | best); dwc=$(printf '%s\n' "${dwarm_cpu[@]}" | best)
echo "repository: $n packages; request: $names names; best of $runs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "packages resolved: slipway $ours, libsolv $theirs, dnf $dnfpkgs"
printf '%-38s %7s %9s\n' "" "wall" "CPU"
printf '%-38s %7d ms %6d ms\n' "slipway resolve, cold (XML parsed)" "$sc" "$scc" "slipway resolve, warm (parsed cache)" "$sw" "$swc" \
	"libsolv repo2solv + testsolv" "$((lr + lt))" "$((lrc + ltc))" "dnf --assumeno, cold cache" "$dc" "$dcc" "dnf --assumeno, warm cache (-C)" "$dw" "$dwc"
printf 'peak RSS slipway: %d MiB\n' "$((rss / 1024))"
awk -v sc="$sc" -v sw="$sw" -v l="$((lr + lt))" -v dw="$dw" -v scc="$scc" -v swc="$swc" -v lc="$((lrc + ltc))" -v dwc="$dwc" 'BEGIN {
	printf "slipway cold / libsolv:  %.2f wall, %.2f CPU  (goal <= 1.0)\n", sc / l, scc / lc
	printf "slipway warm / dnf warm: %.2f wall, %.2f CPU  (goal <= 0.5)\n", sw / dw, swc / dwc
}'
