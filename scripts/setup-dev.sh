#!/usr/bin/env bash
# Development and test setup on Debian/Ubuntu: the system packages the test suite needs on top of
# scripts/setup.sh's runtime ones. `npm test` runs it first (a no-op once everything is installed),
# so the suite passes on a fresh machine. No service is left running or enabled: the tests start
# their own sshd on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

test_packages=(
  rsync            # the engine runs it
  openssh-client
  openssh-server   # remote-backup tests start a real sshd on 127.0.0.1 (the binary, not the service)
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
bash scripts/apt-install.sh --no-services "${test_packages[@]}"
