# timeline.awk: reads `perf script -F time,ip,sym` of a slipway build
# (recorded with -g) and prints, per 0.25 s of wall time, how many CPU
# samples fell in each build phase, found by the functions on the stack.
# Used by bench-build.sh with PROFILE=1.
/^ *[0-9]+\.[0-9]+: *$/ { if (have) out(); t=$1+0; if (t0==0) t0=t; stack=""; have=1; next }
NF>0 { stack = stack " " $2; next }
function out() {
  b = int((t - t0) * 4) / 4
  c = "other"
  if (stack ~ /verifyPackageFile/) c = "fetch-verify"
  else if (stack ~ /AddRPMFiles/) c = "unpack"
  else if (stack ~ /compressBlock|zstd.\(\*Encoder\)|zstd.\(\*blockEnc/) c = "compress"
  else if (stack ~ /WriteTar|WriteLayer|newFrameWriter/) c = "tar"
  else if (stack ~ /rpmdb/) c = "rpmdb"
  else if (stack ~ /readHeaders/) c = "headers"
  else if (stack ~ /config\.|solve\.|repo\.Load|loadPrimary|primary/) c = "config+solve"
  else if (stack ~ /gcBgMarkWorker|gcDrain|bgsweep|scavenge/) c = "gc"
  else if (stack ~ /writeOutput|WriteOCILayout/) c = "output"
  n[b, c]++; bins[b] = 1; cats[c] = 1
}
END { out(); for (b in bins) { line = sprintf("%5.2f", b); for (c in cats) if (n[b, c]) line = line sprintf(" %s=%d", c, n[b, c]); print line } }
