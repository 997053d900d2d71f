"""Network-level tasks: worker heartbeat and plain notification e-mails."""

from __future__ import annotations

import time

from celery import shared_task
from django.core.cache import cache

from . import notifications
from .health import HEARTBEAT_MAX_AGE, WORKER_HEARTBEAT_KEY


@shared_task(name="qsg.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Run by beat every 30 s; /readyz reads it to know a worker is consuming."""
    cache.set(WORKER_HEARTBEAT_KEY, str(time.time()), HEARTBEAT_MAX_AGE * 2)


@shared_task(name="qsg.requeue_not_queued", ignore_result=True)
def requeue_not_queued() -> int:
    """Run by beat every minute: send again the jobs and notifications that could not be queued
    (broker down)."""
    from . import jobs

    return jobs.requeue_not_queued() + notifications.requeue()


@shared_task(name="qsg.fail_abandoned_jobs", ignore_result=True)
def fail_abandoned_jobs() -> int:
    """Run by beat: mark failed the jobs left running by attempts that can no longer be running."""
    from . import jobs

    return jobs.fail_abandoned()


@shared_task(name="qsg.resend_stalled_jobs", ignore_result=True)
def resend_stalled_jobs() -> int:
    """Run by beat: send again jobs queued for longer than a normal wait (a lost message)."""
    from . import jobs

    return jobs.resend_stalled()


@shared_task(name="qsg.send_notification", bind=True, ignore_result=True, max_retries=5)
def send_notification(self, *, notification_id: int) -> int:
    """E-mail a kept notification (qsg.notifications), once; retried on SMTP failures."""
    try:
        return notifications.deliver(notification_id)
    except OSError as exc:
        if self.request.retries >= self.max_retries:
            notifications.give_up(notification_id, exc)
            return 0
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
