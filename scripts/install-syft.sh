#!/usr/bin/env bash
# Installs the syft CLI (a scanner users run) that slipway's e2e tests check images with, into a
# folder keyed by its version, only when it is not there yet. Prints the
# folder; tests look for syft on PATH, then in this folder.
#
#   scripts/install-syft.sh            # installs if missing
#   export PATH="$(scripts/install-syft.sh):$PATH"
set -euo pipefail

version="${SYFT_VERSION:-v1.57.1}"
dir="${XDG_CACHE_HOME:-$HOME/.cache}/slipway-tools/syft-${version}"

if [[ ! -x "$dir/syft" ]]; then
  mkdir -p "$dir"
  echo "installing syft ${version} into $dir (a few minutes, cold)" >&2
  # A separate module-free build: the project's go.mod is not involved.
  (cd "$dir" && GOBIN="$dir" CGO_ENABLED=0 GOFLAGS=-mod=mod \
    go install "github.com/anchore/syft/cmd/syft@${version}")
fi
echo "$dir"
