#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the test suite (feedback store, Dagster instance storage).
#
# Sourced (scripts/test.sh):   source scripts/postgres.sh && kodistill_postgres_start
#   installs PostgreSQL from the distribution's packages when no server binaries are found (apt-get,
#   as root; KODISTILL_POSTGRES_NO_INSTALL=1 forbids it), initialises a cluster in a temporary folder,
#   starts it on a free port as a non-root user (PostgreSQL refuses to run as root), exports
#   KODISTILL_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/postgres and stops the
#   server and removes the folder when the shell exits (trap). Returns non-zero, leaving the
#   variable unset, when no server can be started; the PostgreSQL tests then skip and say why.
# Run (tests/feedback/conftest.py, when the variable is not set):
#   bash scripts/postgres.sh start  → prints "URL<TAB>DATA_DIR" on stdout
#   bash scripts/postgres.sh stop DATA_DIR

kodistill_postgres_bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

kodistill_postgres_install() {
  kodistill_postgres_bindir >/dev/null && return 0
  if [ "${KODISTILL_POSTGRES_NO_INSTALL:-0}" = "1" ] || [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "postgres.sh: no PostgreSQL server binaries and no way to install them (needs root and apt-get)" >&2
    return 1
  fi
  echo "==> installing PostgreSQL from the distribution's packages" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 || return 1
  kodistill_postgres_bindir >/dev/null
}

kodistill_postgres_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Run a command as the server's owner: root hands it to the `postgres` user (created if missing).
kodistill_postgres_as_owner() {
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres || return 1
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Start a server; prints "URL<TAB>DATA_DIR". Everything else goes to stderr.
kodistill_postgres_launch() {
  local bindir data port
  kodistill_postgres_install || return 1
  bindir="$(kodistill_postgres_bindir)" || return 1
  data="$(mktemp -d "${TMPDIR:-/tmp}/kodistill-pg.XXXXXX")" || return 1
  [ "$(id -u)" = "0" ] && chown postgres: "$data"
  chmod 700 "$data"
  port="$(kodistill_postgres_free_port)" || return 1
  if ! kodistill_postgres_as_owner "$bindir/initdb" -D "$data/cluster" -U postgres -A trust -E UTF8 --no-locale >"$data/initdb.log" 2>&1; then
    echo "postgres.sh: initdb failed:" >&2; cat "$data/initdb.log" >&2; rm -rf "$data"; return 1
  fi
  if ! kodistill_postgres_as_owner "$bindir/pg_ctl" -D "$data/cluster" -l "$data/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $data -c fsync=off -c max_connections=200" start >/dev/null; then
    echo "postgres.sh: the server did not start:" >&2; cat "$data/server.log" >&2; rm -rf "$data"; return 1
  fi
  printf 'postgresql+psycopg://postgres@127.0.0.1:%s/postgres\t%s\n' "$port" "$data"
}

kodistill_postgres_stop_dir() {
  local data="$1" bindir
  [ -n "$data" ] && [ -d "$data" ] || return 0
  bindir="$(kodistill_postgres_bindir)" && kodistill_postgres_as_owner "$bindir/pg_ctl" -D "$data/cluster" -m fast -w stop >/dev/null 2>&1
  rm -rf "$data"
}

kodistill_postgres_start() {
  local line
  line="$(kodistill_postgres_launch)" || { echo "postgres.sh: PostgreSQL tests will skip" >&2; return 1; }
  KODISTILL_POSTGRES_DATA_DIR="${line#*$'\t'}"
  export KODISTILL_TEST_POSTGRES_URL="${line%%$'\t'*}"
  trap 'kodistill_postgres_stop_dir "$KODISTILL_POSTGRES_DATA_DIR"' EXIT
  echo "==> PostgreSQL for the tests at $KODISTILL_TEST_POSTGRES_URL" >&2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  case "${1:-}" in
    start) kodistill_postgres_launch ;;
    stop) kodistill_postgres_stop_dir "${2:-}" ;;
    *) echo "usage: $0 start | stop DATA_DIR" >&2; exit 2 ;;
  esac
fi
