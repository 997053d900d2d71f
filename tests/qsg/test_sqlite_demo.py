"""The demo's SQLite database under concurrent writes (issue 15, finding 5).

The demo (qsg.settings.demo, `runserver`) serves each request in its own thread with its own
SQLite connection, and every request writes (the session is saved on each one). Drafting the
regional report claims its form token inside a transaction: a read (get) and then a write
(insert). In SQLite's default DEFERRED mode two such transactions that overlap each hold a read
lock and then both ask for the write lock: SQLite refuses one at once with "database is locked"
(no busy wait can resolve that deadlock), and the page answered 503.

These tests run the demo settings in a subprocess against a real SQLite file: two threads (two
connections, as two requests) run the read-then-write transaction at the same moment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, threading
    import django
    django.setup()
    from django.db import connection, transaction

    with connection.cursor() as c:
        c.execute("CREATE TABLE token (id INTEGER PRIMARY KEY, value TEXT UNIQUE)")
        journal = c.execute("PRAGMA journal_mode").fetchone()[0]
        timeout_ms = c.execute("PRAGMA busy_timeout").fetchone()[0]
    connection.close()

    both_read = threading.Barrier(2, timeout=1)
    errors = []

    def claim(value):
        try:
            with transaction.atomic():
                with connection.cursor() as c:
                    c.execute("SELECT id FROM token WHERE value = %s", [value])
                    c.fetchall()
                    try:
                        both_read.wait()  # in DEFERRED mode both now hold a read lock
                    except threading.BrokenBarrierError:
                        pass  # IMMEDIATE mode: the other waits at BEGIN; go on alone
                    c.execute("INSERT INTO token (value) VALUES (%s)", [value])
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(v,)) for v in ("a", "b")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    with connection.cursor() as c:
        rows = c.execute("SELECT COUNT(*) FROM token").fetchone()[0]
    print(json.dumps({"journal": journal, "timeout_ms": timeout_ms, "errors": errors, "rows": rows}))
    """
)


def _run(tmp_path: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="qsg.settings.demo",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_overlapping_read_then_write_transactions_wait_instead_of_failing(tmp_path):
    outcome = _run(tmp_path)
    assert outcome["errors"] == []
    assert outcome["rows"] == 2


def test_the_demo_database_uses_wal_and_waits_for_the_lock(tmp_path):
    outcome = _run(tmp_path)
    assert outcome["journal"] == "wal"  # readers do not block the writer, nor it them
    assert outcome["timeout_ms"] >= 10_000
