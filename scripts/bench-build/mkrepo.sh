#!/usr/bin/env bash
# mkrepo.sh DATA PACKAGES-FILE: download the Debian bookworm amd64 packages
# named in PACKAGES-FILE, repackage each into one RPM with rpmbuild and make
# a createrepo_c repository of them in DATA/repo. Called by bench-build.sh,
# which caches DATA by the content of its scripts.
#
# Each .deb is extracted with dpkg-deb -x (paths kept as Debian ships them:
# /bin, /lib, /usr/lib/x86_64-linux-gnu; no usrmerge symlinks) and becomes
# NAME-VERSION-RELEASE with Debian's epoch, upstream version and revision.
# rpmbuild's automatic dependencies are kept (soname requires/provides from
# elfdeps, interpreter requires from scripts), except perl/python module and
# interpreter requires that the set cannot satisfy (perl-base is no full
# perl), and libc6 provides rtld(GNU_HASH) as Fedora's glibc does. A path
# shipped by two packages is kept in the first one (by name) only. Payloads are zstd level 7
# (w7.zstdio; Azure Linux's own setting is w7T0.zstdio, the same format).
set -euo pipefail

data=$1
list=$2
mkdir -p "$data"/{debs,x,specs,home,top,repo}
echo "%_dbpath $data/rpmdb" >"$data/home/.rpmmacros"

mapfile -t pkgs < <(grep -v '^#' "$list" | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
echo "mkrepo: downloading ${#pkgs[@]} Debian packages" >&2
chmod 0777 "$data/debs"
(cd "$data/debs" && apt-get download -q "${pkgs[@]}" >/dev/null 2>"$data/apt.log") || {
  cat "$data/apt.log" >&2
  exit 1
}

echo "mkrepo: extracting" >&2
for deb in "$data"/debs/*.deb; do
  name=$(dpkg-deb -f "$deb" Package)
  rm -rf "$data/x/$name"
  mkdir -p "$data/x/$name"
  dpkg-deb -x "$deb" "$data/x/$name"
done

# Drop paths (files and symlinks) that an earlier package already ships.
(cd "$data/x" && find . -mindepth 2 ! -type d -printf '%P\n' | sort) |
  awk '{ p = $0; sub(/^[^\/]*\//, "", p); if (seen[p]++) print $0 }' >"$data/dropped.txt"
while IFS= read -r f; do rm -f "$data/x/$f"; done <"$data/dropped.txt"
echo "mkrepo: dropped $(wc -l <"$data/dropped.txt") duplicate paths" >&2

# One spec per package.
for deb in "$data"/debs/*.deb; do
  name=$(dpkg-deb -f "$deb" Package)
  ver=$(dpkg-deb -f "$deb" Version)
  arch=$(dpkg-deb -f "$deb" Architecture)
  epoch=
  if [[ $ver == *:* ]]; then epoch=${ver%%:*}; ver=${ver#*:}; fi
  rel=1
  if [[ $ver == *-* ]]; then rel=${ver##*-}; ver=${ver%-*}; fi
  ver=${ver//-/_} rel=${rel//-/_}
  buildarch=
  [[ $arch == all ]] && buildarch="BuildArch: noarch"
  {
    echo "Name: $name"
    [[ -n $epoch ]] && echo "Epoch: $epoch"
    echo "Version: $ver"
    echo "Release: $rel"
    echo "Summary: Debian bookworm $name repackaged for slipway's build benchmark"
    echo "License: Debian"
    echo "$buildarch"
    # Fedora's glibc declares this by hand; elfdeps makes every binary need it.
    [[ $name == libc6 ]] && echo "Provides: rtld(GNU_HASH)"
    echo "%description"
    echo "Debian bookworm's $name $(dpkg-deb -f "$deb" Version), repackaged."
    echo "%install"
    echo "cp -a $data/x/$name/. %{buildroot}/"
    echo "%files"
    (cd "$data/x/$name" && find . -mindepth 1 -maxdepth 1 -printf '/%P\n' | sort)
  } >"$data/specs/$name.spec"
done

echo "mkrepo: rpmbuild ($(nproc) at a time)" >&2
# Made beforehand: parallel rpmbuilds race to create them.
mkdir -p "$data"/top/{BUILD,BUILDROOT,RPMS,SOURCES,SPECS,SRPMS}
build() {
  HOME=$data/home rpmbuild -bb --quiet \
    --define "_topdir $data/top" \
    --define "_binary_payload w7.zstdio" \
    --define "debug_package %{nil}" \
    --define "__os_install_post %{nil}" \
    --define "_build_id_links none" \
    --define "_binaries_in_noarch_packages_terminate_build 0" \
    --define "__requires_exclude ^(perl|python|/usr/bin/python)" \
    "$1" >"$1.log" 2>&1 || { cat "$1.log" >&2; return 1; }
}
export -f build
export data
printf '%s\n' "$data"/specs/*.spec | xargs -P "$(nproc)" -n 1 bash -c 'build "$1"' _

find "$data/top/RPMS" -name '*.rpm' -exec mv -t "$data/repo" {} +
createrepo_c -q "$data/repo" >/dev/null
echo "mkrepo: $(ls "$data"/repo/*.rpm | wc -l) RPMs, $(du -sh "$data/repo" | cut -f1)" >&2
rm -rf "$data/top" "$data/x"
