#!/usr/bin/env bash
# The demo clinic: build it the first time (addons, es_MX, staff, catalogs, prospects), then serve it.
#   run_demo.sh BIN DB ADDONS_PATH MODULES HTTP_PORT [all|build|serve]
# `make run` does "all"; the system tests call "build" and "serve" separately, on their own
# throw-away database and port, so that they test the server exactly as `make run` starts it.
set -euo pipefail
BIN=$1 DB=$2 ADDONS_PATH=$3 MODULES=$4 HTTP_PORT=$5 STEP=${6:-all}
ODOO=("$BIN/python" -m odoo)
COMMON=(--addons-path="$ADDONS_PATH" -d "$DB" --db_host=127.0.0.1 --db-filter="^$DB\$")

build() {
    if psql -h 127.0.0.1 -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
        echo ">> Reusing the demo clinic '$DB' (drop it with: dropdb -h 127.0.0.1 $DB)"
        return
    fi
    echo ">> Creating the demo clinic '$DB' (first run only)"
    if ! { "${ODOO[@]}" server "${COMMON[@]}" -i "$MODULES" --load-language=es_MX --stop-after-init --no-http --log-level=warn \
           && "${ODOO[@]}" shell "${COMMON[@]}" --no-http --log-level=warn < data/load_demo.py; }; then
        echo "!! The demo clinic could not be built: dropping the half-built database '$DB'." >&2
        dropdb -h 127.0.0.1 --if-exists "$DB" || true
        exit 1
    fi
}

serve() {
    # Links in emails are built on web.base.url: it names the port served now. Odoo also sets it
    # when an administrator logs in (unless web.base.url.freeze), from the address they used.
    "${ODOO[@]}" shell "${COMMON[@]}" --no-http --log-level=warn <<PY
env["ir.config_parameter"].set_param("web.base.url", "http://127.0.0.1:$HTTP_PORT")
env.cr.commit()
PY
    cat <<TXT

   HMR CRM is served on http://127.0.0.1:$HTTP_PORT   (Ctrl+C to stop)
   Demo logins (user / password):
     manager   gerente   / gerente
     executive ejecutivo / ejecutivo   (also ejecutiva2 / ejecutiva2)
     doctor    medico    / medico      (also medica2 / medica2)
     admin     admin     / admin

TXT
    exec "${ODOO[@]}" server "${COMMON[@]}" --http-port="$HTTP_PORT" --http-interface=127.0.0.1
}

case "$STEP" in
    all) build; serve ;;
    build) build ;;
    serve) serve ;;
    *) echo "!! unknown step '$STEP' (all, build or serve)" >&2; exit 2 ;;
esac
