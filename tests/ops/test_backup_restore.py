"""Backup, drop, restore: every application table comes back with the same rows and checksums."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from db_fingerprint import fingerprint  # noqa: E402

SERVER = os.environ.get("QSG_OPS_PG", "postgres://postgres@127.0.0.1:5432")


def _run(*args, env=None):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def scratch_database():
    name = f"qsg_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{SERVER}/{name}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_drop_restore_round_trip(scratch_database, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="qsg.settings.demo",
        DATABASE_URL=scratch_database,
        QSG_MEDIA_ROOT=str(tmp_path),
    )
    _run(sys.executable, "manage.py", "migrate", "--noinput", env=env)
    _run(sys.executable, "manage.py", "seed_demo", "--password", "restore-test-pass-1", env=env)
    before = fingerprint(scratch_database)
    # 274 trusts of the A&E data and two successors of trusts that merged (tests/test_demo_path.py)
    assert before["qsg_provider"]["rows"] == 276
    assert all(v["rows"] >= 0 for v in before.values())

    dump = tmp_path / "qsg.dump"
    _run("bash", "scripts/backup.sh", scratch_database, str(dump))
    assert dump.stat().st_size > 0
    _run("bash", "scripts/restore.sh", str(dump), scratch_database)  # drops and recreates
    after = fingerprint(scratch_database)

    assert after == before

    # The comparison would notice a single changed value.
    with psycopg.connect(scratch_database, autocommit=True) as conn:
        conn.execute(
            "UPDATE qsg_provider SET name = name || ' ' WHERE id = (SELECT min(id) FROM qsg_provider)"
        )
    assert fingerprint(scratch_database)["qsg_provider"] != before["qsg_provider"]
