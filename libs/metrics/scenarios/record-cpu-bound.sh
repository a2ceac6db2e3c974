#!/bin/sh
# CPU-bound: two concurrent rsyncs with zlib level 9 compression and md5 --checksum over a tree
# that sits in page cache, so neither disk nor network can be the limit. The set-up and command
# live in live-scenarios.ts (cpuBound), shared with test/live-scenarios.spec.ts.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../../.."  # workspace root, where tsx is installed
exec npx tsx "$here/record.ts" --scenario cpu-bound --interval 500 --max-seconds 40
