#!/usr/bin/env bash
# Make sure a local PostgreSQL answers; start it when it is installed but stopped.
set -euo pipefail
if pg_isready -q -h "${PGHOST:-127.0.0.1}" 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    echo ">> PostgreSQL is stopped: starting it"
    for version in $(ls /etc/postgresql); do
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 20); do pg_isready -q -h "${PGHOST:-127.0.0.1}" && exit 0; sleep 0.5; done
fi
echo "!! No PostgreSQL answers on ${PGHOST:-127.0.0.1}:5432." >&2
echo "!! Install it (Debian: sudo apt-get install postgresql), create a role for your user" >&2
echo "!! (sudo -u postgres createuser -s \$USER) and run the command again." >&2
exit 2
