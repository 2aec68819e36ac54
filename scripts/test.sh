#!/usr/bin/env bash
# Runs slipway's whole test suite: installs the tools the tests use when
# they are missing, then vet, unit and differential tests, and a short fuzz
# pass over every fuzz target. The same script runs in CI (.ci/run) and in
# Dockerfile.test.
#
#   scripts/test.sh            everything
#   FUZZTIME=0 scripts/test.sh skip the fuzz pass
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-3s}

bash scripts/install-test-deps.sh
# The real cosign CLI the signing tests verify with, installed once per
# version into a cache folder.
PATH="$(bash scripts/install-cosign.sh):$PATH"
PATH="$(bash scripts/install-staticcheck.sh):$PATH"
# syft, the scanner the e2e tests check every package is visible to.
PATH="$(bash scripts/install-syft.sh):$PATH"
export PATH

echo "== go vet"
go vet ./...

echo "== staticcheck"
# Every build-tag combination the tests use; a finding fails the run.
staticcheck ./...
staticcheck -tags e2e ./...
staticcheck -tags kms ./signing/ ./cmd/slipway/

echo "== cross-compile"
# slipway must build as a static binary for the platforms users run it on.
for target in linux/arm64 darwin/arm64 windows/amd64; do
  CGO_ENABLED=0 GOOS=${target%/*} GOARCH=${target#*/} go build -o /dev/null ./cmd/slipway ||
    { echo "cross-compiling for $target failed"; exit 1; }
done

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go test"
go test -tags e2e -count=1 -timeout 40m ./...

echo "== go test -tags kms"
# The KMS pass-through (signing/kms.go) is built only with -tags kms, since
# it links the cloud SDKs; its tests use a provider registered in the test.
go vet -tags kms ./signing/ ./cmd/slipway/
go test -tags kms -count=1 -run 'KMS' ./signing/ ./cmd/slipway/

if [ "$fuzztime" != "0" ]; then
  echo "== fuzz ($fuzztime per target)"
  # Every FuzzXxx function, one at a time (go test -fuzz takes one target).
  for pkg in $(go list ./...); do
    dir=$(go list -f '{{.Dir}}' "$pkg")
    for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
      echo "-- $pkg $target"
      # Go's fuzzer can end a short run with "context deadline exceeded"
      # when the time runs out during its own bookkeeping (no failing
      # input is written then): that run is tried once more.
      ok=0
      for try in 1 2; do
        if go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg" >/tmp/slipway-fuzz.log 2>&1; then
          ok=1; break
        fi
        grep -q 'Failing input written' /tmp/slipway-fuzz.log && break
        grep -q 'context deadline exceeded' /tmp/slipway-fuzz.log || break
        echo "   (the fuzzer's clock ran out during its bookkeeping; again)"
      done
      if ((!ok)); then
        cat /tmp/slipway-fuzz.log; echo "fuzz target $target in $pkg failed"; exit 1
      fi
    done
  done
fi
echo "== all tests passed"
