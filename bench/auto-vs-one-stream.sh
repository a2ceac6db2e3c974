#!/usr/bin/env bash
# Issue 12 item 2: does `--concurrency auto` ever pick more streams than help on a local, CPU-bound
# copy? Single `rsync -a`, then dailysync (compiled, `rsync -a`'s attributes, --delete, plain) with
# one stream and with `auto`, alternating, into an empty backup each time, on a real tree:
#   bash bench/auto-vs-one-stream.sh [TREE] [REPEATS]   (default: this repository's node_modules, 3)
# Prints wall per run, what `auto` started with and changed (the report's concurrencyChanges), and
# checks every copy with `rsync -ani` (nothing to do, the backup root's own time and .dailysync aside).
set -euo pipefail
cd "$(dirname "$0")/.."
tree="${1:-$(pwd)/node_modules}"
repeats="${2:-3}"
bin="$(pwd)/apps/backup/dist/bin/dailysync.cjs"
[ -f "$bin" ] || { echo "no compiled build at $bin: run npm run build first" >&2; exit 2; }
[ -d "$tree" ] || { echo "no folder $tree: give the tree to copy" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
check() {
  local diff
  diff="$(rsync -ani --delete --exclude=/.dailysync "$tree/" "$work/dst/" | grep -v '^\.d\.\.t\.\.\.\.\.\. \./$' || true)"
  [ -z "$diff" ] && echo ok || echo "DIFFERENT: $(echo "$diff" | head -3 | tr '\n' '|')"
}
echo "tree: $tree ($(find "$tree" | wc -l) entries, $(du -sh "$tree" | cut -f1)); $(nproc) cores; $(rsync --version | head -1); node $(node --version)"
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
