#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: its own folder, loopback only, no fsync.
#   scripts/pg-cluster.sh start DIR PORT   initdb + start; creates role and database "limbo"
#                                          (password "limbo") and prints their URL
#   scripts/pg-cluster.sh stop DIR         stops the cluster and removes DIR
# As root, the server runs as the "postgres" user (initdb refuses root).
set -euo pipefail

usage() { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
cmd=$1
dir=$(realpath -m "$2")
data="$dir/data"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$bin" ]]; then
  echo "pg-cluster: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  if [[ -f "$data/postmaster.pid" ]]; then
    as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

case "$cmd" in
  start)
    [[ $# -eq 3 ]] || usage
    port=$3
    stop  # a cluster left behind by an interrupted run
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "pg-cluster: port $port is in use; pick another (cmake -DLIMBO_TEST_PG_PORT=...)" >&2
      exit 1
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir"; fi
    as_owner "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
      --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # Loopback TCP for the tests, the socket inside DIR for this script; fsync off: the data is
    # thrown away, and durability costs seconds on every test run.
    if ! as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null; then
      cat "$dir/server.log" >&2
      exit 1
    fi
    psql() { as_owner /usr/bin/psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }
    psql -d postgres -c "CREATE ROLE limbo LOGIN CREATEDB PASSWORD 'limbo'"
    # DROP DATABASE ... WITH (FORCE) of a test database may have to end a session the role does not
    # own (autovacuum working on it at that moment).
    psql -d postgres -c "GRANT pg_signal_backend TO limbo"
    psql -d postgres -c "CREATE DATABASE limbo OWNER limbo"
    echo "postgresql://limbo:limbo@127.0.0.1:$port/limbo"
    ;;
  stop)
    stop
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
