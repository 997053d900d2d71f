"""Row counts and checksums of every application table, to compare a database with its restore.

python scripts/db_fingerprint.py DATABASE_URL > before.json
"""

from __future__ import annotations

import json
import sys

import psycopg

APP_PREFIXES = (
    "qsg_",
    "dashboard_",
    "surveillance_",
    "risksummits_",
    "auth_",
    "guardian_",
    "authtoken_",
)


def fingerprint(url: str) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [t for (t,) in cur.fetchall() if t.startswith(APP_PREFIXES)]
        for table in tables:
            # Every row as text, in a stable order, hashed: any changed value changes the checksum.
            cur.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "  # noqa: S608
                f'FROM "{table}" AS t'
            )
            count, checksum = cur.fetchone()
            out[table] = {"rows": count, "md5": checksum}
    return out


if __name__ == "__main__":
    json.dump(fingerprint(sys.argv[1]), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
