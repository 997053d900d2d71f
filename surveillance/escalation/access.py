"""Who sees and decides escalation records. Built on `qsg.access.principal`:

* A record is kept by a group (the provider's lead local group). Everyone who sees that
  group reads it: the people with a role there, the regional secretariat, chair and reviewers
  who oversee it, and the national team above, read-only. A provider serving several systems
  sits in other groups' footprints too (`Provider.other_qsgs`): whoever sees one of those
  groups reads the record as well, but only the lead group (and its region) decides.
  Everyone else: 404, in lists too.
* A decision is recorded by the secretariat or chair of the group, or by the secretariat or
  chair of the regional group overseeing it (intensive support is region-led). Anyone else who
  sees the record: 403.
* Evidence is shown to each reader through its own access layer: an intelligence item the
  reader may not see is left out (and not counted), a meeting they may not see is not linked.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qsg.access import not_found, principal, provider_for_user, require, shared_provider_ids
from qsg.models import QSG, Provider, QSGRole
from surveillance.escalation.models import EscalationDecision, EscalationRecord, ExitCriterion
from surveillance.meetings.access import _int

Role = QSGRole.Role
DECIDERS = frozenset({Role.SECRETARIAT, Role.CHAIR})


def can_decide(user, qsg_id: int) -> bool:
    p = principal(user)
    return bool(p.roles_in(qsg_id) & DECIDERS or p.overseen.get(qsg_id, frozenset()) & DECIDERS)


def records_for(user) -> QuerySet[EscalationRecord]:
    p = principal(user)
    if p.is_anonymous:
        return EscalationRecord.objects.none()
    return EscalationRecord.objects.filter(
        Q(qsg_id__in=p.qsg_ids) | Q(provider_id__in=shared_provider_ids(p.qsg_ids))
    )


def record_for_user(user, pk, *, manage: bool = False) -> EscalationRecord:
    record = (
        records_for(user)
        .select_related("provider", "qsg", "qsg__regional_qsg", "lead_organisation")
        .filter(pk=_int(pk))
        .first()
    )
    if record is None:
        raise not_found()
    if manage:
        require(can_decide(user, record.qsg_id))
    return record


def decisions_for(user) -> QuerySet[EscalationDecision]:
    return EscalationDecision.objects.filter(record__in=records_for(user))


def criteria_for(user) -> QuerySet[ExitCriterion]:
    return ExitCriterion.objects.filter(record__in=records_for(user))


def provider_to_decide(user, pk) -> Provider:
    """A provider to place at a level: 404 if not visible, 403 unless the user decides for the
    group whose footprint it sits in."""
    provider = provider_for_user(user, pk)
    require(provider.is_active and can_decide(user, provider.qsg_id))
    return provider


def group_for_user(user, pk) -> QSG:
    """A group whose escalation list the user may read: a local group they see, or a regional
    group they hold a role in (its list covers the local groups they see under it)."""
    p = principal(user)
    pk = _int(pk)
    if not p.sees_qsg(pk):
        raise not_found()
    qsg = QSG.objects.select_related("regional_qsg").filter(pk=pk, is_active=True).first()
    if qsg is None:
        raise not_found()
    return qsg


def deciding_groups(record: EscalationRecord) -> list[QSG]:
    """Where a decision on the record may be taken: its group, and the regional group above."""
    groups = [record.qsg]
    if record.qsg.regional_qsg_id:
        groups.append(record.qsg.regional_qsg)
    return groups


def conclusion_to_propose(user, pk):
    """A conclusion of a draft note the user may read; 403 unless they run its meeting's group
    (secretariat); 404 if not visible or the note is agreed."""
    from surveillance.meetings.access import conclusions_for, manages

    conclusion = (
        conclusions_for(user)
        .select_related("note__meeting__qsg", "provider", "provider__qsg")
        .filter(pk=_int(pk))
        .first()
    )
    if conclusion is None or conclusion.note.is_locked:
        raise not_found()
    require(manages(user, conclusion.note.meeting.qsg_id))
    return conclusion


def proposable_conclusions(user, provider):
    """Conclusions on the provider in draft notes of meetings the user runs."""
    from surveillance.meetings.access import conclusions_for
    from surveillance.meetings.models import MeetingNote

    p = principal(user)
    return (
        conclusions_for(user)
        .filter(
            provider=provider,
            note__meeting__qsg_id__in=p.managed_qsg_ids,
            note__status__in=[MeetingNote.Status.DRAFT, MeetingNote.Status.CIRCULATED],
        )
        .select_related("note__meeting")
        .order_by("-note__meeting__starts_at")
    )
