"""Helpers shared by the meetings services: clock, PID screening, audit events, e-mail, the
locks an agreed note puts on its meeting. Private to `surveillance.meetings.services`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from qsg import notifications
from qsg import services as qsg_services
from qsg.models import QSGRole
from qsg.screening import screen_pid  # noqa: F401  (the services import it from here)
from surveillance.meetings.models import FOIExemption, Meeting, MeetingNote, NoteEvent

Role = QSGRole.Role
NoteStatus = MeetingNote.Status
_stamp = qsg_services._stamp


def _now():
    return timezone.now()


def _local(date: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, time))


def _on_commit(fn) -> None:
    transaction.on_commit(fn)


def _event(meeting: Meeting, actor, verb: str, *, version: int = 1, detail: str = "") -> NoteEvent:
    return NoteEvent.objects.create(
        meeting=meeting,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        version=version,
        detail=detail[:500],
    )


def _notify(user_ids: Iterable[int], subject: str, body: str) -> None:
    notifications.notify(user_ids=user_ids, subject=subject, body=body)


def _link(name: str, *args) -> str:
    return settings.QSG_SITE_URL.rstrip("/") + reverse(name, args=args)


def _record_editable(meeting: Meeting) -> None:
    note = MeetingNote.objects.filter(meeting=meeting).only("status").first()
    if note is not None and note.is_locked:
        raise ValidationError(
            "The note of this meeting has been agreed, so its agenda and attendance are fixed. "
            "Open a new version of the note to change them."
        )


def _require_draft(note: MeetingNote) -> None:
    if note.is_locked:
        raise ValidationError(
            f"Version {note.version} of this note has been agreed and cannot be changed. "
            "Open a new version, giving the reason, to change it."
        )


def _touch(note: MeetingNote) -> None:
    MeetingNote.objects.filter(pk=note.pk).update(revision=F("revision") + 1)
    note.refresh_from_db(fields=["revision"])


def _exemption_check(foi_exemption: FOIExemption | None) -> None:
    if foi_exemption is not None and not foi_exemption.is_active:
        raise ValidationError({"foi_exemption": "Choose a current exemption ground"})
