#!/usr/bin/env bash
# The resolve benchmarks' input, written into WORK:
#
#   scripts/bench-resolve-repo.sh WORK N NAMES
#
# WORK/repo: the synthetic distribution-shaped repository of N packages
# (seed 1); WORK/request: NAMES main package names (no -libs, -doc,
# -devel), every 4th of those in primary order, which resolves to about
# 100 packages for 30 names: a base/core-sized request; WORK/bench.toml:
# an image config installing them from WORK/repo.
# Used by bench-resolve-cli.sh and bench-resolve-ab.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 3 ] || { echo "usage: $0 WORK N NAMES" >&2; exit 2; }
work=$1 n=$2 names=$3
go run ./scripts/gen-synthetic-repo -n "$n" -seed 1 -out "$work/repo" >/dev/null

# (names of x86_64 and noarch packages: <arch> follows <name> in primary)
zcat "$work"/repo/repodata/*primary.xml.gz | grep -oE '<(name|arch)>[^<]*' | paste - - |
	awk -F'\t' '$2 ~ /arch>(x86_64|noarch)$/ { sub(/<name>/, "", $1); print $1 }' | awk '!seen[$0]++' |
	grep -vE -- '-(libs|doc|devel)$' | awk -v k="$names" 'NR % 4 == 1 && c < k { print; c++ }' >"$work/request"

{
	echo '[image]'
	echo 'name = "bench/resolve"'
	echo 'architectures = ["x86_64"]'
	echo '[[repository]]'
	echo 'id = "synth"'
	echo "baseurl = \"file://$work/repo\""
	echo 'gpgcheck = false'
	echo '[packages]'
	printf 'install = ['; sed 's/.*/"&"/' "$work/request" | paste -sd, | tr -d '\n'; echo ']'
} >"$work/bench.toml"
