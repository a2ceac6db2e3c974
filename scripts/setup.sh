#!/usr/bin/env bash
# Installs everything dailysync and its test suite need on Debian/Ubuntu, then the npm packages.
# One list of system packages, used by the README's Quick start and by CI alike.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  rsync            # the engine runs it
  openssh-server   # remote-backup tests start a real sshd on 127.0.0.1
  openssh-client
  chromium         # renders the HTML report in a test
  fuse3            # latency scenario: passthrough filesystem that sleeps per operation
  python3-fusepy
  fpart            # benchmark contestant (fpsync)
  parallel         # benchmark contestant (one rsync per project)
  time             # benchmark peak-memory measurement (/usr/bin/time)
  iproute2         # network scenario (ip netns, tc)
  acl              # differential test: setfacl/getfacl (ACLs rsync -A must keep)
  attr             # differential test: setfattr/getfattr (xattrs rsync -X must keep)
)
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
npm ci --no-audit --no-fund
