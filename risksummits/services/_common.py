"""Helpers every risk-summit service shares (private to this package).

The clock (`_now`, `_today`), the timeline (`_event`), e-mail (`_notify`, `_notify_summit`),
locking and the revision counter (`_lock`, `_bump`), patient-identifiable data screening
(`screen_pid`) and linking organisations and people to a summit (`_attach`). Double submits are
guarded by `qsg.once` (the form token or API key, one record per token); `ALREADY_SENT` is what a
repeat hears when its first record has gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from qsg import access as qsg_access
from qsg import notifications
from qsg import services as qsg_services
from qsg.models import QSG, Membership, Organisation, QSGRole
from qsg.screening import screen_pid  # noqa: F401  (the services import it from here)
from qsg.vocabulary import say, say_lazy

from ..models import Participant, Representative, RiskSummit, TimelineEvent

Role = QSGRole.Role


_stamp = qsg_services._stamp

ALREADY_SENT = say_lazy("This form has already been sent. Go back to the summit to see it.")

CLOCK_SKEW = dt.timedelta(minutes=5)
READ_ROLES = sorted(qsg_access.READ_ROLES)


# The demo runs the services as if it were a past moment (risksummits.demo._clock_at), so that a
# finished summit's times and timeline agree. None: the real time.
_frozen_at: dt.datetime | None = None


def _now() -> dt.datetime:
    return _frozen_at if _frozen_at is not None else timezone.now()


def _today() -> dt.date:
    return timezone.localtime(_now()).date()


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(summit: RiskSummit, actor, verb: str, text: str, *, shared: bool = False) -> None:
    TimelineEvent.objects.create(
        summit=summit,
        at=_now(),
        actor=_actor(actor),
        verb=verb,
        text=text[:500],
        shared_with_provider=shared,
    )


def _link(name: str, *args) -> str:
    return settings.QSG_SITE_URL.rstrip("/") + reverse(name, args=args)


def _notify(user_ids: Iterable[int], subject: str, body: str, *, exclude=None) -> int:
    ids = sorted({i for i in user_ids if i and i != getattr(exclude, "pk", None)})
    notifications.notify(user_ids=ids, subject=subject, body=body)
    return len(ids)


def _require_open(summit: RiskSummit) -> None:
    if summit.status != RiskSummit.Status.OPEN:
        raise ValidationError(say("This risk summit is closed. Its record can no longer change."))


def _bump(summit: RiskSummit) -> None:
    RiskSummit.objects.filter(pk=summit.pk).update(revision=F("revision") + 1)


def _lock(summit: RiskSummit) -> RiskSummit:
    return RiskSummit.objects.select_for_update().get(pk=summit.pk)


def lead_user_ids(summit: RiskSummit) -> list[int]:
    return list(
        QSGRole.objects.filter(
            qsg_id=summit.qsg_id, role__in=sorted(qsg_access.TEAM_ROLES), user__is_active=True
        ).values_list("user_id", flat=True)
    )


def participant_user_ids(summit: RiskSummit, *, organisation_id: int | None = None) -> list[int]:
    qs = Representative.objects.filter(summit=summit, participant__is_active=True)
    if organisation_id is not None:
        qs = qs.filter(participant__organisation_id=organisation_id)
    return list(qs.values_list("user_id", flat=True))


def _notify_summit(summit: RiskSummit, subject: str, body: str, *, exclude=None) -> int:
    """E-mail everyone taking part and the QSG's secretariat and chair."""
    return _notify(
        participant_user_ids(summit) + lead_user_ids(summit), subject, body, exclude=exclude
    )


# Linking organisations and people to a summit --------------------------------------------------


def _named_people(qsg: QSG, organisation: Organisation) -> list[int]:
    return list(
        QSGRole.objects.filter(
            qsg=qsg,
            user__organisation=organisation,
            user__is_active=True,
            role__in=READ_ROLES,
            is_named_representative=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def _is_member(qsg: QSG, organisation: Organisation) -> bool:
    return Membership.objects.filter(qsg=qsg, organisation=organisation).exists()


def _attach(
    summit: RiskSummit,
    organisation: Organisation,
    basis: str,
    *,
    actor,
    shared_items_only: bool = False,
    people: Iterable[int] = (),
) -> Participant:
    participant = Participant.objects.filter(summit=summit, organisation=organisation).first()
    if participant is None:
        participant = Participant(
            summit=summit,
            organisation=organisation,
            basis=basis,
            is_guest=not _is_member(summit.qsg, organisation),
            shared_items_only=shared_items_only,
            added_by=_actor(actor),
        )
        participant.full_clean()
        _stamp(participant, actor)
        participant.save()
    elif not participant.is_active:
        participant.is_active = True
        participant.shared_items_only = shared_items_only
        _stamp(participant, actor)
        participant.save(update_fields=["is_active", "shared_items_only"])
    for user_id in people:
        _link_person(summit, participant, user_id, actor=actor)
    return participant


def _link_person(summit: RiskSummit, participant: Participant, user_id: int, *, actor) -> None:
    existing = Representative.objects.filter(summit=summit, user_id=user_id).first()
    if existing is not None:
        if existing.participant_id != participant.pk:
            raise ValidationError(
                {"user": "This person already takes part for another organisation"}
            )
        return
    rep = Representative(
        summit=summit, participant=participant, user_id=user_id, added_by=_actor(actor)
    )
    _stamp(rep, actor)
    rep.save()
