#!/usr/bin/env bash
# Installs the cosign CLI that slipway's signing tests compare with, into a
# folder keyed by its version, only when it is not there yet. Prints the
# folder; tests look for cosign on PATH, then in this folder.
#
#   scripts/install-cosign.sh            # installs if missing
#   export PATH="$(scripts/install-cosign.sh):$PATH"
set -euo pipefail

version="${COSIGN_VERSION:-v2.6.5}"
dir="${XDG_CACHE_HOME:-$HOME/.cache}/slipway-tools/cosign-${version}"

if [[ ! -x "$dir/cosign" ]]; then
  mkdir -p "$dir"
  echo "installing cosign ${version} into $dir (a few minutes, cold)" >&2
  # A separate module-free build: the project's go.mod is not involved.
  (cd "$dir" && GOBIN="$dir" CGO_ENABLED=0 GOFLAGS=-mod=mod \
    go install "github.com/sigstore/cosign/v2/cmd/cosign@${version}")
fi
echo "$dir"
