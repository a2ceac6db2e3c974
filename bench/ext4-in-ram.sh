#!/usr/bin/env bash
# A local ext4 file system whose block device is memory (a loop device over a file in /dev/shm):
# ext4's own work for every file a backup writes (journal, inode and block allocation, folder
# updates) as on a local SSD, without this VM's virtual disk, whose speed drifts from minute to
# minute (one `rsync -a` of 2,000 one-file projects took 0.9-4.3 s within one run of
# bench/many-projects.sh). On a real ext4 disk rsync is slower still, which hides more of
# dailysync's fixed costs; but this device also spares dailysync what its fsyncs (state, lock) cost
# on a disk, a journal commit. What it does and does not measure: docs/benchmarks.md, Running.
# tmpfs (TMPDIR=/dev/shm) is stricter (no file-system work at all), but it is memory, not a disk.
# Needs root (mount, losetup).
#   sudo bash bench/ext4-in-ram.sh mount [DIR] [SIZE]   prints DIR (default /mnt/dailysync-ext4-ram, 3G)
#   sudo bash bench/ext4-in-ram.sh umount [DIR]
# e.g. TMPDIR="$(sudo bash bench/ext4-in-ram.sh mount)" bash bench/many-projects.sh 2000 11
set -euo pipefail
action="${1:-}"
dir="${2:-/mnt/dailysync-ext4-ram}"
size="${3:-3G}"
image="/dev/shm/dailysync-ext4-ram.img"
case "$action" in
  mount)
    if mountpoint -q "$dir"; then echo "$dir"; exit 0; fi
    [ ! -e "$image" ] || { echo "$image exists but $dir is not mounted: remove it (sudo rm $image) or run umount first" >&2; exit 2; }
    mkdir -p "$dir"
    truncate -s "$size" "$image"
    # Inode tables and journal written now, not by a background thread during the first runs.
    mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$image"
    mount -o loop "$image" "$dir"
    # A user other than root may run the benchmark in it.
    chmod 1777 "$dir"
    echo "$dir"
    ;;
  umount)
    if mountpoint -q "$dir"; then umount "$dir"; fi
    rm -f "$image"
    ;;
  *)
    echo "usage: sudo bash bench/ext4-in-ram.sh mount|umount [DIR] [SIZE]" >&2
    exit 2
    ;;
esac
