# scripts/server.sh — source me. A private PostgreSQL 15 server under a temporary directory,
# run as the postgres user (the server refuses root), on a free port, unix socket only.
#   server_start [extra postgresql.conf lines...]   sets PGHOST PGPORT PGDATA PGUSER
#   server_stop
PG_BIN=${PG_BIN:-$(pg_config --bindir)}

free_port() {
  local port
  for port in $(seq 54330 54430); do
    if ! (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && [ ! -e /tmp/.s.PGSQL.$port ] &&
      ! ls /tmp/plcpp-server.*/.s.PGSQL.$port >/dev/null 2>&1; then
      echo "$port"; return 0
    fi
  done
  return 1
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

server_start() {
  export PLCPP_TMP=$(mktemp -d /tmp/plcpp-server.XXXXXX)
  chmod 755 "$PLCPP_TMP"
  [ "$(id -u)" = 0 ] && chown postgres: "$PLCPP_TMP"
  export PGDATA=$PLCPP_TMP/data PGHOST=$PLCPP_TMP PGPORT=$(free_port) PGUSER=postgres
  export PGDATABASE=postgres
  as_postgres "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust --no-sync >"$PLCPP_TMP/initdb.log" 2>&1 \
    || { cat "$PLCPP_TMP/initdb.log"; return 1; }
  {
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$PLCPP_TMP'"
    echo "port = $PGPORT"
    echo "fsync = off"
    for line in "$@"; do echo "$line"; done
  } >>"$PGDATA/postgresql.conf"
  as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PLCPP_TMP/server.log" -w -t 60 start >/dev/null \
    || { cat "$PLCPP_TMP/server.log"; return 1; }
  echo "plcpp: private server on port $PGPORT in $PLCPP_TMP"
}

server_stop() {
  [ -n "${PLCPP_TMP:-}" ] || return 0
  as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PLCPP_TMP"
  unset PLCPP_TMP
}
