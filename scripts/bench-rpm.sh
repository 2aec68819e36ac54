#!/usr/bin/env bash
# bench-rpm.sh: time slipway reading and verifying RPM payloads against
# rpm2cpio decompressing the same payloads, in one run, and print the ratio.
#
#   scripts/bench-rpm.sh [RPM or folder]...
#   REPS=5 SLIPWAY_BIN=/tmp/slipway scripts/bench-rpm.sh
#
# Without arguments it uses the test repositories (SLIPWAY_TESTREPO_CACHE or
# ~/.cache/slipway-testrepo, newest build; run `go test ./internal/testrepo`
# first) and, in a temporary folder, builds large packages with rpmbuild (one
# per payload compressor) to measure throughput rather than process start.
#
# slipway's side does more work than rpm2cpio: it checks the header
# digests, the payload digest and every file's digest while it streams.
# rpm2cpio only decompresses. Each tool runs once per file, the way a
# user runs either on one package; for the test repositories a second,
# separately labelled row also times slipway checking all of them in one
# process (rpminfo takes many FILEs; rpm2cpio cannot).
#
# Wall times are noisy on a shared machine: each row also prints the least
# CPU time (user+sys) of the runs, and the load average is printed first
# and last.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
reps=${REPS:-3}

# SLIPWAY_BIN=FILE times that binary instead of building this checkout.
if [[ -n ${SLIPWAY_BIN:-} ]]; then
  cp "$SLIPWAY_BIN" "$work/slipway"
else
  CGO_ENABLED=0 go build -C "$root" -o "$work/slipway" ./cmd/slipway
fi

rpms=()
if (($#)); then
  for a in "$@"; do
    if [[ -d $a ]]; then rpms+=("$a"/*.rpm); else rpms+=("$a"); fi
  done
else
  cache=${SLIPWAY_TESTREPO_CACHE:-$HOME/.cache/slipway-testrepo}
  repo=$(ls -td "$cache"/*/ 2>/dev/null | head -n1 || true)
  if [[ -n $repo ]]; then
    rpms+=("$repo"/x86_64/*.rpm "$repo"/aarch64/*.rpm)
  fi
  # Large packages, one per compressor: text-like data (base64, which
  # compresses about 4:3) and random data; smaller for the slow xz/bzip2.
  mkdir -p "$work/home" "$work/src"
  echo "%_dbpath $work/db" >"$work/home/.rpmmacros"
  for c in w3.zstdio:24 w6.gzdio:24 w2.xzdio:6 w9.bzdio:6; do
    mib=${c#*:} c=${c%:*}
    src=$work/src/$mib
    if [[ ! -d $src ]]; then
      mkdir -p "$src"
      head -c $((mib << 20)) /dev/urandom | base64 -w 76 >"$src/text"
      head -c $((mib << 20)) /dev/urandom >"$src/random"
    fi
    cat >"$work/big-$c.spec" <<SPEC
Name: big-${c%%.*}
Version: 1
Release: 1
Summary: benchmark payload
License: MIT
BuildArch: noarch
%description
benchmark payload
%install
mkdir -p %{buildroot}/usr/share/big
for i in 1 2 3; do cp $src/text %{buildroot}/usr/share/big/text\$i; done
cp $src/random %{buildroot}/usr/share/big/random
%files
/usr/share/big
SPEC
    HOME=$work/home rpmbuild -bb --quiet --define "_topdir $work/top-$c" \
      --define "_binary_payload $c" "$work/big-$c.spec" >/dev/null 2>&1
    rpms+=("$work"/top-$c/RPMS/noarch/*.rpm)
  done
fi
((${#rpms[@]})) || { echo "bench-rpm: no RPMs" >&2; exit 1; }

bytes=$(cat "${rpms[@]}" | wc -c)
echo "bench-rpm: ${#rpms[@]} RPMs, $((bytes >> 20)) MiB, best of $reps; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# measure CMD: best wall time and least user+sys CPU time (each on its
# own: on a loaded machine the fastest run is not the one that ran alone)
# over $reps runs of CMD once per file (with ONE=1: once, with every file
# as an argument). Prints "wall cpu".
measure() {
  local best="" cpu="" loop='c=$1; shift; for f; do $c "$f" >/dev/null; done'
  if [[ ${ONE:-} == 1 ]]; then loop='c=$1; shift; $c "$@" >/dev/null'; fi
  for ((r = 0; r < reps; r++)); do
    local out
    out=$( { /usr/bin/time -f '%e %U %S' bash -c "$loop" _ "$*" "${rpms[@]}"; } 2>&1 >/dev/null | tail -n1)
    read -r w u s <<<"$out"
    local c
    c=$(awk -v a="$u" -v b="$s" 'BEGIN{print a + b}')
    if [[ -z $best ]] || awk -v a="$w" -v b="$best" 'BEGIN{exit !(a < b)}'; then best=$w; fi
    if [[ -z $cpu ]] || awk -v a="$c" -v b="$cpu" 'BEGIN{exit !(a < b)}'; then cpu=$c; fi
  done
  echo "$best $cpu"
}

per_kind() {
  local label=$1 s r
  # Alternate the tools so that load from elsewhere hits both alike.
  s=$(ONE=${2:-} measure "$work/slipway rpminfo --verify")
  r=$(measure rpm2cpio)
  read -r sw sc <<<"$s"
  read -r rw rc <<<"$r"
  printf '%-30s wall: slipway %6.2fs rpm2cpio %6.2fs ratio %.2fx | cpu: slipway %6.2fs rpm2cpio %6.2fs ratio %.2fx\n' \
    "$label" "$sw" "$rw" "$(awk -v a="$sw" -v b="$rw" 'BEGIN{print a / b}')" \
    "$sc" "$rc" "$(awk -v a="$sc" -v b="$rc" 'BEGIN{print (b > 0 ? a / b : 0)}')"
}

all=("${rpms[@]}")
small=() big=()
for f in "${all[@]}"; do
  if [[ $f == "$work"/* ]]; then big+=("$f"); else small+=("$f"); fi
done
if ((${#small[@]})); then
  rpms=("${small[@]}")
  per_kind "test repos (${#small[@]} files)"
  per_kind "  same, slipway in 1 process" 1
fi
for f in "${big[@]}"; do
  rpms=("$f")
  per_kind "$(HOME=$work/home rpm -qp --dbpath "$work/db" --qf '%{PAYLOADCOMPRESSOR}' "$f") payload ($(($(stat -c %s "$f") >> 20)) MiB)"
done
echo "bench-rpm: done; load average $(cut -d' ' -f1-3 /proc/loadavg)"
