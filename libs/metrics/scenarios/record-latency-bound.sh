#!/bin/sh
# Latency-bound: rsync many small files from a FUSE passthrough (slowfs.py) that sleeps DELAY_MS
# (default 4) per operation. CPU, disk and network stay far from saturation while the copy crawls.
# The set-up, command and unmount live in live-scenarios.ts (latencyBound), shared with
# test/live-scenarios.spec.ts.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../../.."
exec npx tsx "$here/record.ts" --scenario latency-bound --interval 500 --max-seconds 40
