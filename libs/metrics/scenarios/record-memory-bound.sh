#!/bin/sh
# Memory-bound: rsync runs in a cgroup v1 memory cgroup whose limit (LIMIT_MB, default 160) sits
# a bit above a ballast process (BALLAST_MB, default 140, anonymous, touched in a loop). Page cache
# alone is reclaimed too cheaply to hurt, so the script enables swap on zram0 when the machine has
# none (removed again at the end): the ballast then keeps being swapped out and back in, and rsync
# stalls in reclaim (memory PSI, swap-out) rather than on the disk or the CPU.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${WORK:-/tmp/dailysync-mem}
limit=${LIMIT_MB:-160}
ballast=${BALLAST_MB:-140}
zram=""
[ "$(id -u)" = 0 ] || { echo "needs root (cgroups)" >&2; exit 2; }
cg=/sys/fs/cgroup/memory
[ -w "$cg/cgroup.procs" ] || { echo "cgroup v1 memory controller not mounted at $cg (on cgroup v2 use memory.max)" >&2; exit 2; }
[ -r /proc/pressure/memory ] || { echo "kernel without PSI: memory stalls cannot be observed" >&2; exit 2; }
cleanup() {
  if [ -d "$cg/dailysync-mem" ]; then
    for p in $(cat "$cg/dailysync-mem/cgroup.procs"); do kill "$p" 2>/dev/null || true; done
    sleep 0.3; rmdir "$cg/dailysync-mem" 2>/dev/null || true
  fi
  if [ -n "$zram" ]; then swapoff /dev/zram0 2>/dev/null || true; echo 1 > /sys/block/zram0/reset 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work/src" "$work/dst"
for i in $(seq 1 ${FILES:-32}); do head -c 25M /dev/urandom > "$work/src/f$i"; done
if [ "$(awk '/SwapTotal/ {print $2}' /proc/meminfo)" = 0 ]; then
  [ -e /sys/block/zram0 ] || { echo "no swap and no zram0 device: cannot build memory pressure" >&2; exit 2; }
  echo 1G > /sys/block/zram0/disksize && mkswap -q /dev/zram0 >/dev/null && swapon /dev/zram0 && zram=1
fi
mkdir -p "$cg/dailysync-mem"
echo $((limit * 1024 * 1024)) > "$cg/dailysync-mem/memory.limit_in_bytes"
echo 100 > "$cg/dailysync-mem/memory.swappiness" 2>/dev/null || true
# Source pages were charged to the parent cgroup when written; drop them so rsync's reads are charged here.
for f in "$work"/src/*; do dd if="$f" iflag=nocache count=0 status=none; done
cat > "$work/ballast.py" <<PY
import time
b = bytearray($ballast << 20)
while True:  # keep the whole ballast hot so reclaim has to swap it, again and again
    for i in range(0, len(b), 4096):
        b[i] = (b[i] + 1) & 0xFF
    time.sleep(0.05)
PY
cd "$here/../../.."
npx tsx "$here/record.ts" --name memory-bound --expect memory --source "$work/src" --dest "$work/dst" --interval 500 --max-seconds 45 -- \
  "echo \$\$ > $cg/dailysync-mem/cgroup.procs && { /usr/bin/python3 $work/ballast.py & b=\$!; sleep 1.5; rsync -a --whole-file $work/src/ $work/dst/; kill \$b; }"
