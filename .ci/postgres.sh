# shellcheck shell=bash
# Starts a throwaway PostgreSQL server (Debian's binaries) on loopback for the tests and exports
# TEST_DATABASE_URL. The server runs as the `postgres` user because PostgreSQL refuses to run as root.
start_test_postgres() {
  local bindir port datadir
  bindir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  port=${TEST_POSTGRES_PORT:-55432}
  datadir=$(mktemp -d /tmp/glyco-pg.XXXXXX)
  chown postgres:postgres "$datadir"
  runuser -u postgres -- "$bindir/initdb" -D "$datadir" -U glyco --auth=trust -E UTF8 >/dev/null
  runuser -u postgres -- "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$datadir" start >/dev/null
  runuser -u postgres -- "$bindir/createdb" -h 127.0.0.1 -p "$port" -U glyco glyco_test
  export TEST_DATABASE_URL="postgres://glyco@127.0.0.1:$port/glyco_test"
  export TEST_POSTGRES_BINDIR="$bindir"
  TEST_POSTGRES_DATADIR="$datadir"
  trap stop_test_postgres EXIT
  echo "PostgreSQL $("$bindir/postgres" --version | awk "{print \$3}") on $TEST_DATABASE_URL"
}

# The EXIT trap: runs after start_test_postgres has returned, so it reads globals, not its locals.
stop_test_postgres() {
  runuser -u postgres -- "$TEST_POSTGRES_BINDIR/pg_ctl" -D "$TEST_POSTGRES_DATADIR" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$TEST_POSTGRES_DATADIR"
}
