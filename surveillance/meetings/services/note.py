"""The note of a meeting: records of discussion, conclusions on providers and the workflow
(circulate, comment, agree, revise, publish). Agreeing sets providers' surveillance levels
and leaves risk summit referrals, which the risk summits work claims here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from qsg.models import Provider, QSGRole
from qsg.vocabulary import say
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import (
    AgendaItem,
    Attendance,
    Conclusion,
    ConclusionCategory,
    FOIExemption,
    Meeting,
    MeetingNote,
    NoteComment,
    NoteEvent,
    NotePassage,
    NoteVersion,
    RiskSummitReferral,
    SurveillanceLogEntry,
)
from surveillance.meetings.services._common import (
    NoteStatus,
    Role,
    _event,
    _exemption_check,
    _link,
    _notify,
    _now,
    _require_draft,
    _stamp,
    _touch,
    screen_pid,
)
from surveillance.meetings.services.actions import action_links


@transaction.atomic
def meeting_note_start(*, actor, meeting: Meeting) -> MeetingNote:
    note, created = MeetingNote.objects.get_or_create(meeting=meeting)
    if created:
        _event(meeting, actor, NoteEvent.Verb.CREATED)
    return note


@transaction.atomic
def passage_save(
    *,
    actor,
    note: MeetingNote,
    agenda_item: AgendaItem,
    text: str,
    foi_exemption: FOIExemption | None = None,
    passage: NotePassage | None = None,
) -> NotePassage:
    _require_draft(note)
    if agenda_item.meeting_id != note.meeting_id:
        raise ValidationError({"agenda_item": "Choose an item of this meeting's agenda"})
    if not text.strip():
        raise ValidationError({"text": "Enter the record of discussion"})
    screen_pid({"text": ("Record of discussion", text)})
    _exemption_check(foi_exemption)
    if passage is None:
        top = NotePassage.objects.filter(note=note, agenda_item=agenda_item).aggregate(
            m=Max("position")
        )["m"]
        passage = NotePassage(note=note, agenda_item=agenda_item, position=(top or 0) + 1)
    passage.text = text.strip()
    passage.foi_exemption = foi_exemption
    passage.full_clean()
    _stamp(passage, actor)
    passage.save()
    _touch(note)
    return passage


@transaction.atomic
def passage_delete(*, actor, note: MeetingNote, passage: NotePassage) -> None:
    _require_draft(note)
    _stamp(passage, actor)
    passage.delete()
    _touch(note)


@transaction.atomic
def conclusion_save(
    *,
    actor,
    note: MeetingNote,
    provider: Provider,
    category: ConclusionCategory,
    key_issues: str,
    rationale: str,
    dissent: str = "",
    agenda_item: AgendaItem | None = None,
    foi_exemption: FOIExemption | None = None,
    conclusion: Conclusion | None = None,
) -> Conclusion:
    _require_draft(note)
    errors = {}
    if not key_issues.strip():
        errors["key_issues"] = "Enter the key issues or concerns discussed"
    if not rationale.strip():
        errors["rationale"] = "Enter why the group reached this conclusion"
    if not category.is_active:
        errors["category"] = "Choose a current conclusion"
    if agenda_item is not None and agenda_item.meeting_id != note.meeting_id:
        errors["agenda_item"] = "Choose an item of this meeting's agenda"
    if errors:
        raise ValidationError(errors)
    screen_pid(
        {
            "key_issues": ("Key issues", key_issues),
            "rationale": ("Rationale", rationale),
            "dissent": ("Disagreement", dissent),
        }
    )
    _exemption_check(foi_exemption)
    clash = Conclusion.objects.filter(note=note, provider=provider)
    if conclusion is not None:
        clash = clash.exclude(pk=conclusion.pk)
    if clash.exists():
        raise ValidationError({"provider": f"A conclusion on {provider.name} is already recorded"})
    if conclusion is None:
        conclusion = Conclusion(note=note, provider=provider)
    elif conclusion.dissent.strip() != dissent.strip():
        # A changed disagreement needs the chair's decision again.
        conclusion.chair_decision = ""
        conclusion.settled_by = None
        conclusion.settled_at = None
    conclusion.provider = provider
    conclusion.category = category
    conclusion.key_issues = key_issues.strip()
    conclusion.rationale = rationale.strip()
    conclusion.dissent = dissent.strip()
    conclusion.agenda_item = agenda_item
    if agenda_item is not None and agenda_item.intelligence_item_ids:
        # The intelligence discussed under the item stays linked to the conclusion it led to.
        conclusion.intelligence_item_ids = sorted(
            set(conclusion.intelligence_item_ids) | set(agenda_item.intelligence_item_ids)
        )
    conclusion.foi_exemption = foi_exemption
    conclusion.full_clean(validate_constraints=False)
    _stamp(conclusion, actor)
    conclusion.save()
    for action in conclusion.actions.select_related("agenda_item"):
        # Its actions follow the intelligence it is now made from.
        links = action_links(conclusion, action.agenda_item)
        if links != action.intelligence_item_ids:
            action.intelligence_item_ids = links
            action.save(update_fields=["intelligence_item_ids", "updated_at"])
    _touch(note)
    return conclusion


@transaction.atomic
def conclusion_delete(*, actor, note: MeetingNote, conclusion: Conclusion) -> None:
    _require_draft(note)
    if conclusion.log_entries.exists() or conclusion.referrals.exists():
        raise ValidationError(
            "This conclusion was agreed in an earlier version and is in the provider's surveillance "
            "log. Record a different conclusion instead of removing it."
        )
    _stamp(conclusion, actor)
    # A level change proposed with it goes with it: not enacted, since the note is a draft.
    proposal = getattr(conclusion, "escalation_proposal", None)
    if proposal is not None:
        proposal.delete()
    conclusion.delete()
    _touch(note)


@transaction.atomic
def conclusion_settle(
    *, actor, note: MeetingNote, conclusion: Conclusion, decision: str
) -> Conclusion:
    """The chair settles a material disagreement (guidance, chapter 7)."""
    if not qsg_access_chairs(actor, note.meeting.qsg_id):
        raise ValidationError("Only the chair settles a disagreement")
    _require_draft(note)
    if not conclusion.dissent.strip():
        raise ValidationError({"decision": "No disagreement is recorded on this conclusion"})
    if not decision.strip():
        raise ValidationError({"decision": "Enter the chair's decision"})
    screen_pid({"decision": ("Chair's decision", decision)})
    conclusion.chair_decision = decision.strip()
    conclusion.settled_by = actor
    conclusion.settled_at = _now()
    _stamp(conclusion, actor)
    conclusion.save(update_fields=["chair_decision", "settled_by", "settled_at"])
    _touch(note)
    _event(
        note.meeting,
        actor,
        NoteEvent.Verb.DISSENT_SETTLED,
        version=note.version,
        detail=conclusion.provider.name,
    )
    return conclusion


def qsg_access_chairs(user, qsg_id: int) -> bool:
    from qsg.access import principal

    return principal(user).chairs(qsg_id)


# Workflow --------------------------------------------------------------------------------------


def _member_user_ids(qsg_id: int, roles=(Role.MEMBER, Role.CHAIR, Role.SECRETARIAT)) -> list[int]:
    return list(
        QSGRole.objects.filter(qsg_id=qsg_id, role__in=roles, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


@transaction.atomic
def meeting_note_circulate(
    *, actor, note: MeetingNote, comments_by: dt.date | None = None
) -> MeetingNote:
    note = MeetingNote.objects.select_for_update().get(pk=note.pk)
    if note.status != NoteStatus.DRAFT:
        raise ValidationError("Only a draft note can be circulated")
    if not Attendance.objects.filter(
        meeting_id=note.meeting_id, status=Attendance.Status.PRESENT
    ).exists():
        raise ValidationError("Record who attended before circulating the note")
    if comments_by is not None and comments_by < timezone.localdate():
        raise ValidationError({"comments_by": "The date for comments must be today or later"})
    note.status = NoteStatus.CIRCULATED
    note.circulated_at = _now()
    note.comments_by = comments_by
    _stamp(note, actor)
    note.save(update_fields=["status", "circulated_at", "comments_by"])
    meeting = note.meeting
    _event(meeting, actor, NoteEvent.Verb.CIRCULATED, version=note.version)
    _notify(
        _member_user_ids(meeting.qsg_id),
        f"Draft note of {meeting.title} for comment",
        "The draft note of the meeting is ready for your comments"
        + (f" by {comments_by:%-d %B %Y}" if comments_by else "")
        + f":\n{_link('surveillance:note', meeting.pk)}",
    )
    return note


@transaction.atomic
def meeting_note_comment(
    *, actor, note: MeetingNote, text: str, agenda_item: AgendaItem | None = None
) -> NoteComment:
    note = MeetingNote.objects.select_for_update().get(pk=note.pk)
    if note.status != NoteStatus.CIRCULATED:
        raise ValidationError("Comments are taken only while the note is circulated")
    if not text.strip():
        raise ValidationError({"text": "Enter your comment"})
    screen_pid({"text": ("Comment", text)})
    comment = NoteComment(
        note=note, version=note.version, author=actor, text=text.strip(), agenda_item=agenda_item
    )
    comment.full_clean()
    comment.save()
    _event(note.meeting, actor, NoteEvent.Verb.COMMENTED, version=note.version)
    return comment


@transaction.atomic
def level_record_from_risk_summit(
    *,
    provider_id: int,
    qsg_id: int,
    category_code: str,
    decided_on: dt.date,
    rationale: str,
    summit_reference: str,
) -> SurveillanceLogEntry:
    """Put the level decided when a risk summit closed on the provider's timeline (once per
    summit and provider: a repeated call changes nothing). Confidential, as the summit is."""
    category = ConclusionCategory.objects.filter(code=category_code, is_active=True).first()
    if category is None:
        raise ValidationError({"level_after": [f"Unknown level of surveillance: {category_code}"]})
    entry, _ = SurveillanceLogEntry.objects.get_or_create(
        provider_id=provider_id,
        source=SurveillanceLogEntry.Source.RISK_SUMMIT,
        source_reference=summit_reference,
        defaults={
            "qsg_id": qsg_id,
            "category": category,
            "level": category.level,
            "rationale": rationale,
            "is_confidential": True,
            "decided_on": decided_on,
        },
    )
    return entry


_ON_AGREED: dict[str, Callable[..., None]] = {}


def register_on_agreed(key: str, fn: Callable[..., None]) -> None:
    """A higher layer acts on the agreement of a note, inside its transaction:
    `fn(actor=..., note=...)`; a ValidationError stops the agreement (escalation enacts the
    level changes the conclusions propose)."""
    _ON_AGREED[key] = fn


def _apply_to_providers(note: MeetingNote, version: int) -> None:
    """Agreed conclusions set each provider's level; "risk summit required" leaves a referral."""
    meeting = note.meeting
    decided_on = timezone.localtime(meeting.starts_at).date()
    for c in Conclusion.objects.filter(note=note).select_related("category", "provider"):
        SurveillanceLogEntry.objects.update_or_create(
            provider=c.provider,
            meeting=meeting,
            defaults={
                "qsg_id": meeting.qsg_id,
                "conclusion": c,
                "category": c.category,
                "level": c.category.level,
                "rationale": c.rationale,
                "is_confidential": c.foi_exemption_id is not None,
                "decided_on": decided_on,
                "note_version": version,
            },
        )
        if c.category.triggers_risk_summit:
            RiskSummitReferral.objects.get_or_create(
                provider=c.provider,
                conclusion=c,
                defaults={"qsg_id": meeting.qsg_id, "meeting": meeting, "rationale": c.rationale},
            )


def meeting_note_agreement_gaps(note: MeetingNote) -> list[dict]:
    """What stops the chair agreeing the note, each as {"text", "conclusion_id", "provider_id"}:
    a provider on the agenda with no conclusion (the note records a conclusion per provider
    discussed), and a disagreement the chair has not settled. Empty when the note can be
    agreed."""
    conclusions = list(Conclusion.objects.filter(note=note).select_related("provider"))
    concluded = {c.provider_id for c in conclusions}
    discussed = (
        Provider.objects.filter(
            pk__in=AgendaItem.providers.through.objects.filter(
                agenda_item__meeting_id=note.meeting_id
            ).values("provider_id")
        )
        .exclude(pk__in=concluded)
        .order_by("name")
    )
    gaps = [
        {
            "text": f"Record a conclusion on {p.name}: it is on the agenda and has none",
            "conclusion_id": None,
            "provider_id": p.pk,
        }
        for p in discussed
    ]
    gaps += [
        {
            "text": f"Settle the disagreement recorded on {c.provider.name}",
            "conclusion_id": c.pk,
            "provider_id": c.provider_id,
        }
        for c in sorted(conclusions, key=lambda c: c.provider.name)
        if c.awaits_chair
    ]
    return gaps


@transaction.atomic
def meeting_note_agree(*, actor, note: MeetingNote) -> MeetingNote:
    note = MeetingNote.objects.select_for_update().select_related("meeting__qsg").get(pk=note.pk)
    meeting = note.meeting
    if not qsg_access_chairs(actor, meeting.qsg_id):
        raise ValidationError("Only the chair agrees the note")
    if note.status != NoteStatus.CIRCULATED:
        raise ValidationError("Circulate the note to members before it is agreed")
    gaps = meeting_note_agreement_gaps(note)
    if gaps:
        raise ValidationError([g["text"] for g in gaps])
    now = _now()
    note.status = NoteStatus.AGREED
    note.agreed_at = now
    note.agreed_by = actor
    _stamp(note, actor)
    note.save(update_fields=["status", "agreed_at", "agreed_by"])
    document = selectors_meetings.note_document(meeting, note)
    NoteVersion.objects.create(
        note=note,
        number=note.version,
        snapshot=document,
        reason=note.revision_reason,
        agreed_by=actor,
        agreed_at=now,
    )
    _apply_to_providers(note, note.version)
    for _key, fn in sorted(_ON_AGREED.items()):
        fn(actor=actor, note=note)
    _event(meeting, actor, NoteEvent.Verb.AGREED, version=note.version)
    return note


@transaction.atomic
def meeting_note_revise(*, actor, note: MeetingNote, reason: str) -> MeetingNote:
    """Open a new version of an agreed note. The agreed version stays as it was."""
    note = MeetingNote.objects.select_for_update().get(pk=note.pk)
    if not note.is_locked:
        raise ValidationError("Only an agreed note needs a new version; change the draft instead")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the agreed note needs to change"})
    screen_pid({"reason": ("Reason", reason)})
    note.version += 1
    note.status = NoteStatus.DRAFT
    note.revision_reason = reason.strip()[:500]
    note.agreed_at = None
    note.agreed_by = None
    note.circulated_at = None
    note.comments_by = None
    note.published_at = None
    _stamp(note, actor)
    note.save(
        update_fields=[
            "version",
            "status",
            "revision_reason",
            "agreed_at",
            "agreed_by",
            "circulated_at",
            "comments_by",
            "published_at",
        ]
    )
    _touch(note)
    _event(note.meeting, actor, NoteEvent.Verb.REVISED, version=note.version, detail=reason)
    return note


@transaction.atomic
def meeting_note_publish(*, actor, note: MeetingNote) -> MeetingNote:
    note = MeetingNote.objects.select_for_update().get(pk=note.pk)
    if note.status != NoteStatus.AGREED:
        raise ValidationError("Only an agreed note can be published")
    note.status = NoteStatus.PUBLISHED
    note.published_at = _now()
    _stamp(note, actor)
    note.save(update_fields=["status", "published_at"])
    NoteVersion.objects.filter(note=note, number=note.version).update(was_published=True)
    meeting = note.meeting
    _event(meeting, actor, NoteEvent.Verb.PUBLISHED, version=note.version)
    _notify(
        _member_user_ids(meeting.qsg_id, roles=(Role.MEMBER, Role.OBSERVER)),
        f"Agreed note of {meeting.title}",
        f"The agreed note of the meeting has been published:\n{_link('surveillance:note', meeting.pk)}",
    )
    return note


# Risk summit hand-off ----------------------------------------------------------------------------


def risk_summit_referrals_pending(*, qsg_ids: Iterable[int] | None = None):
    """Referrals not yet picked up by the risk summits work, oldest first."""
    rows = RiskSummitReferral.objects.filter(claimed_at__isnull=True).select_related(
        "provider", "qsg", "meeting", "conclusion"
    )
    if qsg_ids is not None:
        rows = rows.filter(qsg_id__in=list(qsg_ids))
    return rows.order_by("created_at", "pk")


def risk_summit_referral_claim(*, referral_id: int, reference: str) -> bool:
    """Claim a referral once (a conditional UPDATE). Claiming again with the same reference is a
    no-op that answers True; a claim by anyone else after the first answers False."""
    reference = reference.strip()[:100]
    if not reference:
        raise ValidationError({"reference": say("Give the risk summit's reference")})
    claimed = RiskSummitReferral.objects.filter(pk=referral_id, claimed_at__isnull=True).update(
        claimed_at=_now(), claimed_reference=reference
    )
    if claimed:
        return True
    return RiskSummitReferral.objects.filter(pk=referral_id, claimed_reference=reference).exists()
