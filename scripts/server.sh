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

# For drivers that need more servers beside the private one (test/server/scaleout_test.sh); the
# single-server API above is unchanged. DIR must be a /tmp/plcpp-server.* directory (its
# sockets go there, where free_port looks), writable by postgres.
#   cluster_start DIR NAME [extra postgresql.conf lines...]   initdb DIR/NAME, start; prints the port
#   standby_start DIR NAME PRIMARY_PORT [conf lines...]       pg_basebackup -R of a cluster, start
#   cluster_stop DIR NAME
cluster_conf() { # cluster_conf DIR NAME PORT [lines...]
  local dir=$1 name=$2 port=$3
  shift 3
  {
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$dir'"
    echo "port = $port"
    echo "fsync = off"
    echo "cluster_name = '$name'"
    for line in "$@"; do echo "$line"; done
  } >>"$dir/$name/postgresql.conf"
}

cluster_start() {
  local dir=$1 name=$2 port
  shift 2
  port=$(free_port) || return 1
  as_postgres "$PG_BIN/initdb" -D "$dir/$name" -U postgres -A trust --no-sync >"$dir/$name.initdb.log" 2>&1 \
    || { cat "$dir/$name.initdb.log" >&2; return 1; }
  cluster_conf "$dir" "$name" "$port" "$@"
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/$name" -l "$dir/$name.log" -w -t 60 start >/dev/null \
    || { cat "$dir/$name.log" >&2; return 1; }
  echo "$port"
}

standby_start() {
  local dir=$1 name=$2 primary=$3 port
  shift 3
  port=$(free_port) || return 1
  as_postgres "$PG_BIN/pg_basebackup" -D "$dir/$name" -R -X stream -c fast -h "$dir" -p "$primary" \
    -U postgres >"$dir/$name.basebackup.log" 2>&1 || { cat "$dir/$name.basebackup.log" >&2; return 1; }
  cluster_conf "$dir" "$name" "$port" "$@" # later lines win over the primary's copied ones
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/$name" -l "$dir/$name.log" -w -t 60 start >/dev/null \
    || { cat "$dir/$name.log" >&2; return 1; }
  echo "$port"
}

cluster_stop() {
  [ -f "$1/$2/postmaster.pid" ] || return 0
  as_postgres "$PG_BIN/pg_ctl" -D "$1/$2" -m fast -w stop >/dev/null 2>&1 || true
}
