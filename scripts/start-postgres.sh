#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the test suite and print the URL to use.
# Used by .ci/run; on a developer machine, export BYLINE_TEST_POSTGRES_URL yourself (or skip).
set -euo pipefail
PGPORT="${PGPORT:-55432}"
PGDATA="${PGDATA:-/tmp/byline-pg}"
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL is not installed and cannot be installed here" >&2
    exit 1
  fi
fi
BIN="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -n1 || command -v initdb)")"
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then id postgres >/dev/null 2>&1 || useradd --system postgres; fi
# A cluster left from an earlier run is stopped and replaced, so every run starts empty.
if [ -f "$PGDATA/postmaster.pid" ]; then run "$BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true; fi
rm -rf "$PGDATA" && mkdir -p "$PGDATA"
[ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
run "$BIN/initdb" -D "$PGDATA" -U byline --auth=trust >/dev/null
run "$BIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off" -l "$PGDATA/log" -w start >/dev/null
run "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U byline byline_test
echo "postgresql+asyncpg://byline@127.0.0.1:$PGPORT/byline_test"
