#!/usr/bin/env bash
# Installs the Debian packages given that are missing (sudo when not root); nothing to do when all are
# installed. With --no-services, no service a package ships is started during the install or left
# enabled afterwards (e.g. openssh-server's sshd on a host that only runs tests).
set -euo pipefail

no_services=false
if [ "${1:-}" = "--no-services" ]; then no_services=true; shift; fi

missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "missing Debian packages: ${missing[*]}; run this script as root, or install them: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  sudo="sudo"
fi

policy=/usr/sbin/policy-rc.d
added_policy=false
if $no_services && [ ! -e "$policy" ]; then
  # invoke-rc.d asks policy-rc.d before starting a service; exit 101 means "not allowed".
  printf '#!/bin/sh\n# Written by dailysync scripts/apt-install.sh for the duration of an install.\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  added_policy=true
fi
cleanup() { if $added_policy; then $sudo rm -f "$policy"; fi; }
trap cleanup EXIT

$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

if $no_services && [ -d /run/systemd/system ]; then
  # With systemd as init, packages also enable their units; the tests start what they need themselves.
  for unit in ssh.service ssh.socket; do
    if systemctl list-unit-files "$unit" >/dev/null 2>&1; then $sudo systemctl disable --now "$unit" >/dev/null 2>&1 || true; fi
  done
fi
