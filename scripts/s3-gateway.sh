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
#
# Ports: random loopback ports outside /proc/sys/net/ipv4/ip_local_port_range, checked free. A port
# asked of the kernel (listen on 0) and released is an ephemeral one, which any outgoing connection
# (another test suite's) can take before the daemon binds it; outside that range only another start
# drawing the same port can, and a start whose daemon then fails to bind is made again on new ports
# (3 tries). A daemon that dies while starting fails the start at once, in one line ending with its
# log's last lines, instead of a two-minute wait for an endpoint that will never answer.
# MON_PORT=n / RGW_PORT=n: fixed ports (never retried: the caller chose them). TRY_RGW_PORT=n: the
# gateway's port on the first try only (tests give one that is taken, as another start would).
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
  # A daemon that failed before writing its pid file (a gateway that could not bind) may still be
  # on its way out: waited for by its config's path (this start's alone), or it would write its
  # pid file into the next try's folder.
  for _ in $(seq 1 100); do pgrep -f -- "-c $dir/ceph.conf " >/dev/null || break; sleep 0.1; done
  pkill -9 -f -- "-c $dir/ceph.conf " 2>/dev/null || true
  rm -rf "$dir"
}

# NAME's log (mon.a, osd.0, client.rgw.a): its last lines, on one line.
log_tail() { tail -n 3 "$dir/$1.log" 2>/dev/null | tr -s ' \t\n' ' ' | cut -c1-400; }
# A daemon that wrote its pid file and is gone.
died() { [ -f "$dir/$1.pid" ] && ! kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }
# Sets why; 10 when a daemon could not bind its port (new ports may help), 1 otherwise.
failed() {
  why=$1
  if grep -qsE 'Address already in use|unable to bind|failed to bind' "$dir"/*.log; then return 10; fi
  return 1
}
# 0 while the monitor, the OSD and the gateway (those started) run; a failure naming the first gone.
check_daemons() {
  local pair
  for pair in mon:mon.a osd:osd.0 radosgw:client.rgw.a; do
    if died "${pair%%:*}"; then
      failed "${pair%%:*} exited while starting: $(log_tail "${pair#*:}")"
      return
    fi
  done
}
# Up when our radosgw runs and answers HTTP (pools are created on a first start: up to 120 s on a
# busy machine). Failed as soon as a daemon is gone or could not bind its port: whatever answers
# on that port then is not ours (another start's gateway drawing the same port would).
wait_for_gateway() {
  local i
  for i in $(seq 1 600); do
    if grep -qsE 'Address already in use|unable to bind|failed to bind' "$dir"/*.log; then failed "a daemon could not bind its port: $(grep -hsE 'Address already in use|unable to bind|failed to bind' "$dir"/*.log | tail -n 1 | cut -c1-300)"; return; fi
    check_daemons || return
    if [ -f "$dir/radosgw.pid" ] && node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(5000)}).then(()=>process.exit(0),()=>process.exit(1))' "$1" 2>/dev/null; then
      # Answered while ours ran: ours (a gateway that failed to bind has its failure in its log by now).
      check_daemons || return
      return 0
    fi
    if [ "$i" = 150 ] && [ ! -f "$dir/radosgw.pid" ]; then failed "radosgw wrote no pid file in 30 s: $(log_tail client.rgw.a)"; return; fi
    sleep 0.2
  done
  failed "radosgw did not answer on $1 in 120 s: $(log_tail client.rgw.a)"
}

if [ "$command" = stop ]; then
  stop
  exit 0
fi
if [ "$command" = kill-rgw ]; then
  kill -9 "$(cat "$dir/radosgw.pid")"
  while kill -0 "$(cat "$dir/radosgw.pid")" 2>/dev/null; do sleep 0.05; done
  # Its pid file goes with it: a start-rgw would otherwise read the dead pid before the new
  # gateway (daemonised: its parent exits first) rewrites the file, and call it dead.
  rm -f "$dir/radosgw.pid"
  exit 0
fi
if [ "$command" = start-rgw ]; then
  # shellcheck disable=SC1091
  . "$dir/env"
  rm -f "$dir/radosgw.pid"
  ${NETNS:+ip netns exec "$NETNS"} radosgw -c "$dir/ceph.conf" -n client.rgw.a --pid-file "$dir/radosgw.pid"
  rc=0
  wait_for_gateway "$AWS_ENDPOINT_URL" || rc=$?
  [ "$rc" = 0 ] && exit 0
  echo "$0: start-rgw failed: $why" >&2
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

# A random port outside the kernel's ephemeral range (and from 10000 up: common services), bindable now.
pick_port() {
  local low high port
  read -r low high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { low=32768; high=60999; }
  for _ in $(seq 1 50); do
    if [ $((RANDOM % 2)) = 0 ] && [ "$low" -gt 10000 ]; then
      port=$((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000)))
    elif [ "$high" -lt 65535 ]; then
      port=$((high + 1 + (RANDOM * 32768 + RANDOM) % (65535 - high)))
    else
      continue
    fi
    if node -e 'const s=require("net").createServer();s.once("error",()=>process.exit(1));s.listen(+process.argv[1],"127.0.0.1",()=>s.close())' "$port" 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "$0: no free loopback port outside the ephemeral range $low-$high" >&2
  return 1
}

write_conf() {
  cat >"$dir/ceph.conf" <<CONF
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
ms bind retry count = 1
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
CONF
}

# Monitor, OSD and gateway on $mon_port / $rgw_port, state in $dir (empty). Returns 0 when the
# gateway answers, 10 when a daemon could not bind its port, 1 for any other failure ($why says).
start_cluster() {
  local conf=$dir/ceph.conf osd_id
  # The ceph CLI waits for a monitor forever: bounded here, so that a dead one fails the start.
  local cli=("${in_ns[@]}" timeout 120 ceph -c "$conf" --connect-timeout 60)
  write_conf
  mkdir -p "$dir/run" "$dir/mon-a" "$dir/osd-0" "$dir/rgw"
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null &&
    ceph-authtool "$dir/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null &&
    ceph-authtool "$dir/keyring" --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null &&
    monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null || { failed "the keyring or monmap could not be made"; return; }
  "${in_ns[@]}" ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring" || { failed "ceph-mon --mkfs failed: $(log_tail mon.a)"; return; }
  "${in_ns[@]}" ceph-mon -c "$conf" -i a --pid-file "$dir/mon.pid" || { failed "ceph-mon did not start: $(log_tail mon.a)"; return; }
  if ! osd_id=$("${cli[@]}" osd create "$osd_uuid"); then
    check_daemons || return
    failed "the monitor did not answer on 127.0.0.1:$mon_port: $(log_tail mon.a)"
    return
  fi
  ceph-authtool "$dir/keyring" --gen-key -n "osd.$osd_id" --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null || { failed "ceph-authtool failed"; return; }
  "${cli[@]}" auth import -i "$dir/keyring" >/dev/null 2>&1 || { failed "ceph auth import failed: $(log_tail mon.a)"; return; }
  "${in_ns[@]}" ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1 || { failed "ceph-osd --mkfs failed: $(log_tail "osd.$osd_id")"; return; }
  "${cli[@]}" osd crush add "osd.$osd_id" 1.0 host=localhost root=default >/dev/null 2>&1 || { failed "ceph osd crush add failed: $(log_tail mon.a)"; return; }
  "${in_ns[@]}" ceph-osd -c "$conf" -i "$osd_id" --pid-file "$dir/osd.pid" 2>>"$dir/osd.stderr" || { failed "ceph-osd did not start: $(log_tail "osd.$osd_id")"; return; }
  "${in_ns[@]}" radosgw -c "$conf" -n client.rgw.a --pid-file "$dir/radosgw.pid" || { failed "radosgw did not start: $(log_tail client.rgw.a)"; return; }
  endpoint=http://$address:$rgw_port
  wait_for_gateway "$endpoint"
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ -n "$(ls -A "$dir")" ]; then echo "$0: $dir is not empty" >&2; exit 2; fi

why=
for attempt in 1 2 3; do
  mon_port=${MON_PORT:-$(pick_port)}
  rgw_port=${RGW_PORT:-$(pick_port)}
  [ "$attempt" = 1 ] && [ -n "${TRY_RGW_PORT:-}" ] && rgw_port=$TRY_RGW_PORT
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  rc=0
  start_cluster || rc=$?
  [ "$rc" = 0 ] && break
  # Another start drew the same port: the daemons stopped, the folder emptied, new ports.
  if [ "$rc" = 10 ] && [ "$attempt" -lt 3 ] && [ -z "${MON_PORT:-}${RGW_PORT:-}" ]; then
    stop
    mkdir -p "$dir"
    continue
  fi
  echo "$0: start failed (attempt $attempt, monitor port $mon_port, gateway port $rgw_port): $why" >&2
  stop
  exit 3
done

trap 'echo "$0: start failed, see $dir/*.log" >&2; tail -5 "$dir"/*.log >&2 2>/dev/null || true; stop' ERR
conf=$dir/ceph.conf
access_key=PIPELINETEST$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
secret_key=$(head -c 30 /dev/urandom | base64 | tr -d '/+=\n' | head -c 40)
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
