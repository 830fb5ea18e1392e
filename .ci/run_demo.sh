#!/usr/bin/env bash
# Create the demo clinic the first time (addons, es_MX, staff, catalogs, prospects), then serve it.
set -euo pipefail
BIN=$1 DB=$2 ADDONS_PATH=$3 MODULES=$4 HTTP_PORT=$5
ODOO=("$BIN/python" -m odoo)
COMMON=(--addons-path="$ADDONS_PATH" -d "$DB" --db_host=127.0.0.1 --db-filter="^$DB\$")

if ! psql -h 127.0.0.1 -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
    echo ">> Creating the demo clinic '$DB' (first run only)"
    if ! { "${ODOO[@]}" server "${COMMON[@]}" -i "$MODULES" --load-language=es_MX --stop-after-init --no-http --log-level=warn \
           && "${ODOO[@]}" shell "${COMMON[@]}" --no-http --log-level=warn < data/load_demo.py; }; then
        echo "!! The demo clinic could not be built: dropping the half-built database '$DB'." >&2
        dropdb -h 127.0.0.1 --if-exists "$DB" || true
        exit 1
    fi
else
    echo ">> Reusing the demo clinic '$DB' (drop it with: dropdb -h 127.0.0.1 $DB)"
fi
cat <<TXT

   HMR CRM is served on http://127.0.0.1:$HTTP_PORT   (Ctrl+C to stop)
   Demo logins (user / password):
     manager   gerente   / gerente
     executive ejecutivo / ejecutivo   (also ejecutiva2 / ejecutiva2)
     doctor    medico    / medico      (also medica2 / medica2)
     admin     admin     / admin

TXT
exec "${ODOO[@]}" server "${COMMON[@]}" --http-port="$HTTP_PORT" --http-interface=127.0.0.1
