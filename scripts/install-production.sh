#!/usr/bin/env bash
# Production install of the dailysync command on a backup host: rsync, then the packed packages
# with their runtime dependencies only (no Nx, TypeScript, Jest: `npm install --omit=dev`).
#   scripts/install-production.sh PREFIX [PACKAGES_DIR]
# PACKAGES_DIR holds the dailysync-*.tgz files made by `npm run pack:all` (default: the
# dailysync-*.tgz next to this script's repository in dist/packages). Afterwards
# PREFIX/node_modules/.bin/dailysync is the command; run it again with newer packages to upgrade.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 PREFIX [PACKAGES_DIR]: give the install folder, e.g. $0 /opt/dailysync dist/packages" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
prefix="$1"
packages_dir="$(cd "${2:-$here/../dist/packages}" 2>/dev/null && pwd)" || {
  echo "packages folder ${2:-$here/../dist/packages} does not exist: run \`npm run pack:all\` in the repository first, or give the folder holding the dailysync-*.tgz files" >&2
  exit 2
}
tarballs=()
for name in backup commands sync metrics; do
  tgz="$(ls "$packages_dir"/dailysync-"$name"-*.tgz 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$tgz" ]; then
    echo "no dailysync-$name-*.tgz in $packages_dir: run \`npm run pack:all\` in the repository, then copy dist/packages here" >&2
    exit 2
  fi
  tarballs+=("$tgz")
done

if [ "${DAILYSYNC_SKIP_APT:-}" != "1" ]; then bash "$here/apt-install.sh" rsync openssh-client; fi

mkdir -p "$prefix"
cd "$prefix"
[ -f package.json ] || printf '{\n  "name": "dailysync-install",\n  "private": true\n}\n' > package.json
npm install --omit=dev --no-audit --no-fund "${tarballs[@]}"
"$prefix/node_modules/.bin/dailysync" --version
