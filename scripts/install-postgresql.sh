#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when it is missing (for the distributed-sweep tests and the
# cluster spike in apps/cli/notes). CI starts from a clean machine where only `npm ci` has run.
# Prints the folder holding initdb, pg_ctl and postgres.
set -euo pipefail
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
bin=$(find_bin || true)
if [ -n "$bin" ] && [ -x "$bin/initdb" ]; then
  echo "$bin"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-postgresql: no PostgreSQL server under /usr/lib/postgresql and we are not root; install Debian's postgresql package" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
bin=$(find_bin)
test -x "$bin/initdb"
echo "$bin"
