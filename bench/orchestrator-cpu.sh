#!/usr/bin/env bash
# The orchestrator's own CPU against its rsyncs' (issue 12 item 1), and wall time against one
# `rsync -a`, on a real tree copied into an empty folder, runs alternated:
#   bash bench/orchestrator-cpu.sh [TREE] [REPEATS]    (default: this repository's node_modules, 3)
# dailysync is the compiled build (npm run build) with `rsync -a`'s attributes, plain output.
# node's own CPU comes from process.cpuUsage() at exit (bench/node-cpu-at-exit.mjs); the rsyncs'
# CPU is the whole run's user+sys (GNU time, children included) less node's. Each copy is checked
# with `rsync -ani` (nothing to do, the backup root's own time and .dailysync aside).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=local-tree-copy.sh
source bench/local-tree-copy.sh "$@"
echo "| run | contestant | wall s | node CPU s | rsync CPU s | node / rsync CPU | copy |"
echo "|---|---|---|---|---|---|---|"
for r in $(seq "$repeats"); do
  rm -rf "$work/dst"
  /usr/bin/time -f '%e %U %S' -o "$work/time" rsync -a "$tree/" "$work/dst/"
  read -r wall user sys <"$work/time"
  printf '| %s | rsync -a | %s | - | %.2f | - | %s |\n' "$r" "$wall" "$(echo "$user + $sys" | bc)" "$(check)"
  # Without --delete rsync writes through the run's temp folder (docs/safety.md 8a); with it, beside each file.
  for extra in "" "--delete"; do
    rm -rf "$work/dst"
    /usr/bin/time -f '%e %U %S' -o "$work/time" node --import ./bench/node-cpu-at-exit.mjs "$bin" sync --source "$tree" --dest "$work/dst" \
      --no-hard-links --no-acls --no-xattrs --plain $extra >/dev/null 2>"$work/err"
    read -r wall user sys <"$work/time"
    node_ms="$(sed -n 's/^NODECPU //p' "$work/err")"
    node_s="$(echo "scale=2; $node_ms / 1000" | bc)"
    rsync_s="$(echo "$user + $sys - $node_s" | bc)"
    printf '| %s | dailysync %s | %s | %.2f | %.2f | %.0f%% | %s |\n' "$r" "$extra" "$wall" "$node_s" "$rsync_s" "$(echo "100 * $node_s / $rsync_s" | bc -l)" "$(check)"
  done
done
