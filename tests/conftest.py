import os
from pathlib import Path

import pytest
from django.test import Client

from . import reference
from .cast import build_cast

os.environ.setdefault("XDG_CONFIG_HOME", str(Path("/tmp") / "qsg-test-xdg"))
os.environ.setdefault("XDG_CACHE_HOME", str(Path("/tmp") / "qsg-test-xdg"))


@pytest.fixture
def cast(db):
    reference.ensure()
    return build_cast()


@pytest.fixture
def client_for(cast):
    """A logged-in test client for a cast member: client_for("secretariat_a")."""

    def make(key: str | None) -> Client:
        client = Client()
        if key is not None:
            client.force_login(cast.users[key])
        return client

    return make


@pytest.fixture
def celery_worker(transactional_db):
    """A real worker process consuming a queue of its own; tasks are published, not run eagerly."""
    from qsg.celery import app as celery_app

    from .worker import start_worker, stop_worker

    worker = start_worker()
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = worker.queue
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = saved
        stop_worker(worker)
