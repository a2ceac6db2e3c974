#!/bin/sh
# Disk-bound: the source tree lives on a loop device whose reads are capped by a cgroup v1
# blkio throttle (READ_BPS, default 8 MiB/s) for the rsync's cgroup; reads are cold (page cache
# dropped for our own files with posix_fadvise DONTNEED via dd iflag=nocache).
# The throttle holds bios above the device, so the loop device looks idle: the verdict has to
# come from I/O pressure (PSI), as on a VM with an I/O limit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${WORK:-/tmp/dailysync-disk}
bps=${READ_BPS:-8388608}
[ "$(id -u)" = 0 ] || { echo "needs root (losetup, mount, cgroups)" >&2; exit 2; }
cg=/sys/fs/cgroup/blkio
[ -w "$cg/cgroup.procs" ] || { echo "cgroup v1 blkio controller not mounted at $cg (on a cgroup v2 host use io.max instead)" >&2; exit 2; }
loop=""
cleanup() {
  umount "$work/mnt" 2>/dev/null || true
  [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null || true
  rmdir "$cg/dailysync-disk" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work/mnt" "$work/dst"
truncate -s 300M "$work/disk.img"
loop=$(losetup -f --show "$work/disk.img")
mkfs.ext4 -q "$loop"
mount "$loop" "$work/mnt"
mkdir -p "$work/mnt/src"
for i in 1 2 3 4 5 6 7 8 9 10; do head -c 8M /dev/urandom > "$work/mnt/src/f$i"; done
sync
for f in "$work"/mnt/src/*; do dd if="$f" iflag=nocache count=0 status=none; done
mkdir -p "$cg/dailysync-disk"
majmin=$(lsblk -dno MAJ:MIN "$loop" | tr -d ' ')
echo "$majmin $bps" > "$cg/dailysync-disk/blkio.throttle.read_bps_device"
cd "$here/../../.."
# The workload joins the throttled cgroup itself, so only the backup is limited.
npx tsx "$here/record.ts" --name disk-bound --expect disk --source "$work/mnt/src" --dest "$work/dst" --interval 500 --max-seconds 40 -- \
  "echo \$\$ > $cg/dailysync-disk/cgroup.procs && exec rsync -a $work/mnt/src/ $work/dst/"
