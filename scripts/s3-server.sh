#!/usr/bin/env bash
# A throwaway S3-compatible object store for the tests: OpenStack Swift with its s3api middleware, from
# Debian's packages (scripts/install-deps.sh --with-tests), one replica over a folder, loopback only.
#   scripts/s3-server.sh start DIR   writes the configuration and rings under DIR, starts memcached and
#                                    the account, container, object and proxy servers on free loopback
#                                    ports, creates the bucket "limbo" and prints the environment to use
#   scripts/s3-server.sh env DIR     prints that environment again (KEY=VALUE lines):
#                                    LIMBO_TEST_S3_ENDPOINT, LIMBO_TEST_S3_BUCKET, AWS_ACCESS_KEY_ID,
#                                    AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION
#   scripts/s3-server.sh stop DIR    stops every process it started and removes DIR
# The S3 credentials are tempauth's test account: access key "test:tester", secret "testing".
set -euo pipefail

usage() { echo "usage: $0 start DIR | env DIR | stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
dir=$(realpath -m "$2")
py=/usr/bin/python3

for b in swift-proxy-server swift-account-server swift-container-server swift-object-server swift-ring-builder \
         memcached; do
  if ! command -v "$b" >/dev/null; then
    echo "s3-server: $b is not installed (scripts/install-deps.sh --with-tests installs Swift)" >&2
    exit 1
  fi
done

stop() {
  local f pid
  for f in "$dir"/run/*.pid; do
    [[ -f "$f" ]] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for f in "$dir"/run/*.pid; do
    [[ -f "$f" ]] || continue
    pid=$(cat "$f")
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_port() {  # PORT NAME (Swift's servers take a few seconds to import on a loaded machine)
  for _ in $(seq 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "s3-server: $2 did not start; its log:" >&2
  cat "$dir/log/$2.log" >&2 || true
  stop
  exit 1
}

start_daemon() {  # NAME COMMAND...
  local name=$1
  shift
  setsid "$@" >"$dir/log/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/run/$name.pid"
}

case "$cmd" in
  start)
    stop  # a server left behind by an interrupted run
    rm -rf "$dir"
    mkdir -p "$dir/etc" "$dir/srv/d1" "$dir/run" "$dir/log" "$dir/cache"
    user=$(id -un)
    mc_port=$(free_port)
    acc_port=$(free_port)
    con_port=$(free_port)
    obj_port=$(free_port)
    proxy_port=$(free_port)
    cat >"$dir/etc/swift.conf" <<EOF
[swift-hash]
swift_hash_path_suffix = limbo-tests
swift_hash_path_prefix = limbo-tests
[storage-policy:0]
name = Policy-0
default = yes
EOF
    common="[DEFAULT]
swift_dir = $dir/etc
devices = $dir/srv
mount_check = false
bind_ip = 127.0.0.1
workers = 0
user = $user
log_name = swift
log_facility = LOG_LOCAL0
log_level = WARNING
log_udp_host =
recon_cache_path = $dir/cache
disable_fallocate = true
"
    for kind in account container object; do
      port_var=${kind:0:3}_port
      cat >"$dir/etc/$kind-server.conf" <<EOF
$common
bind_port = ${!port_var}
[pipeline:main]
pipeline = $kind-server
[app:$kind-server]
use = egg:swift#$kind
EOF
      (cd "$dir/etc" && swift-ring-builder "$kind.builder" create 2 1 0 >/dev/null &&
        swift-ring-builder "$kind.builder" add "r1z1-127.0.0.1:${!port_var}/d1" 1 >/dev/null &&
        swift-ring-builder "$kind.builder" rebalance >/dev/null) || true
      [[ -f "$dir/etc/$kind.ring.gz" ]] || { echo "s3-server: building the $kind ring failed" >&2; exit 1; }
    done
    cat >"$dir/etc/proxy-server.conf" <<EOF
$common
bind_port = $proxy_port
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
# Generous backend timeouts: the test machine is often loaded, and a 503 from an impatient proxy
# would be a flaky test, not a finding.
conn_timeout = 5
node_timeout = 60
recoverable_node_timeout = 60
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$mc_port
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
EOF
    mc_user=()
    if [[ $(id -u) -eq 0 ]]; then mc_user=(-u root); fi
    start_daemon memcached memcached "${mc_user[@]}" -l 127.0.0.1 -p "$mc_port" -U 0 -m 64
    start_daemon account swift-account-server "$dir/etc/account-server.conf"
    start_daemon container swift-container-server "$dir/etc/container-server.conf"
    start_daemon object swift-object-server "$dir/etc/object-server.conf"
    start_daemon proxy swift-proxy-server "$dir/etc/proxy-server.conf"
    wait_port "$mc_port" memcached
    wait_port "$acc_port" account
    wait_port "$con_port" container
    wait_port "$obj_port" object
    wait_port "$proxy_port" proxy
    endpoint="http://127.0.0.1:$proxy_port"
    cat >"$dir/env" <<EOF
LIMBO_TEST_S3_ENDPOINT=$endpoint
LIMBO_TEST_S3_BUCKET=limbo
AWS_ACCESS_KEY_ID=test:tester
AWS_SECRET_ACCESS_KEY=testing
AWS_DEFAULT_REGION=us-east-1
EOF
    # The bucket the tests use (each test keeps to a prefix of its own), made as a Swift container
    # through tempauth's own API (curl's --user cannot carry an access key that has a colon in it).
    ok=0
    for _ in $(seq 50); do
      token=$(curl -s -o /dev/null -D - -H "X-Auth-User: test:tester" -H "X-Auth-Key: testing" "$endpoint/auth/v1.0" |
        tr -d '\r' | sed -n 's/^[Xx]-[Aa]uth-[Tt]oken: //p' || true)
      storage=$(curl -s -o /dev/null -D - -H "X-Auth-User: test:tester" -H "X-Auth-Key: testing" "$endpoint/auth/v1.0" |
        tr -d '\r' | sed -n 's/^[Xx]-[Ss]torage-[Uu]rl: //p' || true)
      if [[ -n "$token" && -n "$storage" ]]; then
        code=$(curl -s -o "$dir/log/create-bucket.out" -w '%{http_code}' -X PUT -H "X-Auth-Token: $token" \
          "$storage/limbo" || true)
        if [[ "$code" == 201 || "$code" == 202 ]]; then ok=1; break; fi
      fi
      sleep 0.1
    done
    if [[ $ok -ne 1 ]]; then
      echo "s3-server: creating the bucket failed (HTTP ${code:-none}):" >&2
      cat "$dir/log/create-bucket.out" "$dir/log/proxy.log" >&2 || true
      stop
      exit 1
    fi
    cat "$dir/env"
    ;;
  env)
    [[ -f "$dir/env" ]] || { echo "s3-server: no server was started in $dir" >&2; exit 1; }
    cat "$dir/env"
    ;;
  stop)
    stop
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
