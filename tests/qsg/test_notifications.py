"""E-mail notifications are kept until sent: a broker outage delays them, never loses them,
and however many messages reach the workers each is sent once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from qsg import notifications
from qsg.models import Notification
from tests.signin import log_in

Status = Notification.Status
LINK = "https://qsg.example/intelligence/1/"


def ids(cast, *keys) -> list[int]:
    return sorted(cast.users[k].pk for k in keys)


def addresses(*keys) -> list[str]:
    return sorted(f"{k}@example.nhs.uk" for k in keys)


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def kept(cast, *keys, **fields) -> Notification:
    """A notification as the outbox holds it (by default: its publish failed)."""
    return Notification.objects.create(
        recipients=ids(cast, *keys),
        subject="New intelligence",
        body=LINK,
        **{"status": Status.NOT_QUEUED, **fields},
    )


def test_a_notification_is_sent_on_commit_one_e_mail_per_person(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notifications.notify(
            user_ids=ids(cast, "secretariat_a", "chair_a"), subject="New intelligence", body=LINK
        )
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.sent_at is not None
    assert notification.sent_to == ids(cast, "secretariat_a", "chair_a")
    assert sent_to() == addresses("secretariat_a", "chair_a")
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees who else got it


def test_raised_while_the_broker_is_down_it_is_kept_and_sent_once_it_is_back(
    cast, broker_at, closed_port, django_capture_on_commit_callbacks
):
    broker_at(f"redis://127.0.0.1:{closed_port}/0")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notifications.notify(
            user_ids=ids(cast, "secretariat_a"), subject="New intelligence", body=LINK
        )
    notification.refresh_from_db()
    assert notification.status == Status.NOT_QUEUED and "connecting" in notification.error
    assert mail.outbox == []
    assert notifications.requeue() == 0  # still down: it stays kept
    assert Notification.objects.get().status == Status.NOT_QUEUED

    broker_at(None)  # the broker is back
    assert notifications.requeue() == 1
    assert notifications.requeue() == 0
    assert sent_to() == addresses("secretariat_a")
    assert Notification.objects.get().status == Status.SENT


def test_a_late_message_then_the_sweep_send_it_once(cast):
    # The request's publish timed out against a frozen Redis, but the message got through when
    # it thawed: the worker sends it, and the sweep finds nothing left to send.
    notification = kept(cast, "secretariat_a", "chair_a")
    assert notifications.deliver(notification.pk) == 2
    assert notifications.requeue() == 0
    assert notifications.deliver(notification.pk) == 0
    assert sent_to() == addresses("secretariat_a", "chair_a")


def test_the_sweep_then_a_late_message_send_it_once(cast):
    notification = kept(cast, "secretariat_a", "chair_a")
    assert notifications.requeue() == 1  # sent through the (in-process) broker
    assert notifications.deliver(notification.pk) == 0  # the late message finds it sent
    assert sent_to() == addresses("secretariat_a", "chair_a")


@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_the_same_notification_at_once_send_it_once(cast):
    notification = kept(cast, "secretariat_a", "chair_a", "member_a")
    start = threading.Barrier(4)
    counts: list[int] = []

    def worker():
        start.wait()
        try:
            counts.append(notifications.deliver(notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 0, 0, 3]
    assert sent_to() == addresses("secretariat_a", "chair_a", "member_a")


def test_after_an_smtp_failure_the_retry_mails_only_those_not_yet_reached(
    cast, settings, closed_port
):
    notification = kept(cast, "secretariat_a", "chair_a", "member_a", status=Status.QUEUED)
    Notification.objects.filter(pk=notification.pk).update(sent_to=ids(cast, "chair_a"))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 1
    with pytest.raises(OSError):
        notifications.deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Status.QUEUED and notification.error
    assert notification.sent_to == ids(cast, "chair_a")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.deliver(notification.pk) == 2
    assert sent_to() == addresses("secretariat_a", "member_a")
    notification.refresh_from_db()
    assert notification.status == Status.SENT and notification.attempts == 2


def test_the_sweep_sends_lost_messages_again_but_not_old_news(cast):
    now = timezone.now()
    lost = kept(cast, "secretariat_a", status=Status.QUEUED)  # published; the message was lost
    dead = kept(cast, "chair_a", status=Status.SENDING)  # its worker died mid-send
    waiting = kept(cast, "member_a", status=Status.QUEUED)  # published a moment ago
    old = kept(cast, "cqc_a")
    done = kept(cast, "observer_a", status=Status.SENT)
    Notification.objects.filter(pk=lost.pk).update(queued_at=now - timedelta(minutes=16))
    Notification.objects.filter(pk=dead.pk).update(started_at=now - timedelta(minutes=21))
    Notification.objects.filter(pk=old.pk).update(created_at=now - timedelta(hours=25))
    Notification.objects.filter(pk=done.pk).update(sent_at=now - timedelta(days=31))

    assert notifications.requeue() == 2
    assert sent_to() == addresses("secretariat_a", "chair_a")
    assert Notification.objects.get(pk=waiting.pk).status == Status.QUEUED
    assert Notification.objects.get(pk=old.pk).status == Status.NOT_QUEUED
    assert not Notification.objects.filter(pk=done.pk).exists()


def test_muted_code_raises_no_notification(cast, django_capture_on_commit_callbacks):
    with notifications.muted(), django_capture_on_commit_callbacks(execute=True):
        assert (
            notifications.notify(user_ids=ids(cast, "secretariat_a"), subject="s", body="b") is None
        )
    assert not Notification.objects.exists() and mail.outbox == []


@pytest.mark.django_db
def test_operators_see_unsent_notifications_in_the_admin_read_only(client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    Notification.objects.create(
        recipients=[1], subject="New intelligence to triage", body="A link", status="not_queued"
    )
    staff = get_user_model().objects.create_superuser("ops", "ops@example.nhs.uk", "ops-pass-1234")
    log_in(client, staff)
    listing = client.get(
        reverse("admin:qsg_notification_changelist"), {"status__exact": "not_queued"}
    )
    assert listing.status_code == 200
    assert "New intelligence to triage" in listing.content.decode()
    assert client.get(reverse("admin:qsg_notification_add")).status_code == 403
