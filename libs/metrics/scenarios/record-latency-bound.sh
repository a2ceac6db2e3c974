#!/bin/sh
# Latency-bound: rsync many small files from a FUSE passthrough that sleeps DELAY_MS per
# operation. CPU, disk and network stay far from saturation while the copy crawls.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${WORK:-/tmp/dailysync-latency}
delay=${DELAY_MS:-4}
command -v fusermount >/dev/null || { echo "fusermount missing (apt-get install fuse3)" >&2; exit 2; }
/usr/bin/python3 -c 'import fusepy' || { echo "python3-fusepy missing" >&2; exit 2; }
cleanup() { fusermount -u "$work/mnt" 2>/dev/null || true; [ -n "${fpid:-}" ] && kill "$fpid" 2>/dev/null || true; sleep 0.2; rm -rf "$work"; }
trap cleanup EXIT
fusermount -u "$work/mnt" 2>/dev/null || true
rm -rf "$work"; mkdir -p "$work/real" "$work/mnt" "$work/dst"
i=0; while [ $i -lt 20 ]; do mkdir -p "$work/real/d$i"; j=0; while [ $j -lt 25 ]; do head -c 8k /dev/urandom > "$work/real/d$i/f$j"; j=$((j+1)); done; i=$((i+1)); done
/usr/bin/python3 "$here/slowfs.py" "$work/real" "$work/mnt" "$delay" & fpid=$!
n=0; until mountpoint -q "$work/mnt"; do sleep 0.1; n=$((n+1)); [ $n -lt 50 ] || { echo "FUSE mount failed" >&2; exit 1; }; done
cd "$here/../../.."
npx tsx "$here/record.ts" --name latency-bound --expect latency --source "$work/mnt" --dest "$work/dst" --interval 500 --max-seconds 40 -- \
  "rsync -a $work/mnt/ $work/dst/"
