#!/usr/bin/env bash
# Issue 12 item 2: does `--concurrency auto` ever pick more streams than help on a local, CPU-bound
# copy? Single `rsync -a`, then dailysync (compiled, `rsync -a`'s attributes, --delete, plain) with
# one stream and with `auto`, alternating, into an empty backup each time, on a real tree:
#   bash bench/auto-vs-one-stream.sh [TREE] [REPEATS]   (default: this repository's node_modules, 3)
# Prints wall per run, what `auto` started with and changed (the report's concurrencyChanges), and
# checks every copy with `rsync -ani` (nothing to do, the backup root's own time and .dailysync aside).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=local-tree-copy.sh
source bench/local-tree-copy.sh "$@"
echo "| run | contestant | wall s | vs rsync -a | auto's changes (new limit, reason) | copy |"
echo "|---|---|---|---|---|---|"
for r in $(seq "$repeats"); do
  rm -rf "$work/dst"
  start=$(date +%s.%N); rsync -a "$tree/" "$work/dst/"; rsync_wall=$(echo "$(date +%s.%N) - $start" | bc)
  printf '| %s | rsync -a | %.2f | 1.00 | - | %s |\n' "$r" "$rsync_wall" "$(check)"
  for concurrency in 1 auto; do
    rm -rf "$work/dst"
    start=$(date +%s.%N)
    node "$bin" sync --source "$tree" --dest "$work/dst" --no-hard-links --no-acls --no-xattrs --delete --plain \
      --concurrency "$concurrency" --report "$work/report.json" >/dev/null
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    changes="$(node -e 'const r = require(process.argv[1]); const c = r.concurrencyChanges ?? []; console.log(c.length === 0 ? "none" : c.map((x) => `${x.limit} (${x.reason})`).join(", "))' "$work/report.json")"
    printf '| %s | dailysync --concurrency %s | %.2f | %.2f | %s | %s |\n' "$r" "$concurrency" "$wall" "$(echo "$wall / $rsync_wall" | bc -l)" "$([ "$concurrency" = auto ] && echo "$changes" || echo -)" "$(check)"
  done
done
