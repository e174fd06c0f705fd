#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (15 on Debian 12, 17 on Debian 13): a fresh cluster in a temporary directory,
# reachable only through a Unix socket in that directory (no TCP), deleted when done.
#
#   bash scripts/pg.sh -- <command> [args...]
#       starts the server, runs the command with SQLPROOF_PG_CONNINFO set, stops the server
#       and deletes its directory; exits with the command's exit status
#
#   source scripts/pg.sh
#   sqlproof_pg_start      starts the server, exports SQLPROOF_PG_CONNINFO
#   ...                    (the server is stopped by an EXIT trap whatever happens)
#   sqlproof_pg_stop       stops it now and deletes its directory (safe to call twice)
#
# sqlproof_pg_start:
# 1. installs postgresql-15 (postgresql-17 where there is no 15, as on Debian 13) and
#    libpq-dev through scripts/packages.sh when they are missing;
# 2. as root, runs the server as the package's `postgres` user (initdb refuses root), creating
#    that system user with `useradd -r` if it is missing; otherwise as the current user;
# 3. `initdb -A trust --no-sync -E UTF8 --locale=C.UTF-8 -U postgres` in a new directory under
#    ${TMPDIR:-/tmp}, then `pg_ctl -w start` with listen_addresses='' (Unix socket only),
#    the socket in that directory, fsync=off and max_connections=50;
# 4. exports SQLPROOF_PG_CONNINFO="host=<dir> dbname=postgres user=postgres" and prints one
#    line with the time the start took (about 3 s on a loaded 2-core machine);
# 5. installs traps: on EXIT the server is stopped (`pg_ctl -m fast stop`) and the directory
#    deleted; INT, TERM and HUP exit through that EXIT trap. The EXIT trap replaces any the
#    caller had set; a caller that needs its own should call sqlproof_pg_stop from it.
#
# The server's log is <dir>/server.log; it is printed when the start fails.
#
# Environment:
#   SQLPROOF_PG_BINDIR   where initdb and pg_ctl are (default: /usr/lib/postgresql/15/bin,
#                        else the newest /usr/lib/postgresql/<version>/bin)
#   TMPDIR               where the cluster's directory goes (default: /tmp); the socket path
#                        must stay under about 100 characters
#
# Written to be sourced into scripts running under `set -euo pipefail`.

# shellcheck shell=bash

sqlproof_pg_bindir=""
sqlproof_pg_dir=""
sqlproof_pg_user=""

# sqlproof_pg_as_owner <command...>: runs a command as the user who owns the cluster, from the
# cluster's directory (initdb and pg_ctl fail when they cannot read the current directory).
sqlproof_pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$sqlproof_pg_dir" && runuser -u "$sqlproof_pg_user" -- "$@")
  else
    (cd "$sqlproof_pg_dir" && "$@")
  fi
}

# sqlproof_pg_start: starts the server and exports SQLPROOF_PG_CONNINFO (see above).
sqlproof_pg_start() {
  local here started options
  if [[ -n $sqlproof_pg_dir ]]; then
    echo "pg: already running in $sqlproof_pg_dir"
    return 0
  fi

  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  # shellcheck source=scripts/packages.sh
  source "$here/packages.sh"
  sqlproof_install_packages 'postgresql-15|postgresql-17' libpq-dev || return 1

  sqlproof_pg_bindir=${SQLPROOF_PG_BINDIR:-}
  if [[ -z $sqlproof_pg_bindir ]]; then
    sqlproof_pg_bindir=/usr/lib/postgresql/15/bin
    if [[ ! -x $sqlproof_pg_bindir/pg_ctl ]]; then
      # The newest version installed (the glob sorts 9.6 after 17; initdb 9.6 would do too).
      local candidate
      for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x $candidate/pg_ctl ]] && sqlproof_pg_bindir=$candidate
      done
    fi
  fi
  if [[ ! -x $sqlproof_pg_bindir/initdb || ! -x $sqlproof_pg_bindir/pg_ctl ]]; then
    echo "pg: no initdb and pg_ctl in $sqlproof_pg_bindir (set SQLPROOF_PG_BINDIR)" >&2
    return 1
  fi

  if [[ $(id -u) -eq 0 ]]; then
    sqlproof_pg_user=postgres
    if ! id -u "$sqlproof_pg_user" >/dev/null 2>&1; then
      echo "pg: creating the system user $sqlproof_pg_user (initdb refuses to run as root)"
      useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$sqlproof_pg_user" || return 1
    fi
  else
    sqlproof_pg_user=$(id -un)
  fi

  started=$EPOCHREALTIME
  sqlproof_pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/sqlproof-pg.XXXXXX") || return 1
  trap sqlproof_pg_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  # The socket lives here, so clients of any user must be able to reach it; the data
  # directory below is created 0700 by initdb.
  chmod 0755 "$sqlproof_pg_dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown "$sqlproof_pg_user:" "$sqlproof_pg_dir" || return 1
  fi

  if ! sqlproof_pg_as_owner "$sqlproof_pg_bindir/initdb" -D "$sqlproof_pg_dir/data" \
    -A trust --no-sync -E UTF8 --locale=C.UTF-8 -U postgres >"$sqlproof_pg_dir/initdb.log" 2>&1; then
    echo "pg: initdb failed:" >&2
    cat "$sqlproof_pg_dir/initdb.log" >&2
    sqlproof_pg_stop
    return 1
  fi

  options="-c listen_addresses='' -c unix_socket_directories=$sqlproof_pg_dir"
  options+=" -c fsync=off -c max_connections=50"
  if ! sqlproof_pg_as_owner "$sqlproof_pg_bindir/pg_ctl" -D "$sqlproof_pg_dir/data" \
    -l "$sqlproof_pg_dir/server.log" -w -o "$options" start >/dev/null; then
    echo "pg: the server did not start; its log:" >&2
    cat "$sqlproof_pg_dir/server.log" >&2 || true
    sqlproof_pg_stop
    return 1
  fi

  export SQLPROOF_PG_CONNINFO="host=$sqlproof_pg_dir dbname=postgres user=postgres"
  printf 'pg: PostgreSQL %s started in %.1f s (%s)\n' \
    "$("$sqlproof_pg_bindir/pg_ctl" --version | awk '{print $3}')" \
    "$(sqlproof_pg_seconds "$started")" "SQLPROOF_PG_CONNINFO=$SQLPROOF_PG_CONNINFO"
}

# sqlproof_pg_seconds <start>: seconds since <start> (an $EPOCHREALTIME value), with a fraction.
sqlproof_pg_seconds() {
  awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}

# sqlproof_pg_stop: stops the server and deletes its directory; does nothing when no server
# was started. Returns the status it was called with (in an EXIT trap: the script's exit
# status, which it therefore keeps), whether or not the stop worked.
sqlproof_pg_stop() {
  local status=$?
  if [[ -z $sqlproof_pg_dir ]]; then
    return "$status"
  fi
  if [[ -f $sqlproof_pg_dir/data/postmaster.pid ]]; then
    sqlproof_pg_as_owner "$sqlproof_pg_bindir/pg_ctl" -D "$sqlproof_pg_dir/data" \
      -m fast -w -t 30 stop >/dev/null 2>&1 ||
      sqlproof_pg_as_owner "$sqlproof_pg_bindir/pg_ctl" -D "$sqlproof_pg_dir/data" \
        -m immediate -w -t 30 stop >/dev/null 2>&1 ||
      echo "pg: could not stop the server in $sqlproof_pg_dir" >&2
  fi
  rm -rf "$sqlproof_pg_dir" || true
  echo "pg: stopped, $sqlproof_pg_dir deleted"
  sqlproof_pg_dir=""
  unset SQLPROOF_PG_CONNINFO
  trap - EXIT
  return "$status"
}

# Run as a script: `bash scripts/pg.sh -- <command...>`.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^# Written to be sourced/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
    exit 0
  fi
  if [[ ${1:-} != -- || $# -lt 2 ]]; then
    echo "usage: bash scripts/pg.sh -- <command> [args...] (see --help)" >&2
    exit 2
  fi
  shift
  sqlproof_pg_start
  set +e
  "$@"
  status=$?
  set -e
  exit "$status"
fi
