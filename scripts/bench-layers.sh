#!/usr/bin/env bash
# bench-layers.sh [WORKDIR]: the pull cost of a one-package update with
# [layers] strategy = "origin" (issue 16), and the build time of origin
# against the one-layer build, on bench-build.sh's realistic repository
# (about 100 Debian bookworm packages repackaged as RPMs; built once by
# scripts/bench-build/mkrepo.sh and kept in WORKDIR/data-KEY, the cache
# bench-build.sh uses).
#
# Pull cost: the image is published to a real docker-registry on loopback
# and pulled by skopeo through a counting proxy (internal/countproxy,
# which counts the bytes of every blob GET it relays) into an OCI layout,
# the client's store. One mid-sized package (PKG, default libsqlite3-0) is
# rebuilt with a new release and nothing else changed, the image published
# again to the same tag (publish keeps the plan of the image at its first
# --tag), and pulled into the SAME layout: skopeo skips the blobs the
# layout has, so the proxy counts what a client holding the first image
# pulls for the second. It prints that against the updated package's
# layer + the metadata layer (goal: at most 1.2x) and against a pull of
# the whole one-layer image into an empty layout, and checks the count
# against the sizes of the layers the second manifest adds.
#
# Build time: BUILDS (default 5) builds each of the one-layer and the
# origin image (gzip unless COMPRESSION says, warm package cache, the layer cache removed before
# each), alternating, under /usr/bin/time; medians of wall and CPU
# (user+sys) time and their ratios (goal: origin within 10 % of the
# one-layer build). BUILDS=0 skips them. Other work on the machine skews
# the wall times; the CPU times less so. COMPRESSION=zstd times zstd
# layers instead.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/scripts/bench-build
work=${1:-${TMPDIR:-/tmp}/slipway-bench-build}
pkg=${PKG:-libsqlite3-0}
mkdir -p "$work"
work=$(cd "$work" && pwd)
for t in docker-registry skopeo rpmbuild createrepo_c jq; do
  command -v "$t" >/dev/null || { echo "bench-layers: $t is missing (apt-get install docker-registry skopeo rpm createrepo-c jq)" >&2; exit 1; }
done

key=$(cat "$here/mkrepo.sh" "$here/packages.txt" | sha256sum | cut -c1-12)
data=$work/data-$key
if [[ ! -f $data/done ]]; then
  rm -rf "$data"
  "$here/mkrepo.sh" "$data" "$here/packages.txt"
  touch "$data/done"
fi

run=$work/layers
rm -rf "$run"
mkdir -p "$run"/{repo2,x,top,home}
echo "%_dbpath $run/rpmdb" >"$run/home/.rpmmacros"
CGO_ENABLED=0 go build -C "$root" -o "$run/slipway" ./cmd/slipway
CGO_ENABLED=0 go build -C "$root" -o "$run/countproxy" ./internal/countproxy/cmd/countproxy
slipway=$run/slipway

# The update: PKG rebuilt from its .deb with Release + ".1", its files
# dated at the rebuild.
cp "$data"/repo/*.rpm "$run/repo2/"
old=$(ls "$run"/repo2/"$pkg"-[0-9]*.rpm)
rm "$old"
dpkg-deb -x "$(ls "$data"/debs/"$pkg"_*.deb)" "$run/x/$pkg"
# A rebuild dates its files anew (the same contents otherwise): without
# this the update would change the rpm database only.
find "$run/x/$pkg" -exec touch -h -d "@$(date +%s)" {} +
sed -e "s|^Release: \(.*\)|Release: \1.1|" -e "s|cp -a .*/x/$pkg/\.|cp -a $run/x/$pkg/.|" "$data/specs/$pkg.spec" >"$run/$pkg.spec"
HOME=$run/home rpmbuild -bb --quiet --define "_topdir $run/top" --define "_binary_payload w7.zstdio" \
  --define "debug_package %{nil}" --define "__os_install_post %{nil}" --define "_build_id_links none" \
  --define "__requires_exclude ^(perl|python|/usr/bin/python)" "$run/$pkg.spec" >/dev/null
find "$run/top/RPMS" -name '*.rpm' -exec mv -t "$run/repo2" {} +
createrepo_c -q "$run/repo2" >/dev/null
new=$(ls "$run"/repo2/"$pkg"-[0-9]*.rpm)
echo "update: $(basename "$old") -> $(basename "$new")"

mapfile -t names < <(rpm -qp --dbpath "$run/rpmdb" --qf '%{NAME}\n' "$data"/repo/*.rpm 2>/dev/null | sort -u)
config() { # config REPO STRATEGY
  echo '[image]'
  echo 'name = "bench/core"'
  echo 'architectures = ["x86_64"]'
  echo '[[repository]]'
  echo 'id = "bench"'
  echo "baseurl = \"file://$1\""
  echo 'gpgcheck = false'
  echo '[packages]'
  echo 'docs = true'
  printf 'install = ['
  printf '"%s", ' "${names[@]}"
  echo ']'
  echo '[layers]'
  echo "strategy = \"$2\""
}
config "$data/repo" origin >"$run/v1.toml"
config "$run/repo2" origin >"$run/v2.toml"
config "$run/repo2" single >"$run/single.toml"

port=$((20000 + RANDOM % 20000))
cat >"$run/registry.yml" <<EOF2
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $run/storage
http:
  addr: 127.0.0.1:$port
EOF2
docker-registry serve "$run/registry.yml" >"$run/registry.log" 2>&1 &
regpid=$!
"$run/countproxy" -target "http://127.0.0.1:$port" -addr-file "$run/proxy.addr" >"$run/proxy.log" 2>&1 &
proxypid=$!
trap 'kill $regpid $proxypid 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.2; done
for _ in $(seq 50); do [[ -s $run/proxy.addr ]] && break; sleep 0.2; done
proxy=$(cat "$run/proxy.addr")

tag=127.0.0.1:$port/bench/core
# pull REF LAYOUT:TAG NAME: skopeo pulls REF (a tag of the registry)
# through the proxy into the OCI layout; the proxy's counts go to
# $run/NAME.counts.json.
pull() {
  curl -fs -X POST "http://$proxy/_countproxy/reset" >/dev/null
  skopeo copy --quiet --src-tls-verify=false "docker://$proxy/bench/core:$1" "oci:$run/$2" >/dev/null
  curl -fs "http://$proxy/_countproxy/counts" >"$run/$3.counts.json"
}
"$slipway" --cache-dir "$run/cache" publish "$run/v1.toml" --tag "$tag:latest" >/dev/null 2>>"$run/slipway.log"
skopeo inspect --raw --tls-verify=false "docker://$tag:latest" >"$run/m1.json"
pull latest client:v1 first
"$slipway" --cache-dir "$run/cache" publish "$run/v2.toml" --tag "$tag:latest" >/dev/null 2>>"$run/slipway.log"
skopeo inspect --raw --tls-verify=false "docker://$tag:latest" >"$run/m2.json"
pull latest client:v2 second
"$slipway" --cache-dir "$run/cache" publish "$run/single.toml" --tag "$tag:single" >/dev/null 2>>"$run/slipway.log"
skopeo inspect --raw --tls-verify=false "docker://$tag:single" >"$run/single.json"
pull single client-single:single single

# A one-architecture publish pushes an image manifest.
pulled=$(jq .blob_bytes "$run/second.counts.json")
gets=$(jq .blob_gets "$run/second.counts.json")
first=$(jq .blob_bytes "$run/first.counts.json")
whole=$(jq .blob_bytes "$run/single.counts.json")
config2=$(jq .config.size "$run/m2.json")
added=$(jq -n --slurpfile a "$run/m1.json" --slurpfile b "$run/m2.json" \
  '[$b[0].layers[] | select(.digest as $d | [$a[0].layers[].digest] | index($d) | not) | .size] | add // 0')
pkglayer=$(jq --arg p "$(rpm -qp --dbpath "$run/rpmdb" --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}' "$new" 2>/dev/null)" \
  '[.layers[] | select((.annotations["dev.slipway.layer.packages"] // "") | split(",") | index($p)) | .size] | add // 0' "$run/m2.json")
meta=$(jq '[.layers[] | select(.annotations["dev.slipway.layer.metadata"] == "true") | .size] | add // 0' "$run/m2.json")
n1=$(jq '.layers | length' "$run/m1.json")
n2=$(jq '.layers | length' "$run/m2.json")
kept=$(jq -n --slurpfile a "$run/m1.json" --slurpfile b "$run/m2.json" '[$b[0].layers[] | select(.digest as $d | [$a[0].layers[].digest] | index($d))] | length')
echo "layers: $n1 then $n2, $kept of them unchanged"
echo "first pull (empty layout): $first blob bytes"
echo "pulled after the update (counted by the proxy): $pulled bytes in $gets blob GETs ($config2 of them the image config)"
echo "  the layers the second manifest adds: $added bytes + the config $config2 = $((added + config2))"
echo "  $pkg's layer: $pkglayer bytes, the metadata layer: $meta bytes; ratio $(awk -v a="$pulled" -v b="$((pkglayer + meta))" 'BEGIN { printf "%.3f", a / b }') (goal <= 1.2)"
echo "  the whole one-layer image (pulled into an empty layout): $whole bytes; ratio $(awk -v a="$pulled" -v b="$whole" 'BEGIN { printf "%.4f", a / b }')"
if ((pulled != added + config2)); then
  echo "bench-layers: the proxy counted $pulled bytes, the manifests say $((added + config2))" >&2
  exit 1
fi

builds=${BUILDS:-5}
compression=${COMPRESSION:-gzip}
((builds > 0)) || exit 0
config "$data/repo" origin >"$run/time-origin.toml"
config "$data/repo" single >"$run/time-single.toml"
# One untimed build of each fills the package cache.
for s in single origin; do
  "$slipway" --cache-dir "$run/tcache" build --compression "$compression" "$run/time-$s.toml" --output "oci:$run/time-out-$s:x" >/dev/null 2>>"$run/slipway.log"
done
rm -f "$run"/time-{single,origin}.runs
for _ in $(seq "$builds"); do
  for s in single origin; do
    rm -rf "$run/tcache/layers" "$run/time-out-$s"
    /usr/bin/time -f '%e %U %S %M' -o "$run/time.out" \
      "$slipway" --cache-dir "$run/tcache" build --compression "$compression" "$run/time-$s.toml" --output "oci:$run/time-out-$s:x" >/dev/null 2>>"$run/slipway.log"
    read -r wall user sys rss <"$run/time.out"
    echo "$wall $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') $rss $(cut -d' ' -f1 /proc/loadavg)" >>"$run/time-$s.runs"
  done
done
# med FILE COLUMN: the median of a column.
med() { awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'; }
ws=$(med "$run/time-single.runs" 1) cs=$(med "$run/time-single.runs" 2) rs=$(med "$run/time-single.runs" 3)
wo=$(med "$run/time-origin.runs" 1) co=$(med "$run/time-origin.runs" 2) ro=$(med "$run/time-origin.runs" 3)
echo "build time ($compression), median of $builds alternating runs each ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "  single: wall $ws s, CPU $cs s, max RSS $((rs / 1024)) MiB (runs: $(awk '{ printf "%s/%s ", $1, $2 }' "$run/time-single.runs"))"
echo "  origin: wall $wo s, CPU $co s, max RSS $((ro / 1024)) MiB (runs: $(awk '{ printf "%s/%s ", $1, $2 }' "$run/time-origin.runs"))"
echo "  origin / single: wall $(awk -v a="$wo" -v b="$ws" 'BEGIN { printf "%.3f", a / b }'), CPU $(awk -v a="$co" -v b="$cs" 'BEGIN { printf "%.3f", a / b }') (goal <= 1.10)"
