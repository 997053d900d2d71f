#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into a database (created if missing, replaced if present).
#   scripts/restore.sh DUMP_FILE [DATABASE_URL]
set -euo pipefail
dump=${1:?give the dump file}
url=${2:-${DATABASE_URL:?give a DATABASE_URL}}
dbname=${url##*/}
dbname=${dbname%%\?*}
admin_url=${url%/*}/postgres
psql "$admin_url" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS \"$dbname\" WITH (FORCE)"
psql "$admin_url" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$dbname\""
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$url" "$dump"
echo "Restored $dump into $dbname"
