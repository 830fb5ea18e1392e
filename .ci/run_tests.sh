#!/usr/bin/env bash
# Install the addons on a throw-away database, run every test with pytest-odoo, drop the database.
# A skipped test (a tour without a browser, say) counts as a failure: it would prove nothing.
set -uo pipefail
BIN=$1 DB=$2 ADDONS_PATH=$3 MODULES=$4
LOG=$(mktemp -d)/pytest.log

cleanup() { "$BIN/python" - "$DB" <<'PY' >/dev/null 2>&1 || true
import sys, psycopg2
conn = psycopg2.connect(dbname="postgres", host="127.0.0.1"); conn.autocommit = True
conn.cursor().execute(f'DROP DATABASE IF EXISTS "{sys.argv[1]}" WITH (FORCE)')
PY
}
trap cleanup EXIT

echo ">> Installing $MODULES on the throw-away database $DB"
"$BIN/python" -m odoo server --addons-path="$ADDONS_PATH" -d "$DB" --db_host=127.0.0.1 \
    -i "$MODULES" --stop-after-init --log-level=warn --no-http || exit 1

echo ">> Running the test suite"
TEST_DIRS=$(ls -d hmr_*_addon/tests tests/hmr_*/tests 2>/dev/null)
"$BIN/python" -m pytest -p no:cacheprovider -rfEs --odoo-http --timeout=900 \
    --odoo-database="$DB" --odoo-addons-path="$ADDONS_PATH" --odoo-log-level=warn \
    --odoo-extra=db_host=127.0.0.1 $TEST_DIRS 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}

summary=$(tail -n 1 "$LOG")
if [ "$status" -eq 0 ] && echo "$summary" | grep -q "skipped"; then
    echo "!! Some tests were skipped: a skipped test proves nothing (see the 'SKIPPED' lines above)." >&2
    status=1
fi
if [ "$status" -eq 5 ]; then echo "!! No test was collected." >&2; fi
exit "$status"
