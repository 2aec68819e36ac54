#!/usr/bin/env bash
# gen-testrepo.sh OUTDIR [SPEC...]
#
# Builds slipway's real, signed RPM test repositories from the spec files in
# testdata/rpms/ with rpmbuild, rpmsign and createrepo_c. OUTDIR receives:
#
#   keys/RPM-GPG-KEY-slipway-test    armored public key that signed everything
#   keys/RPM-GPG-KEY-slipway-other   armored public key of a second key
#   x86_64/   x86_64 + noarch RPMs, repodata/ (gz), repodata/repomd.xml.asc
#   aarch64/  aarch64 + noarch RPMs, repodata/ (gz), repodata/repomd.xml.asc
#   x86_64-xz/    the x86_64 RPMs, metadata compressed with xz (signed)
#   x86_64-zstd/  the x86_64 RPMs, primary/filelists/other recompressed with
#                 zstd and repomd.xml rewritten (signed)
#   negative/tampered.rpm        signed, then payload bytes altered
#   negative/unknown-signed.rpm  signed by the other key only
#   negative/unsigned.rpm        no signature
#
# With SPEC names (file names without .spec, e.g. "filesystem setup"), only
# those specs are built and only x86_64/ and aarch64/ are written (no xz/zstd
# copies, no negatives): scripts/gen-example-repo.sh uses that.
#
# Needs: rpm (rpmbuild, rpmsign), createrepo-c, gpg, zstd, gcc,
# gcc-aarch64-linux-gnu + libc6-dev-arm64-cross, busybox-static, and either
# network access to Debian's apt for busybox-static:arm64 or
# SLIPWAY_BUSYBOX_ARM64=/path/to/aarch64/busybox. SLIPWAY_KEY_NAME sets the
# user id of the signing key.
set -euo pipefail

if (($# < 1)); then
  echo "usage: $0 OUTDIR [SPEC...]" >&2
  exit 2
fi

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
specdir=$repo_root/testdata/rpms
mkdir -p "$1"
out=$(cd "$1" && pwd)
shift
only=("$@")

work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-testrepo.XXXXXX")
cleanup() {
  GNUPGHOME=$work/gnupg gpgconf --kill gpg-agent >/dev/null 2>&1 || true
  GNUPGHOME=$work/gnupg-other gpgconf --kill gpg-agent >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

export LC_ALL=C TZ=UTC
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
# Debian's rpm keeps its database in ~/.rpmdb: give every tool a private HOME.
export HOME=$work/home
mkdir -p "$HOME" "$work/rpmdb"

key_name=${SLIPWAY_KEY_NAME:-"Slipway Test Signing <test@slipway.invalid>"}
other_name="Slipway Other Signing <other@slipway.invalid>"

cat >"$HOME/.rpmmacros" <<EOF
%_dbpath $work/rpmdb
%__gpg /usr/bin/gpg
%_gpg_name $key_name
%_buildhost slipway.invalid
%use_source_date_epoch_as_buildtime 1
%clamp_mtime_to_source_date_epoch 1
%_build_id_links none
%debug_package %{nil}
EOF

# --- keys -------------------------------------------------------------------
for g in gnupg gnupg-other; do
  mkdir -m 0700 "$work/$g"
done
GNUPGHOME=$work/gnupg gpg --batch --quiet --passphrase '' \
  --quick-gen-key "$key_name" rsa3072 sign never 2>/dev/null
GNUPGHOME=$work/gnupg-other gpg --batch --quiet --passphrase '' \
  --quick-gen-key "$other_name" rsa3072 sign never 2>/dev/null
export GNUPGHOME=$work/gnupg

# --- per-arch sources ---------------------------------------------------------
stage() { # stage ARCH DIR
  local arch=$1 dir=$2
  mkdir -p "$dir"
  cp -p "$specdir"/src/* "$dir"/
  case $arch in
    x86_64)
      cp /bin/busybox "$dir/busybox"
      cp -L /lib/x86_64-linux-gnu/libc.so.6 "$dir/libc.so.6"
      cp -L /lib64/ld-linux-x86-64.so.2 "$dir/ld.so"
      ;;
    aarch64)
      if [[ -n ${SLIPWAY_BUSYBOX_ARM64:-} ]]; then
        cp "$SLIPWAY_BUSYBOX_ARM64" "$dir/busybox"
      else
        (cd "$work" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1) || {
          echo "gen-testrepo: cannot download busybox-static:arm64 (run scripts/install-test-deps.sh, or set SLIPWAY_BUSYBOX_ARM64)" >&2
          return 1
        }
        dpkg-deb -x "$work"/busybox-static_*_arm64.deb "$work/bb-arm64"
        cp "$work/bb-arm64/bin/busybox" "$dir/busybox"
      fi
      cp -L /usr/aarch64-linux-gnu/lib/libc.so.6 "$dir/libc.so.6"
      cp -L /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 "$dir/ld.so"
      ;;
  esac
}
stage x86_64 "$work/src-x86_64"
stage aarch64 "$work/src-aarch64"

# --- build --------------------------------------------------------------------
specs=()
if ((${#only[@]})); then
  for s in "${only[@]}"; do specs+=("$specdir/$s.spec"); done
else
  specs=("$specdir"/*.spec)
fi

build() { # build ARCH SPEC
  local arch=$1 spec=$2 top=$work/top-$1
  local args=(
    --define "_topdir $top"
    --define "_sourcedir $work/src-$arch"
    --define "dist .azl3"
    --define "debug_package %{nil}"
    --define "_binary_payload w19.zstdio"
  )
  if [[ $arch == aarch64 ]]; then
    args+=(--target aarch64
      --define "__strip /usr/bin/aarch64-linux-gnu-strip"
      --define "__objdump /usr/bin/aarch64-linux-gnu-objdump"
      --define "slipway_cc aarch64-linux-gnu-gcc")
  else
    args+=(--target x86_64 --define "slipway_cc gcc")
  fi
  if ! rpmbuild -bb --quiet "${args[@]}" "$spec" >"$work/log-$arch-$(basename "$spec").txt" 2>&1; then
    echo "gen-testrepo: rpmbuild $arch $(basename "$spec") failed:" >&2
    cat "$work/log-$arch-$(basename "$spec").txt" >&2
    return 1
  fi
}

build_arch() { # build_arch ARCH: every arch-specific spec, and on x86_64 the noarch ones
  local arch=$1 spec
  for spec in "${specs[@]}"; do
    if grep -qE '^BuildArch:[[:space:]]*noarch' "$spec"; then
      [[ $arch == x86_64 ]] || continue
    fi
    build "$arch" "$spec"
  done
}

build_arch x86_64 &
pid_x86=$!
build_arch aarch64 &
pid_arm=$!
rc=0
wait "$pid_x86" || rc=1
wait "$pid_arm" || rc=1
((rc == 0)) || exit 1

mkdir -p "$work/x86_64" "$work/aarch64"
find "$work/top-x86_64/RPMS" "$work/top-aarch64/RPMS" -name '*.rpm' -print0 |
  xargs -0 -I{} mv {} "$work/"
shopt -s nullglob
all_rpms=("$work"/*.rpm)

# rpmsign SIGNARGS... : rpmsign, quiet unless it fails (gpg warns about GPG_TTY).
sign() {
  if ! rpmsign --addsign "$@" >"$work/sign.log" 2>&1; then
    cat "$work/sign.log" >&2
    return 1
  fi
}

# --- negatives (before signing: copies of one package) --------------------------
if ! ((${#only[@]})); then
  mkdir -p "$work/negative"
  neg_src=("$work"/tinyhttpd-*.noarch.rpm)
  cp "${neg_src[0]}" "$work/negative/unsigned.rpm"
  cp "${neg_src[0]}" "$work/negative/unknown-signed.rpm"
  cp "${neg_src[0]}" "$work/negative/tampered.rpm"
  GNUPGHOME=$work/gnupg-other sign --define "_gpg_name $other_name" \
    "$work/negative/unknown-signed.rpm"
  sign "$work/negative/tampered.rpm"
fi

# --- sign -------------------------------------------------------------------
sign "${all_rpms[@]}"

if ! ((${#only[@]})); then
  # Alter one byte in the middle of the (zstd) payload: the header and its
  # signature stay valid, the header's payload digest no longer matches.
  t=$work/negative/tampered.rpm
  off=$(grep -obUaP '\x28\xb5\x2f\xfd' "$t" | tail -n1 | cut -d: -f1)
  size=$(stat -c %s "$t")
  pos=$((off + (size - off) / 2))
  byte=$(od -An -tu1 -j "$pos" -N1 "$t" | tr -d ' ')
  printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
    dd of="$t" bs=1 seek="$pos" conv=notrunc status=none
  gpg --batch --quiet --armor --export "$key_name" >"$work/key.asc"
  rpm --dbpath "$work/rpmdb" --import "$work/key.asc"
  if rpm --dbpath "$work/rpmdb" -K "$t" >/dev/null 2>&1; then
    echo "gen-testrepo: tampered RPM still verifies" >&2
    exit 1
  fi
fi

# --- repositories ---------------------------------------------------------------
sign_repomd() { # sign_repomd REPODIR
  gpg --batch --quiet --yes --armor --detach-sign \
    -o "$1/repodata/repomd.xml.asc" "$1/repodata/repomd.xml"
}
mkrepo() { # mkrepo DIR [createrepo_c args...]
  local dir=$1
  shift
  createrepo_c --quiet --no-database --revision "$SOURCE_DATE_EPOCH" \
    --set-timestamp-to-revision "$@" "$dir" >/dev/null
  sign_repomd "$dir"
}

for arch in x86_64 aarch64; do
  for f in "$work"/*."$arch".rpm "$work"/*.noarch.rpm; do
    cp "$f" "$work/$arch/"
  done
  mkrepo "$work/$arch"
done

if ! ((${#only[@]})); then
  mkdir -p "$work/x86_64-xz" "$work/x86_64-zstd"
  ln "$work"/x86_64/*.rpm "$work/x86_64-xz/"
  ln "$work"/x86_64/*.rpm "$work/x86_64-zstd/"
  mkrepo "$work/x86_64-xz" --general-compress-type=xz
  cp -r "$work/x86_64/repodata" "$work/x86_64-zstd/repodata"
  rm -f "$work/x86_64-zstd/repodata/repomd.xml.asc"
  # Debian's createrepo_c cannot write zstd: recompress and rewrite repomd.xml.
  /usr/bin/python3 - "$work/x86_64-zstd/repodata" <<'PY'
import hashlib, os, subprocess, sys
import xml.etree.ElementTree as ET

rd = sys.argv[1]
NS = "http://linux.duke.edu/metadata/repo"
RPM = "http://linux.duke.edu/metadata/rpm"
ET.register_namespace("", NS)
ET.register_namespace("rpm", RPM)
path = os.path.join(rd, "repomd.xml")
tree = ET.parse(path)
for data in tree.getroot().findall("{%s}data" % NS):
    if data.get("type") not in ("primary", "filelists", "other"):
        continue
    loc = data.find("{%s}location" % NS)
    old = os.path.join(rd, "..", loc.get("href"))
    raw = subprocess.run(["gzip", "-dc", old], check=True, capture_output=True).stdout
    comp = subprocess.run(["zstd", "-q", "-19", "-c"], input=raw, check=True, capture_output=True).stdout
    digest = hashlib.sha256(comp).hexdigest()
    name = "%s-%s.xml.zst" % (digest, data.get("type"))
    with open(os.path.join(rd, name), "wb") as f:
        f.write(comp)
    os.remove(old)
    loc.set("href", "repodata/" + name)
    data.find("{%s}checksum" % NS).text = digest
    data.find("{%s}size" % NS).text = str(len(comp))
    data.find("{%s}open-checksum" % NS).text = hashlib.sha256(raw).hexdigest()
    data.find("{%s}open-size" % NS).text = str(len(raw))
tree.write(path, xml_declaration=True, encoding="UTF-8")
PY
  sign_repomd "$work/x86_64-zstd"
fi

# --- publish ------------------------------------------------------------------------
mkdir -p "$work/keys"
gpg --batch --armor --export "$key_name" >"$work/keys/RPM-GPG-KEY-slipway-test"
GNUPGHOME=$work/gnupg-other gpg --batch --armor --export "$other_name" \
  >"$work/keys/RPM-GPG-KEY-slipway-other"

for d in keys x86_64 aarch64 x86_64-xz x86_64-zstd negative; do
  [[ -d $work/$d ]] || continue
  rm -rf "${out:?}/$d"
  mv "$work/$d" "$out/$d"
done
