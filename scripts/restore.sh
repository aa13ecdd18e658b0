#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh.
# Usage: scripts/restore.sh BACKUP_DIR [--no-pki]
# Restores into the portal's own variables: DATABASE_URL (postgres://…, an existing database,
# normally a new empty one; objects already in it are dropped and recreated), MEDIA_ROOT and
# PORTAL_PKI_DIR (defaults as in the settings). Stop the web, worker and beat processes first.
# Files already in MEDIA_ROOT / PORTAL_PKI_DIR are not deleted: each is moved aside to
# <dir>.before-restore-YYYYmmdd-HHMMSS and the backup's copy takes its place.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
backup=${1:?usage: restore.sh BACKUP_DIR [--no-pki]}
with_pki=1
[ "${2:-}" = "--no-pki" ] && with_pki=0
db_url=${DATABASE_URL:-}
media=${MEDIA_ROOT:-$root/media}
pki=${PORTAL_PKI_DIR:-$root/var/pki}

case "$db_url" in
    postgres://* | postgresql://*) ;;
    "") echo "restore: DATABASE_URL is not set" >&2; exit 2 ;;
    *) echo "restore: DATABASE_URL must be a PostgreSQL URL (postgres://…)" >&2; exit 2 ;;
esac
[ -f "$backup/SHA256SUMS" ] || { echo "restore: $backup is not a backup (no SHA256SUMS)" >&2; exit 2; }

# A damaged or incomplete copy stops here, before anything is changed.
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)

# One transaction: the database ends up either fully restored or unchanged.
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
    --exit-on-error --no-password --dbname="$db_url" "$backup/database.dump"

stamp=$(date +%Y%m%d-%H%M%S)
put_back() {  # put_back NAME DIR: unpack beside DIR, then swap it in
    local name=$1 dir=$2
    local fresh="$dir.restoring-$stamp"
    mkdir -p "$fresh"
    tar -C "$fresh" -xzf "$backup/$name.tar.gz"
    if [ -e "$dir" ]; then
        mv "$dir" "$dir.before-restore-$stamp"
        echo "restore: the previous $name files are in $dir.before-restore-$stamp"
    fi
    mv "$fresh" "$dir"
}
put_back media "$media"
if [ "$with_pki" = 1 ]; then
    put_back pki "$pki"
fi
echo "restore: done from $backup"
