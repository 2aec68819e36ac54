#!/usr/bin/env bash
# bench-layers.sh [WORKDIR]: the pull cost of a one-package update with
# [layers] strategy = "origin" (issue 16), on bench-build.sh's realistic
# repository (about 100 Debian bookworm packages repackaged as RPMs; built
# once by scripts/bench-build/mkrepo.sh and kept in WORKDIR/data-KEY, the
# cache bench-build.sh uses).
#
# It publishes the image to a real docker-registry on loopback, rebuilds
# one mid-sized package (PKG, default libsqlite3-0) with a new release and
# nothing else changed, publishes again to the same tag (publish keeps the
# plan of the image at its first --tag), and computes from the two
# manifests (skopeo inspect --raw) the bytes a client that has the first
# image pulls for the second: the compressed sizes of the layers it lacks.
# It prints them against the updated package's layer + the metadata layer
# (goal: at most 1.2x) and against the whole one-layer image.
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
storage:
  filesystem:
    rootdirectory: $run/storage
http:
  addr: 127.0.0.1:$port
EOF2
docker-registry serve "$run/registry.yml" >"$run/registry.log" 2>&1 &
regpid=$!
trap 'kill $regpid 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.2; done

tag=127.0.0.1:$port/bench/core
"$slipway" --cache-dir "$run/cache" publish "$run/v1.toml" --tag "$tag:latest" >/dev/null
skopeo inspect --raw --tls-verify=false "docker://$tag:latest" >"$run/m1.json"
"$slipway" --cache-dir "$run/cache" publish "$run/v2.toml" --tag "$tag:latest" >/dev/null
skopeo inspect --raw --tls-verify=false "docker://$tag:latest" >"$run/m2.json"
"$slipway" --cache-dir "$run/cache" publish "$run/single.toml" --tag "$tag:single" >/dev/null
skopeo inspect --raw --tls-verify=false "docker://$tag:single" >"$run/single.json"

# A one-architecture publish pushes an image manifest.
pulled=$(jq -n --slurpfile a "$run/m1.json" --slurpfile b "$run/m2.json" \
  '[$b[0].layers[] | select(.digest as $d | [$a[0].layers[].digest] | index($d) | not) | .size] | add // 0')
pkglayer=$(jq --arg p "$(rpm -qp --dbpath "$run/rpmdb" --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}' "$new" 2>/dev/null)" \
  '[.layers[] | select((.annotations["dev.slipway.layer.packages"] // "") | split(",") | index($p)) | .size] | add // 0' "$run/m2.json")
meta=$(jq '[.layers[] | select(.annotations["dev.slipway.layer.metadata"] == "true") | .size] | add // 0' "$run/m2.json")
whole=$(jq '[.layers[].size] | add' "$run/single.json")
n1=$(jq '.layers | length' "$run/m1.json")
n2=$(jq '.layers | length' "$run/m2.json")
kept=$(jq -n --slurpfile a "$run/m1.json" --slurpfile b "$run/m2.json" '[$b[0].layers[] | select(.digest as $d | [$a[0].layers[].digest] | index($d))] | length')
echo "layers: $n1 then $n2, $kept of them unchanged"
echo "pulled after the update: $pulled bytes"
echo "  $pkg's layer: $pkglayer bytes, the metadata layer: $meta bytes; ratio $(awk -v a="$pulled" -v b="$((pkglayer + meta))" 'BEGIN { printf "%.3f", a / b }') (goal <= 1.2)"
echo "  the whole one-layer image: $whole bytes; ratio $(awk -v a="$pulled" -v b="$whole" 'BEGIN { printf "%.4f", a / b }')"
