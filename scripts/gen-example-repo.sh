#!/usr/bin/env bash
# gen-example-repo.sh
#
# Rebuilds the small, committed example repository used by the README's first
# command (offline): examples/repo/x86_64/ and examples/repo/aarch64/ (signed
# RPMs with zstd payloads, gz metadata, repomd.xml.asc) and the public key
# examples/keys/RPM-GPG-KEY-slipway-example. The packages come from the same
# spec files as the test repositories (testdata/rpms), built by
# scripts/gen-testrepo.sh with a fresh key: every run changes the signatures,
# so commit its output only when the packages change.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slipway-example.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

SLIPWAY_KEY_NAME="Slipway Example Signing <example@slipway.invalid>" \
  "$repo_root/scripts/gen-testrepo.sh" "$tmp" filesystem setup glibc libfoo busybox

mkdir -p "$repo_root/examples/repo" "$repo_root/examples/keys"
for arch in x86_64 aarch64; do
  rm -rf "$repo_root/examples/repo/$arch"
  cp -r "$tmp/$arch" "$repo_root/examples/repo/$arch"
done
cp "$tmp/keys/RPM-GPG-KEY-slipway-test" "$repo_root/examples/keys/RPM-GPG-KEY-slipway-example"
du -sh "$repo_root/examples/repo" "$repo_root/examples/keys"
