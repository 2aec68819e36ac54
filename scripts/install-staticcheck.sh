#!/usr/bin/env bash
# Installs staticcheck, the linter scripts/test.sh runs, into a folder keyed
# by its version, only when it is not there yet. Prints the folder.
#
#   export PATH="$(scripts/install-staticcheck.sh):$PATH"
set -euo pipefail

version="${STATICCHECK_VERSION:-v0.8.2}"
dir="${XDG_CACHE_HOME:-$HOME/.cache}/slipway-tools/staticcheck-${version}"

if [[ ! -x "$dir/staticcheck" ]]; then
  mkdir -p "$dir"
  echo "installing staticcheck ${version} into $dir" >&2
  # Built outside the project's module, so go.mod is not involved.
  (cd "$dir" && GOBIN="$dir" CGO_ENABLED=0 GOFLAGS=-mod=mod \
    go install "honnef.co/go/tools/cmd/staticcheck@${version}")
fi
echo "$dir"
