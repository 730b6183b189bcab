#!/usr/bin/env bash
# A real S3 server for tests and benchmarks: a one-node Ceph cluster (one monitor, one OSD on
# memstore, objects in RAM) and a RADOS Gateway, on free loopback ports, all state in DIR.
#
#   scripts/s3-gateway.sh start DIR   # prints and writes DIR/env: endpoint, access and secret key
#   scripts/s3-gateway.sh stop DIR    # stops the daemons by their pids, removes DIR
#   scripts/s3-gateway.sh kill-rgw DIR / start-rgw DIR   # the gateway alone killed (-9) and started
#                                     # again on the same port, objects kept: "endpoint down" tests
#
# Needs Debian's ceph-mon, ceph-osd, radosgw and ceph-common. Takes about 15 s on 2 cores.
# NETNS=name: run the whole cluster inside that network namespace (set up by the caller, e.g. for
# netem latency in bench/; the monitor and OSD on its own loopback); ADDRESS=ip: the address the
# gateway binds (default 127.0.0.1; with NETNS, the namespace's address that the host reaches).
set -euo pipefail

command=${1:-}
dir=${2:-}
if [ -z "$command" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

stop() {
  local pid
  for name in radosgw osd mon; do
    if [ -f "$dir/$name.pid" ]; then
      pid=$(cat "$dir/$name.pid")
      kill "$pid" 2>/dev/null || true
      # up to 10 s for a clean stop, then KILL: the state is in RAM and in DIR only
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$dir"
}

if [ "$command" = stop ]; then
  stop
  exit 0
fi
if [ "$command" = kill-rgw ]; then
  kill -9 "$(cat "$dir/radosgw.pid")"
  while kill -0 "$(cat "$dir/radosgw.pid")" 2>/dev/null; do sleep 0.05; done
  exit 0
fi
if [ "$command" = start-rgw ]; then
  # shellcheck disable=SC1091
  . "$dir/env"
  ${NETNS:+ip netns exec "$NETNS"} radosgw -c "$dir/ceph.conf" -n client.rgw.a --pid-file "$dir/radosgw.pid"
  for _ in $(seq 1 600); do
    node -e 'fetch(process.argv[1]).then(()=>process.exit(0),()=>process.exit(1))' "$AWS_ENDPOINT_URL" 2>/dev/null && exit 0
    sleep 0.2
  done
  echo "$0: radosgw did not answer on $AWS_ENDPOINT_URL" >&2
  exit 3
fi
if [ "$command" != start ]; then
  echo "$0: expected start, stop, kill-rgw or start-rgw, got $command" >&2
  exit 2
fi

for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph-authtool monmaptool ceph; do
  command -v "$tool" >/dev/null || { echo "$0: $tool not found: apt-get install ceph-mon ceph-osd radosgw ceph-common" >&2; exit 3; }
done

address=${ADDRESS:-127.0.0.1}
in_ns=()
[ -n "${NETNS:-}" ] && in_ns=(ip netns exec "$NETNS")
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ -n "$(ls -A "$dir")" ]; then echo "$0: $dir is not empty" >&2; exit 2; fi
trap 'echo "$0: start failed, see $dir/*.log" >&2; tail -5 "$dir"/*.log >&2 2>/dev/null || true; stop' ERR

mon_port=$(free_port)
rgw_port=$(free_port)
fsid=$(cat /proc/sys/kernel/random/uuid)
osd_uuid=$(cat /proc/sys/kernel/random/uuid)
access_key=PIPELINETEST$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
secret_key=$(head -c 30 /dev/urandom | base64 | tr -d '/+=\n' | head -c 40)
conf=$dir/ceph.conf

cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = 2147483648
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
ms bind ipv6 = false
ms bind msgr2 = false
run dir = $dir/run
log file = $dir/\$name.log
admin socket = $dir/run/\$name.asok
keyring = $dir/keyring
mon data = $dir/mon-\$id
osd data = $dir/osd-\$id
osd max object name len = 460
osd max object namespace len = 64
rgw data = $dir/rgw
rgw crypt require ssl = false

[client.rgw.a]
rgw frontends = beast endpoint=$address:$rgw_port
rgw dns name = localhost
EOF
mkdir -p "$dir/run" "$dir/mon-a" "$dir/osd-0" "$dir/rgw"

ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$dir/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool "$dir/keyring" --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null

"${in_ns[@]}" ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
"${in_ns[@]}" ceph-mon -c "$conf" -i a --pid-file "$dir/mon.pid"
osd_id=$("${in_ns[@]}" ceph -c "$conf" osd create "$osd_uuid")
ceph-authtool "$dir/keyring" --gen-key -n "osd.$osd_id" --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
"${in_ns[@]}" ceph -c "$conf" auth import -i "$dir/keyring" >/dev/null 2>&1
"${in_ns[@]}" ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1
"${in_ns[@]}" ceph -c "$conf" osd crush add "osd.$osd_id" 1.0 host=localhost root=default >/dev/null 2>&1
"${in_ns[@]}" ceph-osd -c "$conf" -i "$osd_id" --pid-file "$dir/osd.pid" 2>>"$dir/osd.stderr"
"${in_ns[@]}" radosgw -c "$conf" -n client.rgw.a --pid-file "$dir/radosgw.pid"

endpoint=http://$address:$rgw_port
# The gateway creates its pools on first start: up when it answers HTTP (up to 120 s on a busy machine).
for i in $(seq 1 600); do
  if node -e 'fetch(process.argv[1]).then(()=>process.exit(0),()=>process.exit(1))' "$endpoint" 2>/dev/null; then break; fi
  [ "$i" = 600 ] && { echo "$0: radosgw did not answer on $endpoint" >&2; false; }
  sleep 0.2
done
"${in_ns[@]}" radosgw-admin -c "$conf" user create --uid test --display-name test --access-key "$access_key" --secret "$secret_key" >/dev/null
# A second user without rights on the first one's buckets: the access-denied tests use it.
other_access=PIPELINEOTHER$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
other_secret=$(head -c 30 /dev/urandom | base64 | tr -d '/+=\n' | head -c 40)
"${in_ns[@]}" radosgw-admin -c "$conf" user create --uid other --display-name other --access-key "$other_access" --secret "$other_secret" >/dev/null

cat >"$dir/env" <<EOF
PIPELINE_TEST_S3_ENDPOINT=$endpoint
AWS_ENDPOINT_URL=$endpoint
AWS_ACCESS_KEY_ID=$access_key
AWS_SECRET_ACCESS_KEY=$secret_key
AWS_REGION=us-east-1
PIPELINE_TEST_S3_OTHER_ACCESS_KEY_ID=$other_access
PIPELINE_TEST_S3_OTHER_SECRET_ACCESS_KEY=$other_secret
EOF
trap - ERR
cat "$dir/env"
