#!/usr/bin/env bash
# Many one-file projects, local, into an empty backup each time: single `rsync -a`, one rsync per
# project (GNU parallel -j8), and the compiled `dailysync` with `rsync -a`'s attributes in plain
# output, on a pseudo-terminal (the live view, util-linux `script`), and plain on the same kind of
# pseudo-terminal (what the pty itself costs, apart from the live view). Median of R runs, side by
# side in one run, interleaved; every backup is checked against the source with `rsync -ani` (nothing to do).
# NIGHT=unchanged times a night with nothing to copy instead: each contestant first makes its own
# backup (not timed), then runs again on it.
# BASE_BIN=path/to/dailysync.cjs adds the contestant dailysync-base: another build (e.g. an earlier
# commit's, built in a git worktree), plain, in the same interleaved loop.
#   [NIGHT=first|unchanged] [BASE_BIN=...] bash bench/many-projects.sh [PROJECTS] [REPEATS] [CONTESTANTS]
#   (default first, 2000 3, every contestant but dailysync-base; CONTESTANTS is a comma list of the
#   names below, rsync first; needs a build: npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
projects="${1:-2000}"
repeats="${2:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Where it runs decides what it measures (docs/benchmarks.md, Running): say so, since an empty or
# unset TMPDIR falls back to /tmp.
echo "work folder $work on $(df -T "$work" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
for i in $(seq -w 1 "$projects"); do mkdir -p "$work/src/project-$i" && echo "project $i" >"$work/src/project-$i/notes.txt"; done
# A night's source was written before the run, as on a NAS: files changed in the 10 s before a copy
# (the changed-during-copy margin, UNTOUCHED_BEFORE_COPY_MS) also get their backup copy looked up.
sleep 11
bin="$(pwd)/apps/backup/dist/bin/dailysync.cjs"
[ -f "$bin" ] || { echo "no compiled build at $bin: run npm run build first" >&2; exit 2; }
same_attrs=(--no-hard-links --no-acls --no-xattrs)

declare -A cmds=(
  [rsync]="rsync -a --delete $work/src/ $work/dst/"
  [parallel]="cd $work/src && ls | parallel -j8 rsync -a --delete {}/ $work/dst/{}/"
  [dailysync-plain]="node $bin sync --source $work/src --dest $work/dst --delete ${same_attrs[*]} --plain"
  [dailysync-terminal]="script -qfec 'stty cols 120 rows 40; exec node $bin sync --source $work/src --dest $work/dst --delete ${same_attrs[*]}' /dev/null"
  [dailysync-plain-pty]="script -qfec 'stty cols 120 rows 40; exec node $bin sync --source $work/src --dest $work/dst --delete ${same_attrs[*]} --plain' /dev/null"
  [dailysync-base]="node ${BASE_BIN:-BASE_BIN-not-set} sync --source $work/src --dest $work/dst --delete ${same_attrs[*]} --plain"
)
order=(rsync parallel dailysync-plain dailysync-terminal dailysync-plain-pty)
[ -n "${3:-}" ] && IFS=, read -r -a order <<<"$3"
[ "${order[0]}" = rsync ] || { echo "CONTESTANTS must start with rsync (the ratios are to it)" >&2; exit 2; }
if [[ " ${order[*]} " == *" dailysync-base "* ]] && [ ! -f "${BASE_BIN:-}" ]; then echo "dailysync-base needs BASE_BIN=path/to/dailysync.cjs of another build" >&2; exit 2; fi
echo "| contestant | runs | median s | min-max s | vs rsync | same repeat: median (min-max) | correct |"
echo "|---|---|---|---|---|---|---|"
# Interleaved: each repeat runs every contestant once, so a slow spell of this shared VM falls on
# all of them instead of on whichever ran then.
declare -A times ok
for _ in $(seq "$repeats"); do
  for name in "${order[@]}"; do
    # sync: the previous backup's deletion is written out before the clock starts (on a disk, not
    # tmpfs, its journal work otherwise lands in whichever contestant runs next).
    rm -rf "$work/dst" && mkdir -p "$work/dst" && sync
    if [ "${NIGHT:-first}" = unchanged ]; then bash -c "${cmds[$name]}" >/dev/null 2>&1 && sync; fi
    start=$(date +%s.%N)
    bash -c "${cmds[$name]}" >"$work/out" 2>&1 || { echo "$name failed:" >&2; tail -5 "$work/out" >&2; }
    end=$(date +%s.%N)
    times[$name]+="$(echo "$end - $start" | bc) "
    # Correct: a checking rsync would change nothing (dailysync's own .dailysync state aside; the
    # backup root's own time is not compared: per-project rsyncs never set it).
    [ -z "$(rsync -ani --delete --exclude=/.dailysync "$work/src/" "$work/dst/" | grep -v '^\.d\.\.t\.\.\.\.\.\. \./$')" ] && ok[$name]=$((${ok[$name]:-0} + 1))
  done
done
declare -A medians
for name in "${order[@]}"; do
  sorted=$(printf '%s\n' ${times[$name]} | sort -n)
  median=$(echo "$sorted" | sed -n "$(((repeats + 1) / 2))p")
  medians[$name]=$median
  # Each repeat's time over rsync's in the same repeat: on a disk whose speed drifts from minute to
  # minute (this VM's: single rsync 0.9-4.3 s within one run of the script) the ratio of medians
  # mixes fast and slow spells; these ratios compare runs made seconds apart.
  paired=$(paste <(printf '%s\n' ${times[$name]}) <(printf '%s\n' ${times[rsync]}) | awk '{ printf "%.4f\n", $1 / $2 }' | sort -n)
  printf '| %s | %s | %.2f | %.2f-%.2f | %.2f | %.2f (%.2f-%.2f) | %s/%s |\n' "$name" "$repeats" "$median" "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$(echo "$median / ${medians[rsync]}" | bc -l)" \
    "$(echo "$paired" | sed -n "$(((repeats + 1) / 2))p")" "$(echo "$paired" | head -1)" "$(echo "$paired" | tail -1)" "${ok[$name]:-0}" "$repeats"
done
