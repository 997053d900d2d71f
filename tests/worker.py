"""A real Celery worker for tests marked `worker`: a subprocess on its own queue, same database.

Use the `celery_worker_queue` fixture (it needs `transactional_db`, so that the worker sees
committed rows). While it runs, tasks are not eager and go to the worker's queue; afterwards
the Celery app is put back as it was and the worker is stopped.

    pytestmark = pytest.mark.worker

    def test_it(celery_worker_queue, transactional_db): ...
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 45


def _database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


@pytest.fixture
def celery_worker_queue(transactional_db):
    from qsg.celery import app

    queue = f"test-{uuid.uuid4().hex[:10]}"
    name = f"{queue}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qsg.settings.test",
        "DATABASE_URL": _database_url(),
        "QSG_TEST_DB_NAME": connection.settings_dict["NAME"],
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    log = ROOT / "var" / f"{queue}.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "qsg",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                name,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
    }
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not app.control.ping(destination=[name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{log.read_text()[-3000:]}")
        app.conf.task_always_eager = False
        app.conf.task_default_queue = queue
        yield queue
    finally:
        app.conf.update(saved)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.unlink(missing_ok=True)
