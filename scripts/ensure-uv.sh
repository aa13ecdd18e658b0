#!/usr/bin/env bash
# Print a command that runs uv, installing uv if needed.
# Usage: scripts/ensure-uv.sh PYTHON
# Order: `uv` on PATH; uv already installed for PYTHON (`PYTHON -m uv`); else a private
# virtual environment .uv-bootstrap/ made with PYTHON, into which `pip install uv` goes.
set -euo pipefail

python=${1:?usage: ensure-uv.sh PYTHON}
root=$(cd "$(dirname "$0")/.." && pwd)
bootstrap="$root/.uv-bootstrap"

if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then
    command -v uv
    exit 0
fi
if [ -x "$bootstrap/bin/uv" ] && "$bootstrap/bin/uv" --version >/dev/null 2>&1; then
    echo "$bootstrap/bin/uv"
    exit 0
fi
if "$python" -m uv --version >/dev/null 2>&1; then
    # uv's Python package ships the binary; ask it where it is.
    bin=$("$python" -c 'from uv import find_uv_bin; print(find_uv_bin())' 2>/dev/null || true)
    if [ -n "$bin" ] && [ -x "$bin" ]; then
        echo "$bin"
        exit 0
    fi
fi

echo "ensure-uv: uv not found; installing it into $bootstrap" >&2
rm -rf "$bootstrap"
"$python" -m venv "$bootstrap" >&2
"$bootstrap/bin/python" -m pip install --quiet --disable-pip-version-check uv >&2
"$bootstrap/bin/uv" --version >&2
echo "$bootstrap/bin/uv"
