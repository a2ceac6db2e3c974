#!/usr/bin/env bash
# Start-up time and node peak RSS of the dailysync command, from source (tsx, the development
# launcher) and compiled (dist/, what a production install runs). Figures in docs/benchmarks.md.
#   bash bench/footprint.sh [FILES]      (default 2000 files; needs /usr/bin/time and a build)
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-2000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node bench/generate-tree.mjs --out "$work/src" --files "$files" --projects 8 --seed 1 --size-mb 40 >/dev/null

declare -A launchers=([source-tsx]="node apps/backup/bin/dailysync.js" [compiled]="node apps/backup/dist/bin/dailysync.cjs")
for name in source-tsx compiled; do
  cmd="${launchers[$name]}"
  for arg in --help --version; do
    times=()
    for _ in 1 2 3 4 5; do
      /usr/bin/time -f '%e %U %S' -o "$work/t" $cmd $arg >/dev/null
      times+=("$(cat "$work/t")")
    done
    # median of 5 by wall time: "wall user sys"
    median="$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)"
    echo "$name $arg: wall/user/sys s = $median"
  done
  rm -rf "$work/dst"
  /usr/bin/time -f '%M %e' -o "$work/m" $cmd sync --source "$work/src" --dest "$work/dst" --plain --concurrency 4 >/dev/null 2>&1
  read -r kib wall <"$work/m"
  echo "$name sync of $files files: node peak RSS $((kib / 1024)) MiB (largest process, /usr/bin/time %M), wall ${wall} s"
done
