#!/usr/bin/env bash
# The system tests (tests/system): a real server started as `make run` starts it, on a throw-away
# demo clinic and a free port; the tests drive it through XML-RPC, HTTP and headless Chromium.
# The server is killed and the database dropped at the end, even when pytest itself is killed.
# As for the unit suite, a skipped test or no test at all fails the run.
set -uo pipefail
BIN=$1 ADDONS_PATH=$2 MODULES=$3
STATE=$(mktemp -d)
LOG=$STATE/pytest.log
export HMR_SYSTEM_BIN=$BIN HMR_SYSTEM_ADDONS_PATH=$ADDONS_PATH HMR_SYSTEM_MODULES=$MODULES
export HMR_SYSTEM_STATE=$STATE HMR_SYSTEM_DB=${HMR_SYSTEM_DB:-hmr_system_$(date +%s)}

cleanup() {
    if [ -f "$STATE/server.pid" ]; then kill -- -"$(cat "$STATE/server.pid")" 2>/dev/null || true; fi
    "$BIN/python" - "$HMR_SYSTEM_DB" <<'PY' >/dev/null 2>&1 || true
import sys, psycopg2
conn = psycopg2.connect(dbname="postgres", host="127.0.0.1"); conn.autocommit = True
conn.cursor().execute(f'DROP DATABASE IF EXISTS "{sys.argv[1]}" WITH (FORCE)')
PY
    rm -rf "$HOME/.local/share/Odoo/filestore/$HMR_SYSTEM_DB" "$STATE"
}
trap cleanup EXIT

echo ">> Running the system tests on a real server (database $HMR_SYSTEM_DB); screenshots in tests/system/out/"
start=$(date +%s)
# -p no:odoo: these tests are Odoo's clients, not code running inside Odoo (no pytest-odoo)
"$BIN/python" -m pytest -p no:cacheprovider -p no:odoo -rfEs --timeout=1200 tests/system 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
echo ">> System tests: $(( $(date +%s) - start )) s"

summary=$(tail -n 1 "$LOG")
if [ "$status" -eq 0 ] && echo "$summary" | grep -q "skipped"; then
    echo "!! Some system tests were skipped: a skipped test proves nothing." >&2
    status=1
fi
if [ "$status" -eq 5 ]; then echo "!! No system test was collected." >&2; fi
exit "$status"
