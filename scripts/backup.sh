#!/usr/bin/env bash
# Back up Khối Portal: the PostgreSQL database, the uploaded and generated files, the PKI folder.
# Usage: scripts/backup.sh [DEST]   (DEST defaults to ./backups)
# Reads the portal's own variables: DATABASE_URL (postgres://…, required), MEDIA_ROOT (default
# <project>/media), PORTAL_PKI_DIR (default <project>/var/pki). Writes one new directory
#   DEST/khoi-portal-YYYYmmdd-HHMMSS/ with database.dump (pg_dump -Fc), media.tar.gz,
#   pki.tar.gz, MANIFEST and SHA256SUMS,
# and prints its path on the last line. The PKI archive holds private keys: the backup
# directory is created readable by its owner only; keep it (and its copies) that way.
# Restore with scripts/restore.sh (docs/OPERATIONS.md).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/backups}
db_url=${DATABASE_URL:-}
media=${MEDIA_ROOT:-$root/media}
pki=${PORTAL_PKI_DIR:-$root/var/pki}

case "$db_url" in
    postgres://* | postgresql://*) ;;
    "") echo "backup: DATABASE_URL is not set" >&2; exit 2 ;;
    *) echo "backup: DATABASE_URL must be a PostgreSQL URL (postgres://…), not ${db_url%%:*}" >&2; exit 2 ;;
esac
for tool in pg_dump tar sha256sum; do
    command -v "$tool" >/dev/null || { echo "backup: $tool is not installed" >&2; exit 2; }
done

umask 077
stamp=$(date +%Y%m%d-%H%M%S)
target="$dest/khoi-portal-$stamp"
mkdir -p "$dest"
mkdir "$target"  # fails rather than mixing two backups made in the same second
partial=1
trap 'if [ "$partial" = 1 ]; then rm -rf "$target"; fi' EXIT

# Custom format: compressed, and pg_restore can restore it selectively and in parallel.
pg_dump --format=custom --no-password --file="$target/database.dump" "$db_url"

archive() {  # archive NAME DIR: the directory's contents (an empty archive when it is missing)
    local name=$1 dir=$2
    if [ -d "$dir" ]; then
        tar -C "$dir" -czf "$target/$name.tar.gz" .
    else
        tar -czf "$target/$name.tar.gz" -T /dev/null
    fi
}
archive media "$media"
archive pki "$pki"

{
    echo "created: $(date -Iseconds)"
    echo "database: ${db_url##*/}"
    echo "pg_dump: $(pg_dump --version)"
    echo "media: $media ($(find "$media" -type f 2>/dev/null | wc -l) files)"
    echo "pki: $pki"
} >"$target/MANIFEST"
(cd "$target" && sha256sum database.dump media.tar.gz pki.tar.gz MANIFEST >SHA256SUMS)

partial=0
echo "$target"
