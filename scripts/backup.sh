#!/usr/bin/env bash
# Back up the QSG workspace database to a custom-format dump (restorable with scripts/restore.sh).
#   scripts/backup.sh [DATABASE_URL] [OUTPUT_FILE]
set -euo pipefail
url=${1:-${DATABASE_URL:?give a DATABASE_URL}}
out=${2:-qsg-$(date -u +%Y%m%dT%H%M%SZ).dump}
pg_dump --format=custom --no-owner --no-privileges --file "$out" "$url"
echo "Backed up to $out ($(du -h "$out" | cut -f1))"
