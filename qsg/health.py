"""Readiness checks: the database, Redis and a Celery worker's heartbeat."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

WORKER_HEARTBEAT_KEY = "qsg:worker-heartbeat"
HEARTBEAT_MAX_AGE = 120


def _check(fn) -> dict:
    started = time.monotonic()
    try:
        detail = fn()
        ok = True
    except Exception as exc:  # a readiness probe reports every failure, whatever its kind
        detail, ok = f"{type(exc).__name__}: {exc}"[:200], False
    return {"ok": ok, "detail": detail, "ms": round((time.monotonic() - started) * 1000, 1)}


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache() -> str:
    cache.set("qsg:readyz", "1", 10)
    if cache.get("qsg:readyz") != "1":
        raise RuntimeError("cache did not return what was written")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _worker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "tasks run in-process"
    beat = cache.get(WORKER_HEARTBEAT_KEY)
    if beat is None or time.time() - float(beat) > HEARTBEAT_MAX_AGE:
        raise RuntimeError("no worker heartbeat in the last two minutes")
    return "heartbeat fresh"


def readiness() -> dict[str, dict]:
    return {"database": _check(_database), "cache": _check(_cache), "worker": _check(_worker)}
