#!/usr/bin/env bash
# Installs the Debian packages slipway's tests use, only what is missing.
set -euo pipefail

pkgs=(
  rpm createrepo-c dnf libsolv-tools docker-registry skopeo umoci
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
  busybox-static qemu-user-static zstd xz-utils bzip2 cpio gpg
  libcap2-bin systemd binfmt-support apache2-utils
  zsh tmux
  jq
  # p11-kit's trust extract: the oracle of the update-ca-trust emulation
  p11-kit
  # python3-hawkey comes with dnf: the oracle of dnf's spec parsing
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

need_update=0
# The arm64 busybox-static .deb (downloaded, not installed, by
# scripts/gen-testrepo.sh) needs the arm64 architecture in apt's lists.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  need_update=1
fi
if ((${#missing[@]})); then
  need_update=1
fi
if ((need_update)); then
  apt-get update
fi
if ((${#missing[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
