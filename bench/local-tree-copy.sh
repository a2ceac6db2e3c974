# Shared by the local real-tree benchmarks (orchestrator-cpu.sh, auto-vs-one-stream.sh); sourced
# from the repository root with the script's arguments [TREE] [REPEATS]. Sets tree, repeats, bin
# (the compiled command) and work (a temporary folder, removed on exit; copies go to $work/dst),
# defines check (prints ok when a checking `rsync -ani` of $tree into $work/dst has nothing to do,
# the backup root's own time and .dailysync aside), and prints the tree and machine line.
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
