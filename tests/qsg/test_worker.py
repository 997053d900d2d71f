"""A real Celery worker consumes a task published by the web process."""

import time

import pytest
from django.core.cache import cache

from qsg.health import WORKER_HEARTBEAT_KEY
from qsg.tasks import worker_heartbeat


@pytest.mark.worker
def test_real_worker_runs_a_task(celery_worker):
    cache.delete(WORKER_HEARTBEAT_KEY)
    worker_heartbeat.delay()
    deadline = time.monotonic() + 20
    while cache.get(WORKER_HEARTBEAT_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cache.get(WORKER_HEARTBEAT_KEY) is not None, celery_worker.log()
    assert "qsg.worker_heartbeat" in celery_worker.log()
