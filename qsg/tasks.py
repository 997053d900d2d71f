"""Network-level tasks: worker heartbeat and plain notification e-mails."""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mass_mail

from .health import HEARTBEAT_MAX_AGE, WORKER_HEARTBEAT_KEY
from .models import User


@shared_task(name="qsg.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Run by beat every 30 s; /readyz reads it to know a worker is consuming."""
    cache.set(WORKER_HEARTBEAT_KEY, str(time.time()), HEARTBEAT_MAX_AGE * 2)


@shared_task(name="qsg.requeue_not_queued", ignore_result=True)
def requeue_not_queued() -> int:
    """Run by beat every minute: send again the jobs that could not be queued (broker down)."""
    from . import jobs

    return jobs.requeue_not_queued()


@shared_task(name="qsg.fail_abandoned_jobs", ignore_result=True)
def fail_abandoned_jobs() -> int:
    """Run by beat: mark failed the jobs left running by attempts that can no longer be running."""
    from . import jobs

    return jobs.fail_abandoned()


@shared_task(
    name="qsg.send_notification",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def send_notification(*, user_ids: list[int], subject: str, body: str) -> int:
    """E-mail active users by id. Bodies carry links, never the sensitive content itself."""
    recipients = list(
        User.objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
    return send_mass_mail(messages, fail_silently=False) if messages else 0
