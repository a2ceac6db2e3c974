#!/bin/sh
# Re-records every bottleneck scenario (or the ones named, e.g. `disk-bound memory-bound`) into
# test/fixtures/series/, as root. cpu-bound and latency-bound also run live in CI
# (test/live-scenarios.spec.ts); disk, network and memory need cgroups, netns and swap, so they
# run only here. Exits non-zero if any scenario failed or got a different verdict.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
names=${*:-cpu-bound latency-bound disk-bound network-bound memory-bound}
failed=""
for n in $names; do
  echo "== $n" >&2
  "$here/record-$n.sh" || failed="$failed $n"
done
[ -z "$failed" ] || { echo "failed or misclassified:$failed" >&2; exit 1; }
echo "all recorded: $names" >&2
