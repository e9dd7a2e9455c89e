#!/usr/bin/env bash
# A throwaway one-host Ceph cluster with a RADOS Gateway (S3) on loopback, for the S3 test
# suites (CI and developers; Ceph 16 Pacific from Debian 12: ceph-mon ceph-osd radosgw,
# installed without recommends). Everything lives in DIR: its own ceph.conf, the monitor's
# store, the daemons' logs (DIR/<name>.log), pids (DIR/<name>.pid) and admin sockets; nothing
# under /etc/ceph or /var/lib/ceph is read or written, so any number of these clusters (and a
# real Ceph) can share the machine. No systemd: the daemons run with -f in the background.
#
#   bash scripts/s3/ceph.sh up DIR         start mon + osd (memstore) + radosgw on free ports,
#                                          create an S3 user, write DIR/env (source it):
#                                            SNAPDECK_TEST_S3_ENDPOINT, _ACCESS_KEY, _SECRET_KEY,
#                                            SNAPDECK_TEST_CEPH_DIR
#   bash scripts/s3/ceph.sh rgw-stop DIR   SIGKILL the gateway (a gateway dying mid-request);
#                                          returns once its port refuses connections
#   bash scripts/s3/ceph.sh rgw-start DIR  start the gateway again (same port, same config,
#                                          same user; the objects stay)
#   bash scripts/s3/ceph.sh down DIR       kill all its daemons and remove DIR
#
# The cluster: one monitor, no manager (nothing here needs one; health stays HEALTH_OK), one
# OSD on memstore (objects live in the OSD's RAM, lost on down), pools of size 1 with 8 PGs,
# auth none. The gateway creates its pools on first start, and the bucket index and data pools
# on the first CreateBucket and PutObject (each of those two takes 0.2-0.7 s once).
# `ceph -c DIR/ceph.conf -s` shows the cluster.
set -euo pipefail

usage() { echo "usage: $0 up|down|rgw-stop|rgw-start DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
if [ "$cmd" = up ]; then mkdir -p "$2"; fi
if [ ! -d "$2" ]; then
  [ "$cmd" = down ] && { echo "ceph.sh: $2 does not exist: nothing to stop"; exit 0; }
  echo "ceph.sh: $2: no such directory" >&2
  exit 1
fi
DIR=$(cd "$2" && pwd)
CONF=$DIR/ceph.conf
RGW_NAME=client.rgw.a

t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
say() { echo "ceph.sh: $*"; }

ceph_cli() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }

comm_of() { case $1 in mon) echo ceph-mon ;; osd) echo ceph-osd ;; rgw) echo radosgw ;; esac; }

# 0 if pid $1 is running (not a zombie: a killed daemon's parent is PID 1, which may reap
# it only a second or more later) and is the program $2.
alive() {
  local state
  state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

pid_of() { # the live pid of daemon $1 (mon|osd|rgw), or nothing
  local f=$DIR/$1.pid p
  [ -s "$f" ] || return 0
  p=$(cat "$f")
  if alive "$p" "$(comm_of "$1")"; then echo "$p"; fi
}

# Starts daemon $1 (mon|osd|rgw): its own session (a Ctrl-C or a test runner's process group
# does not reach it), stdin closed, stdout/stderr appended to its log, pid in DIR/$1.pid.
# Returns once the pid runs the daemon's program.
start_daemon() {
  local name=$1
  shift
  rm -f "$DIR/$name.pid"
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$DIR/$name.pid" "$@" </dev/null >>"$DIR/$name.log" 2>&1 &
  for _ in $(seq 1 50); do
    [ -n "$(pid_of "$name")" ] && return 0
    sleep 0.1
  done
  echo "ceph.sh: $name did not start" >&2
  return 1
}

start_rgw() {
  start_daemon rgw radosgw -c "$CONF" -n "$RGW_NAME" -f
}

# A gateway killed with SIGKILL leaves its watches on its control objects (notify.0-7, all
# from one client address), and the next gateway's notifications (CreateBucket and other
# metadata writes) wait for them until they time out: 28 s with Ceph's default 30 s timeout.
# Blocklisting the dead client's address drops them at once (the entry expires in an hour).
drop_dead_watches() {
  local addrs a
  addrs=$(timeout 10 rados -c "$CONF" -p default.rgw.control listwatchers notify.0 2>/dev/null |
    sed -n 's/^watcher=\([^ ]*\) .*/\1/p' | sort -u) || true
  for a in $addrs; do
    ceph_cli osd blocklist add "$a" >/dev/null 2>>"$DIR/client.log" || true
  done
}

rgw_port() { sed -n 's/^rgw_port=//p' "$DIR/ports"; }

# 0 when the gateway answers HTTP at all (an anonymous GET / is a ListBuckets: 200).
rgw_answers() {
  local code
  code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$(rgw_port)/" 2>/dev/null) || true
  [ -n "$code" ] && [ "$code" != 000 ]
}

wait_rgw() { # up to $1 seconds
  local deadline=$((SECONDS + $1)) d
  while [ $SECONDS -lt $deadline ]; do
    rgw_answers && return 0
    for d in mon osd rgw; do
      [ -n "$(pid_of $d)" ] || { echo "ceph.sh: $(comm_of $d) exited" >&2; return 1; }
    done
    sleep 0.2
  done
  echo "ceph.sh: radosgw did not answer on port $(rgw_port) within $1 s" >&2
  return 1
}

tails() { # the logs' ends, on stderr, for a failed step
  local f
  for f in "$DIR"/mon.log "$DIR"/osd.log "$DIR"/rgw.log "$DIR"/client.log; do
    [ -f "$f" ] || continue
    echo "----- $f (last 40 lines)" >&2
    tail -n 40 "$f" >&2
  done
}

kill_all() {
  local d p
  for d in rgw osd mon; do
    p=$(pid_of "$d")
    if [ -n "$p" ]; then kill -9 "$p" 2>/dev/null || true; fi
  done
  for d in rgw osd mon; do
    for _ in $(seq 1 50); do [ -n "$(pid_of "$d")" ] || break; sleep 0.1; done
    rm -f "$DIR/$d.pid"
  done
}

free_ports() { # two distinct free loopback ports, one a line (both held open until both are known)
  node -e '
    const net = require("net");
    const a = net.createServer().listen(0, "127.0.0.1", () => {
      const b = net.createServer().listen(0, "127.0.0.1", () => {
        console.log(a.address().port + "\n" + b.address().port);
        a.close();
        b.close();
      });
    });'
}

random_string() { # $1 characters of [A-Za-z0-9] (an uppercase-only one for access keys: $2=upper)
  local set='A-Za-z0-9'
  [ "${2:-}" = upper ] && set='A-Z0-9'
  # head closes the pipe early; tr's SIGPIPE is expected
  (LC_ALL=C tr -dc "$set" </dev/urandom || true) | head -c "$1"
}

up() {
  if [ -f "$DIR/env" ] && [ -f "$DIR/ports" ] && [ -n "$(pid_of mon)" ] && [ -n "$(pid_of osd)" ]; then
    local endpoint
    endpoint=$(sed -n 's/^export SNAPDECK_TEST_S3_ENDPOINT=//p' "$DIR/env")
    if [ -n "$(pid_of rgw)" ] && rgw_answers; then
      say "already up: $endpoint (env in $DIR/env)"
      return 0
    fi
    # Only the gateway is gone (rgw-stop): start it, keeping the cluster's objects.
    if [ -z "$(pid_of rgw)" ]; then
      drop_dead_watches
      start_rgw
      wait_rgw 60
      say "already up, radosgw started again: $endpoint (env in $DIR/env)"
      return 0
    fi
  fi
  for c in ceph-mon ceph-osd radosgw radosgw-admin ceph rados monmaptool curl node; do
    command -v "$c" >/dev/null 2>&1 || {
      echo "ceph.sh: $c missing (apt-get install --no-install-recommends ceph-mon ceph-osd radosgw)" >&2
      exit 1
    }
  done
  # A half-started or stale cluster in DIR: start over (only what this script creates).
  kill_all
  rm -rf "$DIR/mon" "$DIR/osd" "$DIR/rgw" "$DIR/run" "$DIR"/*.log "$DIR/ceph.conf" \
    "$DIR/monmap" "$DIR/ports" "$DIR/env"
  mkdir -p "$DIR/mon" "$DIR/osd" "$DIR/rgw" "$DIR/run"

  local mon_port rgw_port fsid osd_uuid osd_id
  { read -r mon_port; read -r rgw_port; } < <(free_ports)
  printf 'mon_port=%s\nrgw_port=%s\n' "$mon_port" "$rgw_port" >"$DIR/ports"
  fsid=$(cat /proc/sys/kernel/random/uuid)
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)

  cat >"$CONF" <<EOF
# Written by scripts/s3/ceph.sh: a throwaway test cluster (see the script).
[global]
fsid = $fsid
# msgr v2 only, on loopback; the OSD binds free ports of 6800-7300 on 127.0.0.1.
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
# No cephx. The monitor's client mode must allow crc, or the gateway's monitor session
# fails with -13 (permission denied) and it retries forever.
auth cluster required = none
auth service required = none
auth client required = none
# Else HEALTH_WARN (AUTH_INSECURE_GLOBAL_ID_RECLAIM_ALLOWED), even without cephx.
auth allow insecure global id reclaim = false
ms mon client mode = crc
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
# Every path in DIR. Clients (the ceph CLI, radosgw-admin) log to client.log; no sockets.
run dir = $DIR/run
keyring = $DIR/keyring
crash dir = $DIR/run
mon data = $DIR/mon
osd data = $DIR/osd
rgw data = $DIR/rgw
log file = $DIR/client.log
admin socket =
mon cluster log file = $DIR/cluster.log
log max recent = 500
# One OSD: size-1 pools, few PGs each, no autoscaler (it is a manager module anyway), and
# no health warnings about either.
mon allow pool size one = true
mon warn on pool no redundancy = false
mon allow pool delete = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
# A test cluster on whatever disk DIR is on: do not stop the monitor when that disk is full-ish.
mon data avail warn = 2
mon data avail crit = 1
# The monitor's store commits faster (pool creations, the OSD's boot).
paxos propose interval = 0.1
# The watches of a gateway killed with SIGKILL hold up the next one's notifications until
# they time out (drop_dead_watches in the script removes them sooner). Live watchers ping
# once per objecter tick (default 5 s, as long as this timeout: every watch would expire).
osd client watch timeout = 5
objecter tick interval = 1

[mon]
log file = $DIR/mon.log
admin socket = $DIR/run/mon.asok

[osd]
log file = $DIR/osd.log
admin socket = $DIR/run/osd.asok
# memstore: objects in RAM; the size it reports (what full ratios are measured against).
osd objectstore = memstore
memstore device bytes = 4294967296
osd op num shards = 1
osd op num threads per shard = 2

[$RGW_NAME]
log file = $DIR/rgw.log
admin socket = $DIR/run/rgw.asok
# tcp_nodelay: without it a GET or LIST waits 40-50 ms (Nagle against delayed ACKs).
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw thread pool size = 16
rgw dynamic resharding = false
rgw run sync thread = false
# Give up (exit) rather than wait 300 s for a cluster that does not come up.
rgw init timeout = 90
# Three log lines per request at the default level cost the gateway ~20% of its CPU
# (measured), which the tests and the benchmark share with it; errors still go to rgw.log.
debug rgw = 0/0
EOF

  # --- daemons ---------------------------------------------------------------------------
  # No waiting in between: `osd new` waits for the monitor, the gateway's start for the OSD
  # (each `ceph` CLI call costs a second here, so there are no polls).
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" >>"$DIR/mon.log" 2>&1
  start_daemon mon ceph-mon -c "$CONF" -i a -f
  osd_id=$(ceph_cli osd new "$osd_uuid" 2>>"$DIR/client.log") ||
    { echo "ceph.sh: the monitor did not answer (osd new)" >&2; return 1; }
  [ "$osd_id" = 0 ] || { echo "ceph.sh: osd new gave '$osd_id'" >&2; return 1; }
  say "monitor on 127.0.0.1:$mon_port ($(since "$t0"))"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$DIR/osd.log" 2>&1
  start_daemon osd ceph-osd -c "$CONF" -i 0 -f
  start_rgw
  wait_rgw 120
  say "radosgw answers on 127.0.0.1:$rgw_port ($(since "$t0"))"

  local access secret
  access=$(random_string 20 upper)
  secret=$(random_string 40)
  radosgw-admin -c "$CONF" user create --uid=snapdeck-test --display-name="Snapdeck tests" \
    --access-key="$access" --secret="$secret" >/dev/null 2>>"$DIR/client.log"

  cat >"$DIR/env.tmp" <<EOF
export SNAPDECK_TEST_S3_ENDPOINT=http://127.0.0.1:$rgw_port
export SNAPDECK_TEST_S3_ACCESS_KEY=$access
export SNAPDECK_TEST_S3_SECRET_KEY=$secret
export SNAPDECK_TEST_CEPH_DIR=$DIR
EOF
  mv "$DIR/env.tmp" "$DIR/env"
  say "S3 at http://127.0.0.1:$rgw_port, up in $(since "$t0") (source $DIR/env)"
}

rgw_stop() {
  [ -f "$DIR/ports" ] || { echo "ceph.sh: no cluster in $DIR" >&2; exit 1; }
  local p
  p=$(pid_of rgw)
  if [ -n "$p" ]; then kill -9 "$p"; fi
  for _ in $(seq 1 100); do
    if [ -z "$(pid_of rgw)" ] && ! rgw_answers; then
      say "radosgw killed (port $(rgw_port) refuses connections)"
      return 0
    fi
    sleep 0.1
  done
  echo "ceph.sh: radosgw still answers on port $(rgw_port)" >&2
  exit 1
}

rgw_start() {
  [ -f "$DIR/ports" ] || { echo "ceph.sh: no cluster in $DIR" >&2; exit 1; }
  if [ -n "$(pid_of rgw)" ]; then
    wait_rgw 60 || { tails; exit 1; }
    say "radosgw already running"
    return 0
  fi
  drop_dead_watches
  start_rgw
  wait_rgw 60 || { tails; exit 1; }
  say "radosgw answers on 127.0.0.1:$(rgw_port) again ($(since "$t0"))"
}

down() {
  kill_all
  # Only what up creates, so a wrong DIR loses nothing else; then DIR itself if that empties it.
  rm -rf "$DIR/mon" "$DIR/osd" "$DIR/rgw" "$DIR/run" "$DIR"/*.log "$DIR/ceph.conf" \
    "$DIR/monmap" "$DIR/ports" "$DIR/env" "$DIR/env.tmp"
  if rmdir "$DIR" 2>/dev/null; then
    say "down, $DIR removed"
  else
    say "down; $DIR kept: it holds files this script did not create"
  fi
}

case $cmd in
  up)
    # A subshell with its own errexit (`if ! up` would switch errexit off inside up).
    set +e
    (set -e; up)
    rc=$?
    set -e
    if [ $rc -ne 0 ]; then
      echo "ceph.sh: up failed; logs in $DIR" >&2
      tails
      kill_all
      exit 1
    fi
    ;;
  rgw-stop) rgw_stop ;;
  rgw-start) rgw_start ;;
  down) down ;;
  *) usage ;;
esac
