#!/usr/bin/env bash
# A private PostgreSQL cluster for development and tests.
#   scripts/pg.sh start DIR PORT   -> initialise (once) and start; prints nothing on success
#   scripts/pg.sh stop DIR
#   scripts/pg.sh url DIR PORT     -> the DATABASE_URL for it
# The cluster listens on 127.0.0.1 only and trusts local connections: it is for one
# developer's machine, never for production (see README, "Production").
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop|url DIR [PORT]}
dir=$(realpath -m "${2:?cluster directory}")
port=${3:-54329}
dbname=library

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    echo "PostgreSQL server binaries not found; installing them with apt-get ..." >&2
    scripts/system-deps.sh postgresql >&2
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$d"
}

# initdb refuses to run as root: then the cluster belongs to the 'postgres' system user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    bin=$(bindir)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; chmod 700 "$dir"; fi
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
      {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "fsync = off"   # a private development/test cluster: speed over crash safety
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "max_connections = 100"
      } | as_owner tee -a "$dir/postgresql.conf" >/dev/null
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
    fi
    if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -Atc "select 1 from pg_database where datname='$dbname'" postgres | grep -q 1; then
      "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres -E UTF8 -T template0 "$dbname"
    fi
    ;;
  stop)
    bin=$(bindir)
    if [ -f "$dir/PG_VERSION" ]; then
      as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  url)
    echo "postgres://postgres@127.0.0.1:$port/$dbname"
    ;;
  *)
    echo "usage: pg.sh start|stop|url DIR [PORT]" >&2; exit 2 ;;
esac
