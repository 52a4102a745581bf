#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 (for Airflow's metadata DB in the
# integration test, or to try Airflow by hand) and print its SQLAlchemy URL on the last line.
#
#   scripts/start_postgres.sh [DIR]      start; DIR (default: a new temp dir) holds everything
#                                        (as root, DIR must be reachable by the postgres user)
#   scripts/start_postgres.sh --stop DIR stop the server and delete DIR
#
# Env: PG_BIN (folder with initdb/pg_ctl; default: newest /usr/lib/postgresql/*/bin or PATH),
# PGPORT (default: a free port), PG_DB / PG_USER (default: airflow), PG_PASSWORD (default:
# random). Debian: `apt-get install -y postgresql`. As root the server runs as the `postgres`
# user (PostgreSQL refuses root); otherwise as the calling user.
set -euo pipefail

die() { echo "start_postgres: $*" >&2; exit 1; }

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return; fi
  die "no PostgreSQL binaries (initdb, pg_ctl): install them (Debian: apt-get install -y postgresql) or set PG_BIN"
}

# Run a command as the server's owner.
as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

BIN="$(find_bin)"
if [ "$(id -u)" = "0" ]; then
  OWNER="${PG_OWNER:-postgres}"
  id "$OWNER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$OWNER"
else
  OWNER="$(id -un)"
fi

if [ "${1:-}" = "--stop" ]; then
  DIR="${2:?usage: start_postgres.sh --stop DIR}"
  [ -f "$DIR/data/PG_VERSION" ] || die "$DIR is not a directory made by start_postgres.sh"
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
  echo "start_postgres: stopped and removed $DIR"
  exit 0
fi

DIR="${1:-$(mktemp -d "${TMPDIR:-/tmp}/thads-pg.XXXXXX")}"
mkdir -p "$DIR/run"
chmod 700 "$DIR"
[ "$(id -u)" = "0" ] && chown -R "$OWNER" "$DIR"

PORT="${PGPORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
DB="${PG_DB:-airflow}"
USER_NAME="${PG_USER:-airflow}"
PASSWORD="${PG_PASSWORD:-$(python3 -c 'import secrets; print(secrets.token_hex(12))')}"

# Superuser over the private socket only (trust); the app user over TCP with a password.
as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; die "initdb failed (log above)"; }

# A test server: durability off for speed; listens on 127.0.0.1 only.
OPTS="-c listen_addresses=127.0.0.1 -p $PORT -k $DIR/run -c fsync=off -c synchronous_commit=off"
OPTS="$OPTS -c full_page_writes=off -c max_connections=100"
as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -o "$OPTS" -w -t 60 start >/dev/null \
  || { cat "$DIR/postgres.log" >&2; die "server did not start (log above)"; }

as_owner "$BIN/psql" -h "$DIR/run" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
  -c "CREATE ROLE \"$USER_NAME\" LOGIN PASSWORD '$PASSWORD'" \
  -c "CREATE DATABASE \"$DB\" OWNER \"$USER_NAME\"" >/dev/null

URL="postgresql+psycopg2://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB"
echo "$URL" >"$DIR/url"
echo "start_postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT, data in $DIR; stop with: $0 --stop $DIR" >&2
echo "$URL"
