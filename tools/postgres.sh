#!/usr/bin/env bash
# A throwaway PostgreSQL server for the portal's tests (tests/portal_backends.py).
#
#   tools/postgres.sh            start one; print its URL (postgresql+psycopg://…) on stdout
#   tools/postgres.sh --env      start one; print `export REPORTGEN_TEST_POSTGRES_URL=…` and
#                                `export REPORTGEN_POSTGRES_DIR=…` lines, for eval (.ci/run)
#   tools/postgres.sh stop DIR   stop the server whose cluster is DIR and delete DIR
#
# Installs Debian's postgresql package when no server binaries are found (apt-get, as
# .ci/run does for LibreOffice). The cluster lives in a fresh temporary folder, listens on
# 127.0.0.1 only, on a free port, with its socket inside that folder; its superuser is
# `reportgen` with a random password (scram-sha-256), so the tests can create and drop a
# database per test. durability is off (fsync, synchronous_commit): the data is thrown
# away. initdb refuses to run as root: as root (CI) the server runs as the `postgres`
# user through runuser. Progress goes to stderr; stdout carries only what is asked for.
set -euo pipefail

as_root=0
[ "$(id -u)" -eq 0 ] && as_root=1
sudo_if_needed=""
[ "$as_root" -eq 0 ] && sudo_if_needed="sudo"

pg_bin() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$found" ] && [ -x "$found/pg_ctl" ] && echo "$found"
}

# run a server binary as the cluster's owner (postgres when we are root)
as_owner() {
  if [ "$as_root" -eq 1 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "${1:-}" = "stop" ]; then
  dir="${2:?usage: tools/postgres.sh stop DIR}"
  [ -f "$dir/data/PG_VERSION" ] || { echo "$dir is not a cluster made by tools/postgres.sh" >&2; exit 2; }
  bin="$(pg_bin)"
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi

mode="url"
[ "${1:-}" = "--env" ] && mode="env"

bin="$(pg_bin || true)"
if [ -z "$bin" ]; then
  echo "tools/postgres.sh: installing Debian's postgresql …" >&2
  $sudo_if_needed apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq postgresql >&2
  bin="$(pg_bin)"
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/reportgen-postgres.XXXXXX")"
chmod 0755 "$dir"
password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" >"$dir/pwfile"
if [ "$as_root" -eq 1 ]; then
  id postgres >/dev/null 2>&1 || { echo "tools/postgres.sh: no postgres user to run the server" >&2; exit 1; }
  chown -R postgres: "$dir"
fi
as_owner "$bin/initdb" -D "$dir/data" -U reportgen --pwfile="$dir/pwfile" -A scram-sha-256 \
  -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
rm -f "$dir/pwfile"

start() {
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
}
# the free port may be taken between the probe and the start: try a few
for _try in 1 2 3 4 5; do
  if start; then
    url="postgresql+psycopg://reportgen:${password}@127.0.0.1:${port}/postgres"
    echo "tools/postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (cluster $dir)" >&2
    if [ "$mode" = "env" ]; then
      printf "export REPORTGEN_TEST_POSTGRES_URL='%s'\n" "$url"
      printf "export REPORTGEN_POSTGRES_DIR='%s'\n" "$dir"
    else
      echo "$url"
    fi
    exit 0
  fi
done
cat "$dir/server.log" >&2 || true
rm -rf "$dir"
echo "tools/postgres.sh: the server did not start" >&2
exit 1
