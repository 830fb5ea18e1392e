#!/usr/bin/env bash
# HttpCase tours need Chromium and websocket-client: a skipped tour proves nothing, so install them.
set -euo pipefail
BIN=$1
"$BIN/python" -c "import websocket" 2>/dev/null || "$BIN/pip" install --quiet websocket-client
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    echo ">> Installing Debian's chromium for the browser tours"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
