#!/usr/bin/env bash
# Installs the tools slipway's tests use (real rpm, createrepo_c, dnf,
# libsolv, a registry, ...), from Debian's packages, only when missing.
# Safe to run again: it does nothing when everything is present.
set -euo pipefail

# package:command pairs; the command tells whether the package is present.
want=(
  rpm:rpmbuild
  rpm:rpmsign
  createrepo-c:createrepo_c
  dnf:dnf
  libsolv-tools:testsolv
  docker-registry:docker-registry
  skopeo:skopeo
  umoci:umoci
  gcc-aarch64-linux-gnu:aarch64-linux-gnu-gcc
  busybox-static:busybox
  qemu-user-static:qemu-aarch64-static
  binfmt-support:update-binfmts
  zstd:zstd
  xz-utils:xz
  bzip2:bzip2
  cpio:cpio
  gnupg:gpg
  tmux:tmux
)
# Packages without a command to test for: checked with dpkg.
want_pkgs=(libc6-dev-arm64-cross)

missing=()
for pair in "${want[@]}"; do
  pkg=${pair%%:*} cmd=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
for pkg in "${want_pkgs[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: everything present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-test-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
