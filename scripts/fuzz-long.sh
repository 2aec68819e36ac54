#!/usr/bin/env bash
# Runs every fuzz target of the module for DURATION each (default 60s), one
# after the other, and prints one line per target: package, target, time,
# result (ok, FOUND, or ERROR when the fuzz engine failed twice without
# writing an input). A finding leaves its input under the package's
# testdata/fuzz/<Target>/ (commit it as a regression seed once fixed).
#   scripts/fuzz-long.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-60s}
fail=0
while IFS=: read -r file _ line; do
  pkg=$(dirname "$file")
  target=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")
  start=$(date +%s)
  res=
  for try in 1 2; do
    if out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$dur" "$pkg" 2>&1); then
      res=ok; break
    elif grep -q 'Failing input written to' <<<"$out"; then
      res=FOUND; fail=1
      echo "$out" | tail -20 >&2
      break
    fi
    # No input written: the fuzz engine itself failed (Go's fuzzer can end
    # with "context deadline exceeded" at -fuzztime). Try once more.
    res="ERROR (no input written)"
    echo "$out" | tail -5 >&2
  done
  [ "$res" = ok ] || [ "$res" = FOUND ] || fail=1
  printf '%-28s %-22s %5ss %s\n' "$pkg" "$target" "$(( $(date +%s) - start ))" "$res"
done < <(grep -rn --include='*_test.go' '^func Fuzz' . | sort)
exit $fail
