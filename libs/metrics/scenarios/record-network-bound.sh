#!/bin/sh
# Network-bound: push a tree to an rsync daemon that lives in its own network namespace, reached
# over a veth pair whose host side is shaped with tc tbf (RATE, default 40mbit). netem is not
# available on our kernels; tbf is. The veth's own "10000 Mb/s" is fake: the classifier trusts the
# tbf rate it reads with `tc qdisc show` once per run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${WORK:-/tmp/dailysync-net}
rate=${RATE:-40mbit}
ns=dsnet
[ "$(id -u)" = 0 ] || { echo "needs root (ip netns, tc)" >&2; exit 2; }
dpid=""
cleanup() {
  [ -n "$dpid" ] && kill "$dpid" 2>/dev/null || true
  ip link del dsn0 2>/dev/null || true
  ip netns del $ns 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work/src" "$work/dst"
for i in 1 2 3 4 5 6 7 8; do head -c 6M /dev/urandom > "$work/src/f$i"; done  # incompressible
ip netns add $ns
ip link add dsn0 type veth peer name dsn1
ip link set dsn1 netns $ns
ip addr add 10.213.0.1/24 dev dsn0
ip link set dsn0 up
ip netns exec $ns ip addr add 10.213.0.2/24 dev dsn1
ip netns exec $ns ip link set dsn1 up
ip netns exec $ns ip link set lo up
tc qdisc add dev dsn0 root tbf rate "$rate" burst 64kb latency 200ms
cat > "$work/rsyncd.conf" <<CONF
pid file = $work/rsyncd.pid
use chroot = no
[backup]
  path = $work/dst
  read only = false
  uid = root
  gid = root
CONF
ip netns exec $ns rsync --daemon --no-detach --config="$work/rsyncd.conf" --address=10.213.0.2 --port=873 & dpid=$!
n=0; until ip netns exec $ns sh -c 'exec 3<>/dev/tcp/10.213.0.2/873' 2>/dev/null || rsync rsync://10.213.0.2/ >/dev/null 2>&1; do sleep 0.2; n=$((n+1)); [ $n -lt 25 ] || { echo "rsync daemon did not start" >&2; exit 1; }; done
cd "$here/../../.."
npx tsx "$here/record.ts" --name network-bound --expect network --source "$work/src" --dest "rsync://10.213.0.2/backup/" --interval 500 --max-seconds 40 -- \
  "rsync -a --whole-file $work/src/ rsync://10.213.0.2/backup/"
