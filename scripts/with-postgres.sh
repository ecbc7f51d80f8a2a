#!/usr/bin/env bash
# with-postgres.sh COMMAND [ARG...]: runs COMMAND next to a throwaway PostgreSQL server and returns
# its exit status. The server is Debian's (`postgresql`, 15 by default; OT_PG_BIN overrides the
# directory of initdb and postgres): initdb into a fresh temp dir, started on a free port of
# 127.0.0.1 and on a Unix socket in that dir, stopped and deleted on every way out.
#
# COMMAND finds it through:
#   OT_TEST_PG_DSN   libpq key=value string of the `postgres` database (superuser `postgres`,
#                    trust authentication: only the dir's owner and root reach the socket, and the
#                    TCP port only from this machine for the life of the test)
#   PGHOST PGPORT PGUSER PGDATABASE   the same for psql/createdb; OT_TEST_PG_PORT the TCP port
#
# The cluster is created with the C collation and UTF8, which orgtwin requires (docs/storage.md).
# fsync is off: the server outlives every test client, so what a client's test of durability
# checks -- a commit acknowledged before the client died -- does not depend on it, and each fsync
# would cost the suite milliseconds on a shared disk.
#
# As root the server runs as the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail
if (($# == 0)); then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

bin=${OT_PG_BIN:-}
if [[ -z "$bin" ]]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  echo "with-postgres: no PostgreSQL server found (apt-get install postgresql)" >&2
  exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/orgtwin-pg.XXXXXX")
as_owner=()
if ((EUID == 0)); then
  chown postgres: "$dir"
  as_owner=(runuser -u postgres --)
fi
server_pid=""
stop() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    # The postmaster itself (server_pid may be runuser, which does not pass signals on), told to
    # shut down at once: the cluster is thrown away, so nothing needs writing out.
    local postmaster
    postmaster=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    [[ -n "$postmaster" ]] && kill -QUIT "$postmaster" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C \
  --lc-ctype=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 2; }

# A free port: bind port 0, read what the kernel chose, close. Another process may take it before
# the server binds it; then the server exits at once and the next attempt picks another.
port=""
for attempt in 1 2 3 4 5; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as_owner[@]}" "$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" \
    -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
    -c max_connections=200 -c log_min_messages=warning >"$dir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 200); do
    if "$bin/pg_isready" -q -h "$dir" -p "$port" -U postgres; then break 2; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
done
if [[ -z "$server_pid" ]]; then
  echo "with-postgres: the server did not start:" >&2
  cat "$dir/server.log" >&2
  exit 2
fi

export OT_TEST_PG_DSN="host=$dir port=$port user=postgres dbname=postgres"
export OT_TEST_PG_PORT=$port
export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
status=0
"$@" || status=$?
exit "$status"
