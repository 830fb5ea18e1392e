#!/usr/bin/env bash
# Make Odoo 19.0 importable from the virtualenv: from ODOO_SRC when it holds an Odoo 19
# tree, otherwise from a shallow clone of Odoo's official 19.0 branch.
set -euo pipefail
BIN=$1 ODOO_SRC=$2 ODOO_GIT=$3 ODOO_BRANCH=$4 VENV=$5

is_odoo19() { [ -f "$1/odoo/release.py" ] && grep -q "version_info = (19, 0" "$1/odoo/release.py"; }

if ! is_odoo19 "$ODOO_SRC"; then
    CLONE="$VENV/odoo-src"
    if ! is_odoo19 "$CLONE"; then
        echo ">> No Odoo 19.0 tree at ODOO_SRC=$ODOO_SRC; cloning Odoo's official $ODOO_BRANCH branch into $CLONE"
        rm -rf "$CLONE"
        if ! git clone --quiet --depth 1 --branch "$ODOO_BRANCH" "$ODOO_GIT" "$CLONE"; then
            echo "!! Odoo 19.0 could not be had: ODOO_SRC=$ODOO_SRC holds no Odoo 19 tree and $ODOO_GIT is unreachable." >&2
            echo "!! Put an Odoo 19.0 source tree there (or run: make ODOO_SRC=/path/to/odoo-19.0 ...) and try again." >&2
            exit 2
        fi
    fi
    ODOO_SRC=$(cd "$CLONE" && pwd)
fi

# Odoo runs from its source tree (as `python -m odoo`): a .pth file puts it on the path,
# its Python dependencies come from requirements.txt.
SITE=$("$BIN/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
echo "$ODOO_SRC" > "$SITE/odoo-src.pth"
echo "$ODOO_SRC" > "$VENV/.odoo_src"
"$BIN/python" -c "import odoo.release as r; assert r.version_info[:2] == (19, 0), r.version" \
    || { echo "!! $ODOO_SRC does not provide Odoo 19.0" >&2; exit 2; }
