"""A real Celery worker against Redis, for tests about background jobs.

Use the `celery_worker` fixture (from tests/conftest.py) in a test that needs `transactional_db`:
it starts `celery worker` in a subprocess pointed at the test database, on a queue of its own,
makes the test process publish to that queue (not eager), and stops the worker afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from qsg.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    queue: str
    output: list[str] = field(default_factory=list)

    def log(self) -> str:
        return "".join(self.output)

    def kill(self) -> None:
        """kill -9: what happens to a job when its worker dies."""
        self.process.kill()
        self.process.wait(timeout=10)


def _database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def start_worker(
    *, queue: str | None = None, concurrency: int = 1, timeout: float = 60
) -> WorkerProcess:
    queue = queue or f"test-{uuid.uuid4().hex[:10]}"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="qsg.settings.test",
        DATABASE_URL=_database_url(),
        CELERY_TASK_ALWAYS_EAGER="false",
        CELERY_BROKER_URL=celery_app.conf.broker_url,
    )
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "qsg",
        "worker",
        "--loglevel",
        "INFO",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--concurrency",
        str(concurrency),
        "--pool",
        "solo" if concurrency == 1 else "prefork",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    worker = WorkerProcess(process=process, queue=queue)
    ready = threading.Event()

    def pump():
        for line in process.stdout:
            worker.output.append(line)
            if " ready." in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.2):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"Celery worker did not start:\n{worker.log()}")
    return worker


def stop_worker(worker: WorkerProcess) -> None:
    if worker.process.poll() is None:
        worker.process.terminate()
        try:
            worker.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.process.kill()
