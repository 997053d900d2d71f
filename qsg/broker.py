"""Publishing tasks from requests without hanging when the Celery broker is unreachable.

Every request that starts background work (a PDF, an import, an e-mail) publishes through
`publish()`. It raises when the broker cannot take the message, as `apply_async` does, and the
caller keeps the work in the database as "not queued" for beat's sweep to send again
(qsg.jobs.requeue_not_queued, qsg.notifications.requeue). What it adds is the per-process
breaker of qsg.breaker: after a publish fails, the publishes of the next few seconds fail at
once (`breaker.Open`) instead of each waiting for the broker's socket timeout, and a cache
failure against the same Redis counts too. With the broker healthy nothing changes: every
publish is attempted.
"""

from __future__ import annotations

from typing import Any

from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError, TimeoutError

from . import breaker
from .celery import app

UNREACHABLE = (OperationalError, ConnectionError, TimeoutError, OSError)
NOT_SENT = (breaker.Open, *UNREACHABLE)  # what publish() raises when the message was not sent


def breaker_for_broker() -> breaker.Breaker:
    return breaker.for_url(app.conf.broker_write_url or app.conf.broker_url or "")


def publish(task, kwargs: dict[str, Any], **options) -> Any:
    """`task.apply_async(kwargs=kwargs, **options)`, refused at once while the broker is known down.

    Raises `breaker.Open` (nothing sent) or the broker's own error (the breaker opens).
    """
    if app.conf.task_always_eager:  # in-process: there is no broker to protect
        return task.apply_async(kwargs=kwargs, **options)
    with breaker_for_broker().attempt(UNREACHABLE):
        return task.apply_async(kwargs=kwargs, **options)
