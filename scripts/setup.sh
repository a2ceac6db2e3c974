#!/usr/bin/env bash
# Runtime setup on Debian/Ubuntu: what a backup needs, nothing more (the README Quick start's first
# command runs it before the demo backup). The test suite's extra system packages (sshd, Chromium,
# FUSE, benchmark contestants) are in scripts/setup-dev.sh, which `npm test` runs.
set -euo pipefail
cd "$(dirname "$0")/.."

runtime_packages=(
  rsync            # the engine runs it
  openssh-client   # only for user@host:/path sources or backups
)
bash scripts/apt-install.sh "${runtime_packages[@]}"
# The workspace's npm packages: the runtime dependencies and the Nx/TypeScript tooling that the
# Quick start's `nx run backup:sync` builds and runs the plugin with. A backup host that only runs
# the `dailysync` command installs the packed packages instead (docs/scheduling.md).
npm ci --no-audit --no-fund
