#!/usr/bin/env bash
# bench-push.sh [oci:DIR:TAG]: time `slipway push` of a multi-arch OCI
# layout to a real docker-registry on 127.0.0.1 against
# `skopeo copy --all` of the same layout, in one run, and print the ratios.
#
# Without an argument the layout is the example image (examples/hello.toml,
# both architectures). Each of REPS runs (default 5) pushes to a fresh
# repository ("cold": every blob is uploaded) and then again to the same
# repository ("warm": nothing changed, the blobs are only checked); the
# median of each is printed. Registry storage is on tmpfs when /dev/shm
# exists.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
reps=${REPS:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-bench-push.XXXXXX")
store=$work
[ -d /dev/shm ] && store=$(mktemp -d /dev/shm/slipway-bench-push.XXXXXX)
reg_pid=
cleanup() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
  rm -rf "$work" "$store"
}
trap cleanup EXIT

for t in docker-registry skopeo go; do
  command -v "$t" >/dev/null || { echo "bench-push: $t is missing (scripts/install-test-deps.sh)"; exit 1; }
done

echo "building slipway"
CGO_ENABLED=0 go build -C "$root" -o "$work/slipway" ./cmd/slipway
slipway=$work/slipway

src=${1:-}
if [ -z "$src" ]; then
  "$slipway" --cache-dir "$work/cache" build -q "$root/examples/hello.toml" --output "oci:$work/oci:bench" >/dev/null
  src=oci:$work/oci:bench
fi
layout=${src#oci:}; layout=${layout%:*}
echo "layout: $src ($(du -sh "$layout" | cut -f1))"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $store/registry
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
  sleep 0.1
done
host=127.0.0.1:$port

# secs CMD...: run CMD, print its wall time in seconds.
secs() {
  local s e
  s=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

: >"$work/sc" ; : >"$work/sw" ; : >"$work/kc" ; : >"$work/kw"
for i in $(seq "$reps"); do
  secs "$slipway" push "$src" "$host/slipway$i:t" >>"$work/sc"
  secs "$slipway" push "$src" "$host/slipway$i:t" >>"$work/sw"
  secs skopeo copy --all --dest-tls-verify=false "$src" "docker://$host/skopeo$i:t" >>"$work/kc"
  secs skopeo copy --all --dest-tls-verify=false "$src" "docker://$host/skopeo$i:t" >>"$work/kw"
done
sc=$(median <"$work/sc"); sw=$(median <"$work/sw"); kc=$(median <"$work/kc"); kw=$(median <"$work/kw")
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %10s %10s %8s\n' "" slipway skopeo ratio
awk -v a="$sc" -v b="$kc" 'BEGIN { printf "%-6s %9.3fs %9.3fs %8.2f\n", "cold", a, b, a / b }'
awk -v a="$sw" -v b="$kw" 'BEGIN { printf "%-6s %9.3fs %9.3fs %8.2f\n", "warm", a, b, a / b }'
echo "(median of $reps; ratio < 1 means slipway is faster)"
