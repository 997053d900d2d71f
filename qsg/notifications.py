"""E-mail notifications that survive a broker outage and are sent once.

`notify()` writes a `Notification` row in the caller's transaction and publishes
`qsg.send_notification` once it commits. If the broker cannot be reached the row says
"not_queued" and beat's sweep (`requeue`, every minute with the jobs' own sweep) publishes it
again once the broker is back; nothing is lost with the request.

Exactly once: a worker takes the row with one conditional update (queued or not queued, to
sending) before e-mailing anyone, so a second message for the same row (a publish that timed
out against a frozen Redis but arrived when it thawed, then the sweep's; a redelivery) finds it
taken and does nothing. Each recipient is recorded as soon as their e-mail has gone, so a
retry after an SMTP failure mails only those not yet reached.

Bodies carry links, never the sensitive content itself.

The same "sent once" rule for reminders and alerts raised by beat (an action due, a return
overdue, a summit's clock): `first_time(Model, **key)` claims a row unique on `key` in the
transaction that calls `notify()`, so two sweeps (or two workers) never both raise it. Beat's
sweeps that publish again what the broker did not take (`resend`) are shared with qsg.jobs.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from datetime import timedelta
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import lazy

from . import broker, vocabulary
from .models import Notification, User

log = logging.getLogger(__name__)
Status = Notification.Status

# Published but not taken by a worker after this long: the message was lost (a web process died
# between commit and publish, Redis lost its data); publish it again. A duplicate is harmless.
QUEUED_STALE = timedelta(minutes=15)
# Taken by a worker this long ago and not finished: the worker died. Longer than any task may run
# (CELERY_TASK_TIME_LIMIT), so a slow sender is never joined by a second one.
SENDING_STALE = timedelta(minutes=20)
KEEP_TRYING = timedelta(hours=24)  # older unsent notifications are no longer news
KEEP_SENT = timedelta(days=30)
SWEEP_LIMIT = 200

_muted: ContextVar[bool] = ContextVar("qsg_notifications_muted", default=False)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Raise no notifications inside (the demo seed: demo data is not news)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def sender() -> str:
    """Who every e-mail is from: `DEFAULT_FROM_EMAIL`, named with the service's name in the
    deployment's words unless the setting gives a name of its own."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if name or not address:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((vocabulary.term("service"), address))


sender_lazy = lazy(sender, str)


def notify(*, user_ids: Iterable[int], subject: str, body: str) -> Notification | None:
    """E-mail these people once the current transaction commits (and only if it does)."""
    ids = sorted({int(i) for i in user_ids if i})
    if not ids or _muted.get():
        return None
    notification = Notification.objects.create(recipients=ids, subject=subject, body=body)
    pk = notification.pk
    transaction.on_commit(lambda: publish(pk))
    return notification


def first_time(model, **key):
    """Claim the record that a message keyed by `key` is sent (a row of `model`, unique on
    `key`). Returns the new row, or None if it was claimed before: then send nothing. Call it in
    the transaction that notifies, so the claim and the outbox row commit together."""
    try:
        with transaction.atomic():
            return model.objects.create(**key)
    except IntegrityError:
        return None


def resend(rows: Iterable, *, take: Callable[[Any], bool], send: Callable[[Any], bool]) -> int:
    """A sweep's loop: for each row this sweep takes back (`take`, a conditional update, so two
    sweeps never both send it), publish it (`send`); stop at the first that cannot be sent (the
    broker is still down: the rest wait for the next sweep). Returns how many were sent."""
    sent = 0
    for row in rows:
        if not take(row):
            continue
        if not send(row):
            break
        sent += 1
    return sent


def publish(pk: int) -> bool:
    """Publish the task that sends this notification; on failure mark it not queued."""
    from .tasks import send_notification

    try:
        broker.publish(send_notification, {"notification_id": pk})
    except Exception as exc:  # whatever stopped the publish, the sweep will try again
        log.warning("notification %s not queued, kept for later: %s", pk, exc)
        Notification.objects.filter(pk=pk, status=Status.QUEUED).update(
            status=Status.NOT_QUEUED, error=str(exc)[:500]
        )
        return False
    return True


def claim(pk: int) -> bool:
    """Take the notification for this worker; False if someone else has it or it was sent."""
    return bool(
        Notification.objects.filter(pk=pk, status__in=[Status.QUEUED, Status.NOT_QUEUED]).update(
            status=Status.SENDING, started_at=timezone.now(), attempts=F("attempts") + 1, error=""
        )
    )


def deliver(pk: int) -> int:
    """Send a notification (the task's body). Returns how many e-mails went now.

    On an SMTP failure (OSError) the notification is put back in the queue with what it
    reached so far, and the error is raised for the task to retry.
    """
    if not claim(pk):
        return 0
    notification = Notification.objects.get(pk=pk)
    done = set(notification.sent_to)
    recipients = (
        User.objects.filter(pk__in=notification.recipients, is_active=True)
        .exclude(email="")
        .exclude(pk__in=done)
        .order_by("pk")
        .values_list("pk", "email")
    )
    sent = 0
    try:
        with get_connection() as connection:
            for user_id, address in recipients:
                EmailMessage(
                    notification.subject,
                    notification.body,
                    sender(),
                    [address],
                    connection=connection,
                ).send()
                done.add(user_id)
                sent += 1
                Notification.objects.filter(pk=pk).update(sent_to=sorted(done))
    except OSError as exc:
        Notification.objects.filter(pk=pk, status=Status.SENDING).update(
            status=Status.QUEUED, queued_at=timezone.now(), error=str(exc)[:500]
        )
        raise
    Notification.objects.filter(pk=pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now()
    )
    return sent


def give_up(pk: int, exc: BaseException) -> None:
    Notification.objects.filter(pk=pk, status__in=[Status.QUEUED, Status.SENDING]).update(
        status=Status.FAILED, error=str(exc)[:500]
    )


def requeue() -> int:
    """Beat's sweep: publish again what could not be queued (or was lost). Returns how many."""
    now = timezone.now()
    Notification.objects.filter(status=Status.SENT, sent_at__lt=now - KEEP_SENT).delete()
    due = (
        Notification.objects.filter(created_at__gte=now - KEEP_TRYING)
        .filter(
            Q(status=Status.NOT_QUEUED)
            | Q(status=Status.QUEUED, queued_at__lt=now - QUEUED_STALE)
            | Q(status=Status.SENDING, started_at__lt=now - SENDING_STALE)
        )
        .order_by("created_at")
        .values_list("pk", "status", "queued_at")
    )
    return resend(
        due[:SWEEP_LIMIT],
        # Take it back as it was read, so that two sweeps never both publish it.
        take=lambda row: bool(
            Notification.objects.filter(pk=row[0], status=row[1], queued_at=row[2]).update(
                status=Status.QUEUED, queued_at=now
            )
        ),
        send=lambda row: publish(row[0]),
    )
