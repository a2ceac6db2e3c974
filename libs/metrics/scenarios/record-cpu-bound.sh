#!/bin/sh
# CPU-bound: two concurrent rsyncs with zlib level 9 compression and md5 --checksum over a tree
# that sits in page cache, so neither disk nor network can be the limit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${WORK:-/tmp/dailysync-cpu}
rm -rf "$work"; mkdir -p "$work/src/a" "$work/src/b" "$work/dst"
# Compressible but not trivial data (base64 of random bytes), ~120 MB per tree.
for t in a b; do for i in 1 2 3 4 5 6; do head -c 15M /dev/urandom | base64 > "$work/src/$t/f$i"; done; done
cat "$work"/src/*/* > /dev/null  # warm the page cache: reads must not touch the disk
cd "$here/../../.."  # workspace root, where tsx is installed
rs="rsync -a --whole-file --checksum --checksum-choice=md5 -z --compress-choice=zlib --compress-level=9 -e $here/local-rsh.sh"
npx tsx "$here/record.ts" --name cpu-bound --expect cpu --source "$work/src" --dest "$work/dst" --interval 500 --max-seconds 40 -- \
  "$rs $work/src/a/ x:$work/dst/a/ & $rs $work/src/b/ x:$work/dst/b/ & wait"
rm -rf "$work"
