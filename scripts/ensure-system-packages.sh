#!/usr/bin/env bash
# Make sure the Debian packages the portal needs at run and test time are installed:
#   fonts-croscore       metric-compatible Times New Roman substitute (Tinos) for PDF documents
#   libharfbuzz-subset0, libpango-1.0-0, libpangoft2-1.0-0   WeasyPrint's native libraries
#   poppler-utils        pdftotext / pdftoppm, used by tests to read generated PDFs
#   chromium             headless browser for the end-to-end (Playwright) tests
#   nodejs, npm          `npm ci` of the front-end test tools (axe-core, vnu-jar; package.json)
#   default-jre-headless Java for the Nu HTML Checker (vnu.jar) in tests/test_accessibility.py
# npm and Java count as present when their command is on PATH, whichever package (Debian's or
# e.g. NodeSource's nodejs, which bundles npm) provides it: installing Debian's npm beside
# another nodejs would conflict.
# As root with apt-get: installs what is missing (apt-get update only when something is).
# Otherwise: lists what is missing and carries on; the tests that need it say so themselves.
set -euo pipefail

packages=(fonts-croscore libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium)

missing=()
if command -v dpkg >/dev/null 2>&1; then
    for pkg in "${packages[@]}"; do
        if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
            missing+=("$pkg")
        fi
    done
else
    echo "ensure-system-packages: no dpkg here; make sure these are installed: ${packages[*]} npm java" >&2
    exit 0
fi
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-system-packages: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "ensure-system-packages: missing Debian packages (not root or no apt-get, so not installing):" >&2
    echo "    ${missing[*]}" >&2
    echo "  install them with: sudo apt-get install ${missing[*]}" >&2
fi
