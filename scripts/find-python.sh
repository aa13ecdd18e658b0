#!/usr/bin/env bash
# Print the path of a working Python >= 3.12 interpreter, or fail with a clear message.
# Order: $UV_PYTHON; python3.13 / python3.12 on PATH (each actually run: a pyenv shim may exist
# but fail); pyenv's installed versions; /usr/bin/python3.1[2-9].
set -euo pipefail

works() {
    local cand=$1
    [ -n "$cand" ] || return 1
    "$cand" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1
}

resolve() {
    # Print an absolute interpreter path (sys.executable), so the caller never depends on a shim.
    "$1" -c 'import sys; print(sys.executable)'
}

if [ -n "${UV_PYTHON:-}" ]; then
    if works "$UV_PYTHON"; then
        resolve "$UV_PYTHON"
        exit 0
    fi
    echo "find-python: UV_PYTHON=$UV_PYTHON is set but is not a working Python >= 3.12" >&2
    exit 1
fi

candidates=()
for name in python3.13 python3.12; do
    if path=$(command -v "$name" 2>/dev/null); then
        candidates+=("$path")
    fi
done
roots=()
if command -v pyenv >/dev/null 2>&1; then
    roots+=("$(pyenv root 2>/dev/null || true)")
fi
roots+=("$HOME/.pyenv")
shopt -s nullglob
for root in "${roots[@]}"; do
    [ -n "$root" ] || continue
    # Oldest suitable first (3.12 before 3.13): 3.12 is what the Docker image and CI run.
    while IFS= read -r path; do
        [ -n "$path" ] && candidates+=("$path")
    done < <(printf '%s\n' "$root"/versions/3.1[2-9]*/bin/python | sort -V)
done
while IFS= read -r path; do
    [ -n "$path" ] && candidates+=("$path")
done < <(printf '%s\n' /usr/bin/python3.1[2-9] | sort -V)
shopt -u nullglob

for cand in "${candidates[@]}"; do
    if works "$cand"; then
        resolve "$cand"
        exit 0
    fi
done

{
    echo "find-python: no working Python >= 3.12 found."
    echo "  Tried: ${candidates[*]:-(no candidates on PATH, in pyenv or /usr/bin)}"
    echo "  Install one (e.g. 'pyenv install 3.12' or 'apt-get install python3.12')"
    echo "  or point UV_PYTHON at an interpreter: make run UV_PYTHON=/path/to/python3.12"
} >&2
exit 1
