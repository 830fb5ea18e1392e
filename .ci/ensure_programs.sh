#!/usr/bin/env bash
# The programs a real install needs, installed from Debian when they are missing:
#   wkhtmltopdf  - every PDF Odoo makes (quote, signed quote, invoice); without it Odoo refuses to print
#   chromium     - the browser tours and the system tests (with websocket-client, which drives it)
# Both `make run` and `make test` call this script.
set -euo pipefail
BIN=$1
"$BIN/python" -c "import websocket" 2>/dev/null || "$BIN/pip" install --quiet websocket-client

missing=()
command -v wkhtmltopdf >/dev/null 2>&1 || missing+=(wkhtmltopdf)
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    missing+=(chromium)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo ">> Installing Debian's ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Odoo finds wkhtmltopdf on PATH; say so at once rather than at the first quote.
command -v wkhtmltopdf >/dev/null 2>&1 || { echo "!! wkhtmltopdf could not be installed" >&2; exit 2; }
