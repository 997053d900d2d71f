"""Every write to a risk summit.

Each function is keyword-only and atomic, validates (`full_clean()` and the summit's own rules),
records who did it (django-simple-history and the summit's timeline) and sends e-mail or queues
work only once the transaction has committed. Free text is screened for patient-identifiable
data and refused if any is found. A one-use form token makes a double submit create one record.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from qsg import broker, notifications
from qsg import services as qsg_services
from qsg.models import QSG, Job, Membership, Organisation, OrganisationType, Provider, QSGRole, User
from surveillance.intelligence import pid

from . import clock, handoff, selectors
from .access import CQC_TYPE_CODE, SummitAccess
from .models import (
    AccessLogEntry,
    Attendance,
    CQCJudgement,
    ImpactAssessmentRequest,
    ImpactAssessmentResponse,
    Participant,
    Representative,
    RingHolderRule,
    RiskSummit,
    SentAlert,
    SummitAction,
    SummitDocument,
    SummitMeeting,
    TimelineEvent,
)

log = logging.getLogger(__name__)
Role = QSGRole.Role
Basis = Participant.Basis
RHS = RiskSummit.RingHolderStatus
_stamp = qsg_services._stamp

URGENCY_HOURS = {RiskSummit.Urgency.IMMEDIATE: 24, RiskSummit.Urgency.URGENT: 48}
CLOCK_SKEW = dt.timedelta(minutes=5)
READ_ROLES = (Role.SECRETARIAT, Role.CHAIR, Role.MEMBER, Role.OBSERVER)


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def screen_pid(fields: dict[str, tuple[str, str]]) -> None:
    """Refuse patient-identifiable data: {field name: (label, text)}."""
    errors: dict[str, list[str]] = {}
    for name, (label, text) in fields.items():
        findings = pid.screen(text or "")
        if findings:
            errors[name] = pid.describe(findings, label)
    if errors:
        raise ValidationError(errors)


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


def _claim(actor, scope: str, token: str):
    """(row, created) for a form token, or (None, True) when the form sent none."""
    if not token or not getattr(actor, "is_authenticated", False):
        return None, True
    return qsg_services.submission_token_claim(user=actor, scope=scope, token=token)


def _remember(row, obj) -> None:
    if row is not None:
        row.object_id = str(obj.pk)
        row.save(update_fields=["object_id"])


def _repeat(row, model):
    """The object a repeated form submit created the first time."""
    if row is not None and row.object_id:
        found = model.objects.filter(pk=row.object_id).first()
        if found is not None:
            return found
    raise ValidationError("This form has already been sent. Go back to the summit to see it.")


def _require_open(summit: RiskSummit) -> None:
    if summit.status != RiskSummit.Status.OPEN:
        raise ValidationError("This risk summit is closed. Its record can no longer change.")


def _bump(summit: RiskSummit) -> None:
    RiskSummit.objects.filter(pk=summit.pk).update(revision=F("revision") + 1)


def _lock(summit: RiskSummit) -> RiskSummit:
    return RiskSummit.objects.select_for_update().get(pk=summit.pk)


def lead_user_ids(summit: RiskSummit) -> list[int]:
    return list(
        QSGRole.objects.filter(
            qsg_id=summit.qsg_id, role__in=[Role.SECRETARIAT, Role.CHAIR], user__is_active=True
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


# Proposals -------------------------------------------------------------------------------------


def propose_ring_holder(qsg: QSG, providers: list[Provider]) -> tuple[Organisation | None, str]:
    """The organisation the rules propose to hold the ring, and why (a sentence)."""
    lead = providers[0]
    rule = RingHolderRule.objects.filter(sector=lead.sector).first()
    members = Organisation.objects.filter(memberships__qsg=qsg, is_active=True).select_related(
        "type"
    )
    if rule is not None:
        for choice in rule.choices.select_related("organisation_type").order_by("preference"):
            match = members.filter(type=choice.organisation_type).order_by("name").first()
            if match is not None:
                return match, (
                    f"Proposed by the rule for {lead.get_sector_display().lower()} providers: "
                    f"{choice.organisation_type.label}."
                )
    if qsg.convening_organisation_id:
        reason = (
            f"No member of the QSG matches the rule for {lead.get_sector_display().lower()} "
            "providers, so NHS England's team for the area is proposed."
            if rule is not None
            else "NHS England's team for the area is proposed: there is no rule for this sector."
        )
        return qsg.convening_organisation, reason
    return None, "No ring-holder could be proposed: the QSG has no convening organisation."


def propose_participants(
    qsg: QSG, providers: list[Provider], triggering: Organisation | None
) -> list[tuple[Organisation, str]]:
    """Organisations relevant to the providers: who triggered it, the convening NHS England
    team, the QSG's core members, the providers' commissioners, the CQC and the local authority."""
    found: dict[int, tuple[Organisation, str]] = {}

    def add(org: Organisation | None, basis: str) -> None:
        if org is not None and org.is_active and org.pk not in found:
            found[org.pk] = (org, basis)

    add(triggering, Basis.TRIGGERED)
    add(qsg.convening_organisation, Basis.CONVENOR)
    memberships = Membership.objects.filter(qsg=qsg).select_related("organisation__type")
    for m in memberships:
        t = m.organisation.type
        if t.code == CQC_TYPE_CODE:
            add(m.organisation, Basis.REGULATOR)
        elif t.code == "local-authority":
            add(m.organisation, Basis.LOCAL_AUTHORITY)
    for provider in providers:
        for org in provider.commissioners.filter(is_active=True).order_by("name"):
            add(org, Basis.COMMISSIONER)
    for m in memberships.filter(kind=Membership.Kind.CORE).order_by("organisation__name"):
        add(m.organisation, Basis.CORE_MEMBER)
    return list(found.values())


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


# Triggering ------------------------------------------------------------------------------------


def _reference(summit: RiskSummit) -> str:
    return f"RS-{timezone.localtime(summit.triggered_at).year}-{summit.pk:04d}"


@transaction.atomic
def summit_trigger(
    *,
    actor,
    providers: Iterable[Provider],
    concern: str,
    source: str,
    urgency: str,
    judged_at: dt.datetime,
    source_detail: str = "",
    involves_adult_safeguarding: bool = False,
    involves_child_safeguarding: bool = False,
    clock_hours: int | None = None,
    form_token: str = "",
    referral: handoff.Referral | None = None,
    triggering_organisation: Organisation | None = None,
) -> RiskSummit:
    """Open a risk summit. From a referral, at most one summit ever results from it."""
    row, created = _claim(actor, "risk_summit_trigger", form_token)
    if not created:
        return _repeat(row, RiskSummit)
    providers = list(providers)
    if referral is not None:
        existing = _summit_for_referral(referral)
        if existing is not None:
            return existing
    if not providers:
        raise ValidationError({"providers": "Choose the provider the concern is about"})
    qsg_ids = {p.qsg_id for p in providers}
    if len(qsg_ids) > 1:
        raise ValidationError(
            {
                "providers": "Choose providers in the footprint of one local QSG. Trigger a "
                "separate summit for providers elsewhere."
            }
        )
    now = _now()
    if judged_at > now + CLOCK_SKEW:
        raise ValidationError({"judged_at": "The time of the judgement must be in the past"})
    if judged_at < now - dt.timedelta(days=90):
        raise ValidationError(
            {"judged_at": "The time of the judgement must be within the last 90 days"}
        )
    if clock_hours is None:
        clock_hours = URGENCY_HOURS.get(urgency, 48)
    concern = (concern or "").strip()
    if not concern:
        raise ValidationError({"concern": "Describe the concern"})
    screen_pid(
        {
            "concern": ("The concern", concern),
            "source_detail": ("The source reference", source_detail),
        }
    )
    qsg = QSG.objects.select_related("convening_organisation").get(pk=providers[0].qsg_id)
    if triggering_organisation is None:
        triggering_organisation = getattr(actor, "organisation", None) or qsg.convening_organisation
    if triggering_organisation is None:
        raise ValidationError("The summit needs an organisation that triggers it")
    summit = RiskSummit(
        reference=f"tmp-{uuid.uuid4().hex[:12]}",
        qsg=qsg,
        concern=concern,
        source=source,
        source_detail=source_detail.strip(),
        urgency=urgency,
        clock_hours=clock_hours,
        judged_at=judged_at,
        involves_adult_safeguarding=involves_adult_safeguarding,
        involves_child_safeguarding=involves_child_safeguarding,
        triggered_by=_actor(actor),
        triggering_organisation=triggering_organisation,
        triggered_at=now,
        ring_holder_window_hours=settings.RISK_SUMMIT_RING_HOLDER_HOURS,
    )
    if referral is not None:
        summit.origin = RiskSummit.Origin.MEETING
        summit.referral_id = referral.id
        summit.origin_meeting_id = referral.meeting_id
        summit.origin_label = referral.meeting_label[:300]
    summit.full_clean(exclude=["reference"])
    _stamp(summit, actor)
    try:
        with transaction.atomic():
            summit.save()
    except IntegrityError:
        if referral is not None:
            existing = _summit_for_referral(referral)
            if existing is not None:
                return existing
        raise
    summit.reference = _reference(summit)
    summit.save(update_fields=["reference"])
    summit.providers.set(providers)
    _remember(row, summit)

    if referral is not None and not handoff.claim_referral(
        referral_id=referral.id, reference=summit.reference
    ):
        raise ValidationError("Another risk summit has already picked up this referral")

    names = ", ".join(p.name for p in providers)
    how = (
        f"from {summit.origin_label}"
        if referral is not None
        else f"by {triggering_organisation.name}"
    )
    _event(summit, actor, "triggered", f"Risk summit triggered {how} about {names}", shared=True)

    for org, basis in propose_participants(qsg, providers, triggering_organisation):
        people = _named_people(qsg, org)
        if getattr(actor, "organisation_id", None) == org.pk and actor.pk not in people:
            people.append(actor.pk)
        _attach(summit, org, basis, actor=actor, people=people)
    _event(
        summit,
        actor,
        "participants_proposed",
        "Participants proposed from the provider's relationships: "
        + ", ".join(
            p.organisation.name for p in summit.participants.select_related("organisation")
        ),
    )

    holder, basis_text = propose_ring_holder(qsg, providers)
    if holder is not None:
        _attach(summit, holder, Basis.RING_HOLDER, actor=actor, people=_named_people(qsg, holder))
        summit.ring_holder = holder
        summit.ring_holder_status = RHS.PROPOSED
        summit.ring_holder_basis = basis_text
        summit.save(update_fields=["ring_holder", "ring_holder_status", "ring_holder_basis"])
        _event(
            summit,
            actor,
            "ring_holder_proposed",
            f"{holder.name} proposed to hold the ring. {basis_text}",
        )

    _notify_summit(
        summit,
        f"Risk summit {summit.reference} triggered: meet within {summit.clock_hours} hours",
        "A risk summit has been triggered and you are named as taking part. The relevant "
        f"members must first meet within {summit.clock_hours} hours of the judgement.\n"
        f"{_link('risksummits:detail', summit.pk)}",
        exclude=actor,
    )
    return summit


def _summit_for_referral(referral: handoff.Referral) -> RiskSummit | None:
    """The summit already holding this referral, or one open summit about the same provider from
    the same meeting (a re-agreed note gives a new referral for the same conclusion)."""
    summit = RiskSummit.objects.filter(referral_id=referral.id).first()
    if summit is not None:
        handoff.claim_referral(referral_id=referral.id, reference=summit.reference)
        return summit
    if referral.meeting_id is not None:
        summit = (
            RiskSummit.objects.filter(
                origin_meeting_id=referral.meeting_id,
                providers__id=referral.provider_id,
                status=RiskSummit.Status.OPEN,
            )
            .order_by("pk")
            .first()
        )
        if summit is not None:
            if handoff.claim_referral(referral_id=referral.id, reference=summit.reference):
                _event(
                    summit,
                    None,
                    "referral_merged",
                    "A later version of the meeting note repeated the conclusion; "
                    "it is part of this summit",
                )
            return summit
    return None


def referrals_pick_up(*, qsg_ids: Iterable[int] | None = None) -> int:
    """Open a summit for each pending referral (beat task and pages). Safe to run at once twice."""
    made = 0
    for referral in handoff.pending_referrals(qsg_ids=qsg_ids):
        provider = Provider.objects.filter(pk=referral.provider_id).first()
        if provider is None:
            continue
        try:
            summit_trigger(
                actor=None,
                providers=[provider],
                concern=referral.rationale
                or "A QSG meeting concluded that a risk summit is required.",
                source=RiskSummit.Source.QSG_INTELLIGENCE,
                source_detail=referral.meeting_label[:200],
                urgency=RiskSummit.Urgency.URGENT,
                judged_at=min(referral.created_at, _now()),
                referral=referral,
            )
        except ValidationError as error:
            log.warning("referral %s not picked up: %s", referral.id, error)
            continue
        made += 1
    return made


# Changing the summit ------------------------------------------------------------------------------

SUMMIT_EDITABLE = {
    "concern",
    "source",
    "source_detail",
    "urgency",
    "clock_hours",
    "involves_adult_safeguarding",
    "involves_child_safeguarding",
    "ring_holder_window_hours",
}


@transaction.atomic
def summit_update(*, actor, summit: RiskSummit, **changes) -> RiskSummit:
    unknown = set(changes) - SUMMIT_EDITABLE
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}")
    summit = _lock(summit)
    _require_open(summit)
    screen_pid(
        {
            "concern": ("The concern", changes.get("concern", "")),
            "source_detail": ("The source reference", changes.get("source_detail", "")),
        }
    )
    changed = [k for k, v in changes.items() if getattr(summit, k) != v]
    for key in changed:
        setattr(summit, key, changes[key])
    summit.full_clean()
    if changed:
        _stamp(summit, actor)
        summit.save(update_fields=changed)
        _bump(summit)
        labels = [str(RiskSummit._meta.get_field(k).verbose_name) for k in changed]
        _event(summit, actor, "updated", "Summit details changed: " + ", ".join(labels))
    return summit


# Participants -------------------------------------------------------------------------------------


@transaction.atomic
def participant_add(
    *,
    actor,
    summit: RiskSummit,
    organisation: Organisation,
    basis: str = Basis.MEMBER,
    shared_items_only: bool = False,
    people: Iterable[User] = (),
    form_token: str = "",
) -> Participant:
    row, created = _claim(actor, f"risk_summit_participant:{summit.pk}", form_token)
    if not created:
        return _repeat(row, Participant)
    summit = _lock(summit)
    _require_open(summit)
    if Participant.objects.filter(
        summit=summit, organisation=organisation, is_active=True
    ).exists():
        raise ValidationError({"organisation": f"{organisation.name} already takes part"})
    people = list(people)
    for person in people:
        if person.organisation_id != organisation.pk:
            raise ValidationError(
                {"people": f"{person.display_name} does not work for {organisation.name}"}
            )
    participant = _attach(
        summit,
        organisation,
        basis,
        actor=actor,
        shared_items_only=shared_items_only,
        people=[p.pk for p in people],
    )
    _remember(row, participant)
    kind = "as a guest" if participant.is_guest else "from the QSG"
    limited = ", limited to what is shared with the provider" if shared_items_only else ""
    _event(summit, actor, "participant_added", f"{organisation.name} added {kind}{limited}")
    _bump(summit)
    _notify(
        [p.pk for p in people],
        f"You have been added to risk summit {summit.reference}",
        f"You have been added to a risk summit.\n{_link('risksummits:detail', summit.pk)}",
        exclude=actor,
    )
    return participant


@transaction.atomic
def participant_remove(*, actor, participant: Participant) -> None:
    summit = _lock(participant.summit)
    _require_open(summit)
    if summit.ring_holder_id == participant.organisation_id and summit.ring_holder_status in (
        RHS.AGREED,
        RHS.DEFAULTED,
    ):
        raise ValidationError(
            f"{participant.organisation.name} holds the ring and cannot be removed. "
            "Agree another ring-holder first."
        )
    participant.is_active = False
    _stamp(participant, actor)
    participant.save(update_fields=["is_active"])
    _event(summit, actor, "participant_removed", f"{participant.organisation.name} removed")
    _bump(summit)
    _reconsider_ring_holder(summit, actor)


@transaction.atomic
def representative_add(*, actor, participant: Participant, user: User) -> Representative:
    summit = _lock(participant.summit)
    _require_open(summit)
    if user.organisation_id != participant.organisation_id:
        raise ValidationError(
            {"user": f"{user.display_name} does not work for {participant.organisation.name}"}
        )
    if not user.is_active:
        raise ValidationError({"user": "This account is inactive"})
    _link_person(summit, participant, user.pk, actor=actor)
    _event(
        summit,
        actor,
        "person_added",
        f"{user.display_name} takes part for {participant.organisation.name}",
    )
    _notify(
        [user.pk],
        f"You have been added to risk summit {summit.reference}",
        f"You have been added to a risk summit.\n{_link('risksummits:detail', summit.pk)}",
        exclude=actor,
    )
    return Representative.objects.get(summit=summit, user=user)


@transaction.atomic
def representative_remove(*, actor, representative: Representative) -> None:
    summit = _lock(representative.summit)
    _require_open(summit)
    name = representative.user.display_name
    _stamp(representative, actor)
    representative.delete()
    _event(summit, actor, "person_removed", f"{name} no longer takes part")


@transaction.atomic
def guest_invite(
    *,
    actor,
    summit: RiskSummit,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    first_name: str,
    last_name: str,
    email: str,
    job_title: str = "",
    shared_items_only: bool = False,
    is_provider: bool = False,
    form_token: str = "",
) -> Representative:
    """Invite a person from outside the QSG's membership. They get an account that sees this
    summit only, and an e-mail with a link to set their password."""
    row, created = _claim(actor, f"risk_summit_guest:{summit.pk}", form_token)
    if not created:
        return _repeat(row, Representative)
    summit = _lock(summit)
    _require_open(summit)
    email = email.strip().lower()
    if organisation is None:
        organisation_name = organisation_name.strip()
        if not organisation_name:
            raise ValidationError(
                {"organisation_name": "Choose the guest's organisation or enter its name"}
            )
        organisation = Organisation.objects.filter(name__iexact=organisation_name).first()
        if organisation is None:
            organisation = qsg_services.organisation_create(
                actor=actor,
                name=organisation_name,
                type=OrganisationType.objects.get(code="other"),
            )
    user = User.objects.filter(email__iexact=email).first()
    new_account = user is None
    if user is not None:
        if user.organisation_id != organisation.pk:
            raise ValidationError(
                {"email": "Someone with this email address already works for another organisation"}
            )
        if not user.is_active:
            raise ValidationError({"email": "The account with this email address is inactive"})
    else:
        username = _guest_username(email)
        user = qsg_services.user_create(
            actor=actor,
            username=username,
            organisation=organisation,
            password=None,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            job_title=job_title.strip(),
        )
    basis = Basis.PROVIDER if is_provider else Basis.INVITED
    participant = Participant.objects.filter(summit=summit, organisation=organisation).first()
    if participant is None or not participant.is_active:
        participant = _attach(
            summit, organisation, basis, actor=actor, shared_items_only=shared_items_only
        )
    if Representative.objects.filter(summit=summit, user=user).exists():
        raise ValidationError({"email": f"{user.display_name} already takes part in this summit"})
    _link_person(summit, participant, user.pk, actor=actor)
    rep = Representative.objects.get(summit=summit, user=user)
    _remember(row, rep)
    _event(
        summit,
        actor,
        "guest_invited",
        f"{user.display_name} of {organisation.name} invited as a guest"
        + (" (shared items only)" if participant.shared_items_only else ""),
    )
    _bump(summit)
    if new_account:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = settings.QSG_SITE_URL.rstrip("/") + reverse(
            "qsg:password-reset-confirm", args=[uid, token]
        )
        body = (
            "You have been invited to take part in a risk summit in the QSG workspace.\n"
            f"Your username is {user.username}. Set your password here:\n{link}\n"
            f"Then open the summit: {_link('risksummits:detail', summit.pk)}"
        )
    else:
        body = f"You have been invited to a risk summit.\n{_link('risksummits:detail', summit.pk)}"
    _notify([user.pk], f"Invitation to risk summit {summit.reference}", body)
    return rep


def _guest_username(email: str) -> str:
    base = email.split("@")[0][:100] or "guest"
    candidate = f"guest.{base}"
    n = 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"guest.{base}{n}"
    return candidate


# Ring-holder ----------------------------------------------------------------------------------------


def _voters(summit: RiskSummit):
    """Organisations from the QSG whose named people take part: their agreement settles it."""
    return Participant.objects.filter(
        summit=summit,
        is_active=True,
        is_guest=False,
        shared_items_only=False,
        representatives__isnull=False,
    ).distinct()


def _reconsider_ring_holder(summit: RiskSummit, actor) -> None:
    if summit.ring_holder_status != RHS.PROPOSED:
        return
    voters = _voters(summit)
    if voters.exists() and not voters.exclude(ring_holder_position="agree").exists():
        summit.ring_holder_status = RHS.AGREED
        summit.ring_holder_decided_at = _now()
        summit.save(update_fields=["ring_holder_status", "ring_holder_decided_at"])
        _event(
            summit,
            actor,
            "ring_holder_agreed",
            f"Every participant agreed that {summit.ring_holder.name} holds the ring",
            shared=True,
        )
        _bump(summit)


@transaction.atomic
def ring_holder_propose(
    *, actor, standing: SummitAccess, organisation: Organisation, reason: str
) -> RiskSummit:
    summit = _lock(standing.summit)
    _require_open(summit)
    if not (standing.can_take_position or standing.leads):
        raise ValidationError("Only participants from the QSG propose a ring-holder")
    if summit.ring_holder_status in (RHS.AGREED, RHS.DEFAULTED):
        raise ValidationError("The ring-holder has been settled")
    if not reason.strip():
        raise ValidationError({"reason": "Say why this organisation should hold the ring"})
    screen_pid({"reason": ("The reason", reason)})
    participant = Participant.objects.filter(
        summit=summit, organisation=organisation, is_active=True
    ).first()
    if participant is None or participant.is_guest or participant.shared_items_only:
        raise ValidationError(
            {"organisation": "Choose an organisation from the QSG that takes part in the summit"}
        )
    summit.ring_holder = organisation
    summit.ring_holder_status = RHS.PROPOSED
    summit.ring_holder_basis = f"Proposed by {actor.display_name}: {reason.strip()}"[:300]
    _stamp(summit, actor)
    summit.save(update_fields=["ring_holder", "ring_holder_status", "ring_holder_basis"])
    Participant.objects.filter(summit=summit).update(
        ring_holder_position="", ring_holder_comment=""
    )
    if standing.participant is not None:
        Participant.objects.filter(pk=standing.participant.pk).update(ring_holder_position="agree")
    _event(summit, actor, "ring_holder_proposed", f"{organisation.name} proposed to hold the ring")
    _bump(summit)
    _reconsider_ring_holder(summit, actor)
    return summit


@transaction.atomic
def ring_holder_position(
    *, actor, standing: SummitAccess, position: str, comment: str = ""
) -> Participant:
    summit = _lock(standing.summit)
    _require_open(summit)
    if not standing.can_take_position:
        raise ValidationError("Only participants from the QSG state a position on the ring-holder")
    if summit.ring_holder_status != RHS.PROPOSED:
        raise ValidationError("There is no proposal waiting for agreement")
    if position not in {"agree", "object"}:
        raise ValidationError({"position": "Say whether your organisation agrees"})
    if position == "object" and not comment.strip():
        raise ValidationError({"comment": "Say why your organisation objects"})
    screen_pid({"comment": ("The comment", comment)})
    participant = Participant.objects.select_for_update().get(pk=standing.participant.pk)
    participant.ring_holder_position = position
    participant.ring_holder_comment = comment.strip()[:300]
    _stamp(participant, actor)
    participant.save(update_fields=["ring_holder_position", "ring_holder_comment"])
    verb = "agrees" if position == "agree" else "objects"
    _event(
        summit,
        actor,
        "ring_holder_position",
        f"{participant.organisation.name} {verb} that {summit.ring_holder.name} holds the ring",
    )
    _reconsider_ring_holder(summit, actor)
    return participant


@transaction.atomic
def ring_holder_confirm(*, actor, summit: RiskSummit, note: str) -> RiskSummit:
    """The chair or secretariat records that the participants agreed (e.g. on a call)."""
    summit = _lock(summit)
    _require_open(summit)
    if summit.ring_holder_status != RHS.PROPOSED or summit.ring_holder_id is None:
        raise ValidationError("There is no proposal waiting for agreement")
    if not note.strip():
        raise ValidationError({"note": "Say how and when the participants agreed"})
    screen_pid({"note": ("The note", note)})
    summit.ring_holder_status = RHS.AGREED
    summit.ring_holder_decided_at = _now()
    summit.ring_holder_basis = f"Agreement recorded by {actor.display_name}: {note.strip()}"[:300]
    _stamp(summit, actor)
    summit.save(update_fields=["ring_holder_status", "ring_holder_decided_at", "ring_holder_basis"])
    _event(
        summit,
        actor,
        "ring_holder_agreed",
        f"The participants agreed that {summit.ring_holder.name} holds the ring",
        shared=True,
    )
    _bump(summit)
    return summit


def ring_holder_apply_default(*, summit_id: int, now: dt.datetime | None = None) -> bool:
    """If the agreement window has passed, NHS England's team for the area (the QSG's convening
    organisation) holds the ring, and the record says so. Idempotent: a conditional update."""
    now = now or _now()
    with transaction.atomic():
        summit = (
            RiskSummit.objects.select_for_update(of=("self",))
            .select_related("qsg__convening_organisation")
            .filter(
                pk=summit_id,
                status=RiskSummit.Status.OPEN,
                ring_holder_status__in=[RHS.NONE, RHS.PROPOSED],
            )
            .first()
        )
        if summit is None or now < summit.ring_holder_due:
            return False
        default = summit.qsg.convening_organisation
        if default is None:
            return False
        hours = summit.ring_holder_window_hours
        summit.ring_holder = default
        summit.ring_holder_status = RHS.DEFAULTED
        summit.ring_holder_decided_at = now
        summit.ring_holder_basis = (
            f"No ring-holder was agreed within {hours} hours of the trigger, so {default.name} "
            "holds the ring by default (National Quality Board guidance)."
        )
        summit.save(
            update_fields=[
                "ring_holder",
                "ring_holder_status",
                "ring_holder_decided_at",
                "ring_holder_basis",
            ]
        )
        _attach(
            summit,
            default,
            Basis.RING_HOLDER,
            actor=None,
            people=_named_people(summit.qsg, default),
        )
        _event(summit, None, "ring_holder_defaulted", summit.ring_holder_basis, shared=True)
        _bump(summit)
        try:
            with transaction.atomic():
                SentAlert.objects.create(
                    summit=summit,
                    kind=SentAlert.Kind.RING_HOLDER_DEFAULT,
                    key=f"ring_holder_default:{summit.pk}",
                )
        except IntegrityError:
            return True
        _notify_summit(
            summit,
            f"Risk summit {summit.reference}: NHS England holds the ring by default",
            f"No ring-holder was agreed within {hours} hours, so {default.name} holds the ring.\n"
            f"{_link('risksummits:detail', summit.pk)}",
        )
    return True


def ring_holder_defaults_apply(*, now: dt.datetime | None = None) -> int:
    now = now or _now()
    due = RiskSummit.objects.filter(
        status=RiskSummit.Status.OPEN, ring_holder_status__in=[RHS.NONE, RHS.PROPOSED]
    ).values_list("pk", "triggered_at", "ring_holder_window_hours")
    applied = 0
    for pk, triggered_at, hours in due:
        if now >= triggered_at + dt.timedelta(hours=hours) and ring_holder_apply_default(
            summit_id=pk, now=now
        ):
            applied += 1
    return applied


# Records: judgement, checks, impact assessments ---------------------------------------------------


@transaction.atomic
def judgement_record(
    *,
    actor,
    standing: SummitAccess,
    finding: str,
    judged_on: dt.date,
    rationale: str,
    form_token: str = "",
) -> CQCJudgement:
    row, created = _claim(actor, f"risk_summit_judgement:{standing.summit.pk}", form_token)
    if not created:
        return _repeat(row, CQCJudgement)
    summit = _lock(standing.summit)
    _require_open(summit)
    if not standing.is_cqc:
        raise ValidationError("Only the Care Quality Commission records its regulatory judgement")
    if judged_on > _today():
        raise ValidationError(
            {"judged_on": "The date of the judgement must be today or in the past"}
        )
    if judged_on < timezone.localtime(summit.judged_at).date() - dt.timedelta(days=90):
        raise ValidationError(
            {"judged_on": "The date of the judgement must be close to the summit's trigger"}
        )
    screen_pid({"rationale": ("The rationale", rationale)})
    judgement = CQCJudgement(
        summit=summit,
        finding=finding,
        judged_on=judged_on,
        rationale=rationale.strip(),
        recorded_by=actor,
        organisation_id=standing.participant.organisation_id,
    )
    judgement.full_clean()
    _stamp(judgement, actor)
    judgement.save()
    _remember(row, judgement)
    _event(
        summit,
        actor,
        "cqc_judgement",
        f"The CQC recorded its regulatory judgement: {judgement.get_finding_display().lower()}",
    )
    _bump(summit)
    _notify_summit(
        summit,
        f"Risk summit {summit.reference}: the CQC's regulatory judgement",
        f"The CQC has recorded its regulatory judgement.\n{_link('risksummits:detail', summit.pk)}",
        exclude=actor,
    )
    return judgement


CHECK_FIELDS = (
    "professional_referral",
    "professional_regulator",
    "professional_referral_on",
    "adult_safeguarding_followed",
    "adult_safeguarding_reason",
    "lscb_notified",
    "lscb_notified_on",
    "lscb_reason",
)


@transaction.atomic
def checks_record(*, actor, summit: RiskSummit, **values) -> RiskSummit:
    """Professional standards referral, adult safeguarding protocol and LSCB notification."""
    unknown = set(values) - set(CHECK_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    summit = _lock(summit)
    _require_open(summit)
    v = {k: values.get(k, getattr(summit, k)) for k in CHECK_FIELDS}
    for key in ("professional_regulator", "adult_safeguarding_reason", "lscb_reason"):
        v[key] = (v[key] or "").strip()
    errors: dict[str, str] = {}
    today = _today()
    A = RiskSummit.Answer
    if v["professional_referral"] == RiskSummit.ProfessionalReferral.MADE:
        if not v["professional_regulator"]:
            errors["professional_regulator"] = "Choose the regulator the referral was made to"
        if not v["professional_referral_on"]:
            errors["professional_referral_on"] = "Enter the date the referral was made"
    else:
        v["professional_regulator"] = ""
        v["professional_referral_on"] = None
    if v["professional_referral_on"] and v["professional_referral_on"] > today:
        errors["professional_referral_on"] = "The date of the referral must be today or in the past"
    if v["adult_safeguarding_followed"] in (A.NO, A.NOT_APPLICABLE):
        if not v["adult_safeguarding_reason"]:
            errors["adult_safeguarding_reason"] = (
                "Say why the adult safeguarding protocol was not followed"
                if v["adult_safeguarding_followed"] == A.NO
                else "Say why the adult safeguarding protocol does not apply"
            )
    elif v["adult_safeguarding_followed"] == A.YES:
        v["adult_safeguarding_reason"] = ""
    if summit.involves_adult_safeguarding and v["adult_safeguarding_followed"] == A.NOT_APPLICABLE:
        errors["adult_safeguarding_followed"] = (
            "The concern involves adult safeguarding, so the protocol applies"
        )
    if v["lscb_notified"] == A.YES:
        if not v["lscb_notified_on"]:
            errors["lscb_notified_on"] = "Enter the date the LSCB was notified"
        v["lscb_reason"] = ""
    else:
        v["lscb_notified_on"] = None
        if v["lscb_notified"] in (A.NO, A.NOT_APPLICABLE) and not v["lscb_reason"]:
            errors["lscb_reason"] = (
                "Say why the LSCB has not been notified"
                if v["lscb_notified"] == A.NO
                else "Say why notifying the LSCB does not apply"
            )
    if summit.involves_child_safeguarding and v["lscb_notified"] == A.NOT_APPLICABLE:
        errors["lscb_notified"] = (
            "The concern involves child safeguarding, so the LSCB must be notified"
        )
    if v["lscb_notified_on"] and v["lscb_notified_on"] > today:
        errors["lscb_notified_on"] = "The date of notification must be today or in the past"
    if errors:
        raise ValidationError(errors)
    screen_pid(
        {
            "adult_safeguarding_reason": ("The reason", v["adult_safeguarding_reason"]),
            "lscb_reason": ("The reason", v["lscb_reason"]),
        }
    )
    changed = [k for k in CHECK_FIELDS if getattr(summit, k) != v[k]]
    for key in changed:
        setattr(summit, key, v[key])
    summit.full_clean()
    if changed:
        _stamp(summit, actor)
        summit.save(update_fields=changed)
        _bump(summit)
        _event(summit, actor, "checks", "Referral and safeguarding checks recorded")
    return summit


@transaction.atomic
def impact_request_create(
    *,
    actor,
    standing: SummitAccess,
    action_considered: str,
    respond_by: dt.datetime,
    form_token: str = "",
) -> ImpactAssessmentRequest:
    row, created = _claim(actor, f"risk_summit_impact:{standing.summit.pk}", form_token)
    if not created:
        return _repeat(row, ImpactAssessmentRequest)
    summit = _lock(standing.summit)
    _require_open(summit)
    if not standing.is_cqc:
        raise ValidationError("Only the Care Quality Commission asks for a rapid impact assessment")
    if respond_by <= _now():
        raise ValidationError({"respond_by": "The time to respond by must be in the future"})
    if not action_considered.strip():
        raise ValidationError({"action_considered": "Describe the action the CQC is considering"})
    screen_pid({"action_considered": ("The action considered", action_considered)})
    request = ImpactAssessmentRequest(
        summit=summit,
        action_considered=action_considered.strip(),
        respond_by=respond_by,
        requested_by=actor,
        organisation_id=standing.participant.organisation_id,
    )
    request.full_clean()
    _stamp(request, actor)
    request.save()
    _remember(row, request)
    _event(summit, actor, "impact_requested", "The CQC asked members for a rapid impact assessment")
    _bump(summit)
    others = list(
        Representative.objects.filter(
            summit=summit, participant__is_active=True, participant__shared_items_only=False
        )
        .exclude(participant__organisation_id=standing.participant.organisation_id)
        .values_list("user_id", flat=True)
    )
    _notify(
        others,
        f"Risk summit {summit.reference}: rapid impact assessment requested",
        "The CQC asks your organisation for a rapid impact assessment by "
        f"{timezone.localtime(respond_by):%-d %B %Y at %H:%M}.\n"
        f"{_link('risksummits:impact-respond', summit.pk, request.pk)}",
        exclude=actor,
    )
    return request


@transaction.atomic
def impact_response_record(
    *,
    actor,
    standing: SummitAccess,
    request: ImpactAssessmentRequest,
    impact: str,
    assessment: str,
) -> ImpactAssessmentResponse:
    summit = _lock(standing.summit)
    _require_open(summit)
    if not standing.can_answer_impact:
        raise ValidationError("Only the other participants answer the CQC's request")
    screen_pid({"assessment": ("The assessment", assessment)})
    response = ImpactAssessmentResponse.objects.filter(
        request=request, organisation_id=standing.participant.organisation_id
    ).first()
    if response is None:
        response = ImpactAssessmentResponse(
            request=request, organisation_id=standing.participant.organisation_id
        )
    response.impact = impact
    response.assessment = assessment.strip()
    response.responded_by = actor
    response.full_clean()
    _stamp(response, actor)
    response.save()
    _event(
        summit,
        actor,
        "impact_answered",
        f"{standing.participant.organisation.name} answered the rapid impact assessment",
    )
    _bump(summit)
    return response


# Meetings -------------------------------------------------------------------------------------------


def _check_meeting_start(
    summit: RiskSummit, starts_at: dt.datetime, field: str = "starts_at"
) -> None:
    if starts_at < summit.judged_at:
        when = timezone.localtime(summit.judged_at)
        raise ValidationError(
            {
                field: "The meeting cannot start before the judgement that started the clock "
                f"({when:%-d %B %Y at %H:%M})"
            }
        )


@transaction.atomic
def meeting_book(
    *,
    actor,
    summit: RiskSummit,
    starts_at: dt.datetime,
    format: str,
    venue: str = "",
    shared_with_provider: bool = False,
    form_token: str = "",
) -> SummitMeeting:
    row, created = _claim(actor, f"risk_summit_meeting:{summit.pk}", form_token)
    if not created:
        return _repeat(row, SummitMeeting)
    summit = _lock(summit)
    _require_open(summit)
    _check_meeting_start(summit, starts_at)
    if starts_at > _now() + dt.timedelta(days=365):
        raise ValidationError({"starts_at": "The meeting must be within the next year"})
    number = (SummitMeeting.objects.filter(summit=summit).aggregate(n=Max("number"))["n"] or 0) + 1
    meeting = SummitMeeting(
        summit=summit,
        number=number,
        starts_at=starts_at,
        format=format,
        venue=venue.strip(),
        shared_with_provider=shared_with_provider,
        created_by=_actor(actor),
    )
    meeting.full_clean()
    _stamp(meeting, actor)
    meeting.save()
    _remember(row, meeting)
    when = timezone.localtime(starts_at)
    late = ""
    if number == 1 and starts_at > summit.first_meeting_due:
        late = " (after the clock's deadline)"
    _event(
        summit,
        actor,
        "meeting_booked",
        f"{meeting.title} booked for {when:%-d %B %Y at %H:%M}{late}",
        shared=shared_with_provider,
    )
    _bump(summit)
    _notify_summit(
        summit,
        f"Risk summit {summit.reference}: {meeting.title.lower()} on {when:%-d %B %Y at %H:%M}",
        f"A risk summit meeting has been booked.\n{_link('risksummits:meeting', summit.pk, meeting.pk)}",
        exclude=actor,
    )
    return meeting


@transaction.atomic
def meeting_record(
    *,
    actor,
    meeting: SummitMeeting,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    chaired_by: str,
    discussion: str,
    judgements: str,
    present: Iterable[User],
    shared_with_provider: bool,
) -> SummitMeeting:
    """Record a meeting as held: when, who was there, the discussion and the judgements."""
    summit = _lock(meeting.summit)
    _require_open(summit)
    meeting = SummitMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == SummitMeeting.Status.CANCELLED:
        raise ValidationError("This meeting was cancelled")
    _check_meeting_start(summit, starts_at)
    if starts_at > _now() + CLOCK_SKEW:
        raise ValidationError({"starts_at": "A meeting is recorded as held once it has started"})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The meeting must end after it starts"})
    if ends_at - starts_at > dt.timedelta(hours=12):
        raise ValidationError({"ends_at": "A meeting lasts at most 12 hours"})
    present = list(present)
    if not present:
        raise ValidationError({"present": "Choose who attended"})
    screen_pid(
        {
            "discussion": ("The discussion", discussion),
            "judgements": ("The judgements", judgements),
            "chaired_by": ("The chair", chaired_by),
        }
    )
    linked = dict(
        Representative.objects.filter(summit=summit, participant__is_active=True).values_list(
            "user_id", "participant__organisation_id"
        )
    )
    for person in present:
        if person.pk not in linked:
            raise ValidationError({"present": f"{person.display_name} does not take part"})
    was_held = meeting.status == SummitMeeting.Status.HELD
    meeting.starts_at = starts_at
    meeting.ends_at = ends_at
    meeting.chaired_by = chaired_by.strip()
    meeting.discussion = discussion.strip()
    meeting.judgements = judgements.strip()
    meeting.shared_with_provider = shared_with_provider
    meeting.status = SummitMeeting.Status.HELD
    meeting.held_recorded_at = meeting.held_recorded_at or _now()
    meeting.revision = meeting.revision + (1 if was_held else 0)
    meeting.full_clean()
    _stamp(meeting, actor)
    meeting.save()
    Attendance.objects.filter(meeting=meeting).delete()
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, user=person, organisation_id=linked[person.pk], present=True)
        for person in present
    )
    when = timezone.localtime(starts_at)
    verb = "record updated" if was_held else "held"
    _event(
        summit,
        actor,
        "meeting_held",
        f"{meeting.title} {verb} ({when:%-d %B %Y at %H:%M}, {len(present)} present)",
        shared=shared_with_provider,
    )
    _bump(summit)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: SummitMeeting, reason: str) -> SummitMeeting:
    summit = _lock(meeting.summit)
    _require_open(summit)
    if meeting.status != SummitMeeting.Status.BOOKED:
        raise ValidationError("Only a booked meeting can be cancelled")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the meeting is cancelled"})
    screen_pid({"reason": ("The reason", reason)})
    meeting.status = SummitMeeting.Status.CANCELLED
    _stamp(meeting, actor)
    meeting.save(update_fields=["status"])
    _event(summit, actor, "meeting_cancelled", f"{meeting.title} cancelled: {reason.strip()}"[:500])
    _bump(summit)
    return meeting


# Actions --------------------------------------------------------------------------------------------


def _check_owner(summit: RiskSummit, owner_organisation: Organisation, owner: User | None) -> None:
    if not Participant.objects.filter(
        summit=summit, organisation=owner_organisation, is_active=True
    ).exists():
        raise ValidationError(
            {"owner_organisation": "Choose an organisation that takes part in the summit"}
        )
    if owner is not None and owner.organisation_id != owner_organisation.pk:
        raise ValidationError(
            {"owner": f"{owner.display_name} does not work for {owner_organisation.name}"}
        )


@transaction.atomic
def action_create(
    *,
    actor,
    summit: RiskSummit,
    objective: str,
    description: str,
    owner_organisation: Organisation,
    due_on: dt.date,
    owner: User | None = None,
    meeting: SummitMeeting | None = None,
    shared_with_provider: bool = False,
    form_token: str = "",
) -> SummitAction:
    row, created = _claim(actor, f"risk_summit_action:{summit.pk}", form_token)
    if not created:
        return _repeat(row, SummitAction)
    summit = _lock(summit)
    _require_open(summit)
    _check_owner(summit, owner_organisation, owner)
    if meeting is not None and meeting.summit_id != summit.pk:
        raise ValidationError({"meeting": "Choose a meeting of this summit"})
    if due_on < timezone.localtime(summit.triggered_at).date():
        raise ValidationError({"due_on": "The due date cannot be before the summit was triggered"})
    if due_on > _today() + dt.timedelta(days=730):
        raise ValidationError({"due_on": "The due date must be within two years"})
    screen_pid({"description": ("The action", description)})
    number = (SummitAction.objects.filter(summit=summit).aggregate(n=Max("number"))["n"] or 0) + 1
    action = SummitAction(
        summit=summit,
        meeting=meeting,
        number=number,
        objective=objective,
        description=description.strip(),
        owner_organisation=owner_organisation,
        owner=owner,
        due_on=due_on,
        shared_with_provider=shared_with_provider,
        created_by=_actor(actor),
    )
    action.full_clean()
    _stamp(action, actor)
    action.save()
    _remember(row, action)
    _event(
        summit,
        actor,
        "action_added",
        f"Action {number} ({action.get_objective_display().lower()}) for "
        f"{owner_organisation.name}, due {due_on:%-d %B %Y}",
        shared=shared_with_provider,
    )
    _bump(summit)
    recipients = (
        [owner.pk] if owner else participant_user_ids(summit, organisation_id=owner_organisation.pk)
    )
    _notify(
        recipients,
        f"Risk summit {summit.reference}: action {number} for you, due {due_on:%-d %B %Y}",
        f"An action from a risk summit is yours.\n{_link('risksummits:action', summit.pk, action.pk)}",
        exclude=actor,
    )
    return action


def can_update_action(standing: SummitAccess, action: SummitAction) -> bool:
    return standing.can_manage or (
        standing.participant is not None
        and not standing.shared_only
        and standing.participant.organisation_id == action.owner_organisation_id
    )


@transaction.atomic
def action_update(
    *,
    actor,
    standing: SummitAccess,
    action: SummitAction,
    status: str,
    progress_note: str = "",
    transferred_to: str = "",
    due_on: dt.date | None = None,
) -> SummitAction:
    summit = _lock(standing.summit)
    _require_open(summit)
    if not can_update_action(standing, action):
        raise ValidationError("Only the action's owner or the ring-holder updates it")
    action = SummitAction.objects.select_for_update().get(pk=action.pk)
    transferred_to = transferred_to.strip()
    if status == SummitAction.Status.TRANSFERRED and not transferred_to:
        raise ValidationError({"transferred_to": "Say where the action has been transferred to"})
    if due_on is not None and due_on < timezone.localtime(summit.triggered_at).date():
        raise ValidationError({"due_on": "The due date cannot be before the summit was triggered"})
    screen_pid(
        {
            "progress_note": ("The progress note", progress_note),
            "transferred_to": ("Where it was transferred", transferred_to),
        }
    )
    before = action.get_status_display()
    action.status = status
    action.progress_note = progress_note.strip()
    action.transferred_to = transferred_to if status == SummitAction.Status.TRANSFERRED else ""
    if due_on is not None and standing.can_manage:
        action.due_on = due_on
    action.closed_at = None if action.is_open else (action.closed_at or _now())
    action.full_clean()
    _stamp(action, actor)
    action.save()
    if before != action.get_status_display():
        _event(
            summit,
            actor,
            "action_updated",
            f"Action {action.number}: {before} → {action.get_status_display()}",
            shared=action.shared_with_provider,
        )
    _bump(summit)
    return action


# Closure --------------------------------------------------------------------------------------------


def closure_problems(summit: RiskSummit) -> dict[str, list[str]]:
    """Everything that stops the summit closing, by form field ('__all__' for the rest)."""
    problems: dict[str, list[str]] = {}

    def add(key: str, text: str) -> None:
        problems.setdefault(key, []).append(text)

    open_actions = SummitAction.objects.filter(
        summit=summit, status__in=SummitAction.OPEN_STATUSES
    ).order_by("number")
    if open_actions:
        numbers = ", ".join(str(a.number) for a in open_actions)
        add("__all__", f"Close or transfer every action first (still open: {numbers})")
    if summit.involves_child_safeguarding and not summit.lscb_notified:
        add(
            "__all__",
            "The concern involves child safeguarding: record whether the Local Safeguarding "
            "Children Board was notified",
        )
    if summit.involves_adult_safeguarding and not summit.adult_safeguarding_followed:
        add(
            "__all__",
            "The concern involves adult safeguarding: record whether the adult safeguarding "
            "protocol was followed",
        )
    if not summit.professional_referral:
        add("__all__", "Record whether a referral to a professional regulator was considered")
    if not CQCJudgement.objects.filter(summit=summit).exists():
        add("__all__", "The CQC's regulatory judgement has not been recorded")
    if not SummitMeeting.objects.filter(summit=summit, status=SummitMeeting.Status.HELD).exists():
        add("__all__", "No summit meeting has been recorded as held")
    if summit.ring_holder_status not in (RHS.AGREED, RHS.DEFAULTED):
        add("__all__", "The ring-holder has not been agreed")
    return problems


@transaction.atomic
def summit_close(
    *, actor, summit: RiskSummit, outcome: str, outcome_summary: str, level_after: str
) -> RiskSummit:
    summit = _lock(summit)
    _require_open(summit)
    errors: dict[str, list[str]] = dict(closure_problems(summit))
    if not outcome:
        errors.setdefault("outcome", []).append("Choose the outcome")
    if not outcome_summary.strip():
        errors.setdefault("outcome_summary", []).append("Summarise the outcome")
    if not level_after:
        errors.setdefault("level_after", []).append(
            "Choose the provider's level of surveillance after the summit"
        )
    if errors:
        raise ValidationError(errors)
    screen_pid({"outcome_summary": ("The summary", outcome_summary)})
    now = _now()
    summit.status = RiskSummit.Status.CLOSED
    summit.closed_at = now
    summit.closed_by = actor
    summit.outcome = outcome
    summit.outcome_summary = outcome_summary.strip()
    summit.level_after = level_after
    summit.full_clean()
    _stamp(summit, actor)
    summit.save(
        update_fields=[
            "status",
            "closed_at",
            "closed_by",
            "outcome",
            "outcome_summary",
            "level_after",
        ]
    )
    recorded = [
        handoff.record_level_after(
            provider_id=provider_id,
            qsg_id=summit.qsg_id,
            level_code=level_after,
            decided_on=timezone.localtime(now).date(),
            rationale=f"Risk summit {summit.reference} closed: {summit.get_outcome_display()}",
            reference=summit.reference,
        )
        for provider_id in summit.providers.values_list("pk", flat=True)
    ]
    if recorded and all(recorded):
        RiskSummit.objects.filter(pk=summit.pk).update(level_recorded=True)
    _event(
        summit,
        actor,
        "closed",
        f"Summit closed: {summit.get_outcome_display()}. Level afterwards: "
        f"{summit.get_level_after_display().lower()}",
        shared=True,
    )
    _bump(summit)
    _notify_summit(
        summit,
        f"Risk summit {summit.reference} closed",
        f"The risk summit has been closed.\n{_link('risksummits:detail', summit.pk)}",
        exclude=actor,
    )
    return summit


# Audit of reads ---------------------------------------------------------------------------------------


def access_log_record(*, user, summit: RiskSummit, what: str, channel: str = "page") -> None:
    AccessLogEntry.objects.create(summit=summit, user=user, what=what[:120], channel=channel[:10])


# Alerts (beat) ------------------------------------------------------------------------------------


def _alert_once(summit: RiskSummit, kind: str, key: str, *, action=None) -> SentAlert | None:
    try:
        with transaction.atomic():
            return SentAlert.objects.create(summit=summit, kind=kind, key=key, action=action)
    except IntegrityError:
        return None


def _ring_holder_user_ids(summit: RiskSummit) -> list[int]:
    if not summit.ring_holder_id:
        return []
    return participant_user_ids(summit, organisation_id=summit.ring_holder_id)


def alerts_send(*, now: dt.datetime | None = None) -> int:
    """E-mail each due alert once: the first meeting not booked by half the clock, not held by
    the deadline, and actions past their due dates. A sent-alert row is claimed before the e-mail
    is queued, so running twice (or on two workers) sends nothing more."""
    now = now or _now()
    today = timezone.localtime(now).date()
    sent = 0
    open_summits = RiskSummit.objects.filter(status=RiskSummit.Status.OPEN).exclude(
        meetings__status=SummitMeeting.Status.HELD
    )
    for summit in open_summits.distinct():
        if summit.alerts.filter(kind=SentAlert.Kind.MEETING_OVERDUE).exists():
            continue
        meetings = [
            clock.MeetingTime(m.starts_at, m.status)
            for m in summit.meetings.exclude(status=SummitMeeting.Status.CANCELLED)
        ]
        state = clock.state(
            judged_at=summit.judged_at, clock_hours=summit.clock_hours, meetings=meetings, now=now
        )
        kind = None
        if state.state == clock.OVERDUE:
            kind = SentAlert.Kind.MEETING_OVERDUE
            subject = f"Risk summit {summit.reference}: first meeting not held within {summit.clock_hours} hours"
        elif state.state in (clock.NOT_BOOKED, clock.BOOKED_LATE) and clock.not_booked_alert_due(
            judged_at=summit.judged_at, clock_hours=summit.clock_hours, now=now
        ):
            kind = SentAlert.Kind.MEETING_NOT_BOOKED
            subject = f"Risk summit {summit.reference}: first meeting not booked in time"
        if kind is None:
            continue
        with transaction.atomic():
            alert = _alert_once(summit, kind, f"{kind}:{summit.pk}")
            if alert is None:
                continue
            recipients = lead_user_ids(summit) + _ring_holder_user_ids(summit)
            alert.recipients = _notify(
                recipients,
                subject,
                f"The first meeting must be held by {timezone.localtime(state.deadline):%-d %B %Y at %H:%M}.\n"
                f"{_link('risksummits:detail', summit.pk)}",
            )
            alert.save(update_fields=["recipients"])
            _event(summit, None, "alert", f"Alert sent: {alert.get_kind_display().lower()}")
        sent += 1
    overdue = (
        SummitAction.objects.filter(
            summit__status=RiskSummit.Status.OPEN,
            status__in=SummitAction.OPEN_STATUSES,
            due_on__lt=today,
        )
        .exclude(alerts__kind=SentAlert.Kind.ACTION_OVERDUE)
        .select_related("summit")
    )
    for action in overdue:
        summit = action.summit
        with transaction.atomic():
            alert = _alert_once(
                summit,
                SentAlert.Kind.ACTION_OVERDUE,
                f"action_overdue:{action.pk}:{action.due_on.isoformat()}",
                action=action,
            )
            if alert is None:
                continue
            owners = (
                [action.owner_id]
                if action.owner_id
                else participant_user_ids(summit, organisation_id=action.owner_organisation_id)
            )
            alert.recipients = _notify(
                owners + _ring_holder_user_ids(summit) + lead_user_ids(summit),
                f"Risk summit {summit.reference}: action {action.number} was due on {action.due_on:%-d %B %Y}",
                f"An action from a risk summit is past its due date.\n"
                f"{_link('risksummits:action', summit.pk, action.pk)}",
            )
            alert.save(update_fields=["recipients"])
            _event(summit, None, "alert", f"Alert sent: action {action.number} is overdue")
        sent += 1
    return sent


# PDFs ---------------------------------------------------------------------------------------------------

PDF_KIND = "risk_summit_pdf"


@transaction.atomic
def document_request(
    *, actor, standing: SummitAccess, kind: str, meeting: SummitMeeting | None = None
) -> tuple[SummitDocument, bool]:
    """The PDF of this version of a meeting's record or of the closure report; (doc, queued).

    A version already rendered is reused; a failed one is queued again.
    """
    summit = RiskSummit.objects.get(pk=standing.summit.pk)
    if kind == SummitDocument.Kind.MEETING:
        if meeting is None or meeting.summit_id != summit.pk:
            raise ValidationError("Choose a meeting of this summit")
        meeting = SummitMeeting.objects.get(pk=meeting.pk)
        if meeting.status != SummitMeeting.Status.HELD:
            raise ValidationError("A meeting's record can be printed once the meeting is held")
        version = meeting.revision
    elif kind == SummitDocument.Kind.CLOSURE:
        if summit.status != RiskSummit.Status.CLOSED:
            raise ValidationError("The closure report is available once the summit is closed")
        meeting = None
        version = summit.revision
    else:
        raise ValidationError("Unknown document")
    key = f"{PDF_KIND}:{summit.pk}:{kind}:{meeting.pk if meeting else 0}:v{version}"
    document = (
        SummitDocument.objects.select_for_update()
        .filter(summit=summit, meeting=meeting, kind=kind, version=version)
        .first()
    )
    created = False
    if document is None:
        job, created = Job.objects.select_for_update().get_or_create(
            key=key,
            defaults={
                "kind": PDF_KIND,
                "created_by": _actor(actor),
                "organisation_id": getattr(actor, "organisation_id", None),
                "qsg_id": summit.qsg_id,
                "counts": {
                    "summit": summit.pk,
                    "kind": kind,
                    "meeting": meeting.pk if meeting else None,
                },
            },
        )
        snapshot = (
            selectors.meeting_document(meeting)
            if meeting is not None
            else selectors.closure_document(summit)
        )
        document, _ = SummitDocument.objects.get_or_create(
            summit=summit,
            meeting=meeting,
            kind=kind,
            version=version,
            defaults={"job": job, "snapshot": snapshot, "created_by": _actor(actor)},
        )
    job = Job.objects.select_for_update().get(pk=document.job_id)
    requeue = not created and job.status in {Job.Status.FAILED, Job.Status.NOT_QUEUED}
    if requeue:
        job.status = Job.Status.QUEUED
        job.progress = 0
        job.error = ""
        job.message = ""
        job.save(update_fields=["status", "progress", "error", "message"])
    if created or requeue:
        label = f"record of {meeting.title.lower()}" if meeting is not None else "closure report"
        _event(summit, actor, "pdf_requested", f"PDF of the {label} (version {version}) requested")
        job_id = str(job.pk)

        def enqueue():
            from .tasks import render_summit_pdf

            try:
                broker.publish(render_summit_pdf, {"job_id": job_id})
            except Exception as exc:
                Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
                    status=Job.Status.NOT_QUEUED, error=str(exc)[:500]
                )

        transaction.on_commit(enqueue)
    return document, created or requeue
