#!/usr/bin/env bash
# Times layers/rpmdb against the real rpm in one run: reading the test
# repository's 20 RPM headers and writing /var/lib/rpm/rpmdb.sqlite
# (BenchmarkOpenAndWrite) versus `rpm -i --justdb --nodeps --noscripts
# --nosignature` of the same files into a fresh root (BenchmarkRPMJustDB).
# Prints both and the ratio. Usage: scripts/bench-rpmdb.sh [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
out=$(go test -run '^$' -bench 'BenchmarkOpenAndWrite|BenchmarkRPMJustDB|BenchmarkWriteSQLite' -benchtime "${n}x" ./layers/rpmdb/)
echo "$out" | grep '^Benchmark'
echo "$out" | awk '
  /^BenchmarkOpenAndWrite/ { us = $3 }
  /^BenchmarkRPMJustDB/   { rpm = $3 }
  END {
    if (us == 0 || rpm == 0) { print "missing benchmark result"; exit 1 }
    printf "slipway %.1f ms, rpm --justdb %.1f ms: rpm takes %.1fx as long\n", us/1e6, rpm/1e6, rpm/us
  }'
