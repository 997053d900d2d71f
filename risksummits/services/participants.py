"""Who takes part: the organisations proposed at the trigger, added or removed later, their
named people, and guests from outside the QSG's membership.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from qsg import once
from qsg import services as qsg_services
from qsg.models import QSG, Membership, Organisation, OrganisationType, Provider, User
from qsg.vocabulary import say

from .. import access
from ..access import CQC_TYPE_CODE
from ..models import Participant, Representative, RiskSummit
from ._common import (
    ALREADY_SENT,
    _attach,
    _bump,
    _event,
    _link,
    _link_person,
    _lock,
    _notify,
    _require_open,
    _stamp,
    screen_pid,
)
from .ring_holder import _reconsider_ring_holder

Basis = Participant.Basis
RHS = RiskSummit.RingHolderStatus


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


def _require_may_take_part(summit, organisation_id: int, people, *, field="people") -> None:
    """Only people the access layer allows (`access.participant_people_for`) are added for a
    member organisation; the message names nobody."""
    allowed = set(
        access.participant_people_for(summit, [organisation_id]).values_list("pk", flat=True)
    )
    if any(p.pk not in allowed for p in people):
        raise ValidationError({field: say("Choose people who hold a role in the QSG")})


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
    claim = once.claim(user=actor, scope=f"risk_summit_participant:{summit.pk}", token=form_token)
    if not claim.first:
        return claim.repeat(Participant, ALREADY_SENT)
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
    _require_may_take_part(summit, organisation.pk, people)
    participant = _attach(
        summit,
        organisation,
        basis,
        actor=actor,
        shared_items_only=shared_items_only,
        people=[p.pk for p in people],
    )
    claim.remember(participant)
    kind = "as a guest" if participant.is_guest else say("from the QSG")
    limited = ", limited to what is shared with the provider" if shared_items_only else ""
    _event(summit, actor, "participant_added", f"{organisation.name} added {kind}{limited}")
    _bump(summit)
    _notify(
        [p.pk for p in people],
        f"You have been added to {say('risk summit')} {summit.reference}",
        f"{say('You have been added to a risk summit.')}\n{_link('risksummits:detail', summit.pk)}",
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
            f"{participant.organisation.name} "
            + say("holds the ring and cannot be removed. Agree another ring-holder first.")
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
    if not participant.is_guest:
        _require_may_take_part(summit, participant.organisation_id, [user], field="user")
    _link_person(summit, participant, user.pk, actor=actor)
    _event(
        summit,
        actor,
        "person_added",
        f"{user.display_name} takes part for {participant.organisation.name}",
    )
    _notify(
        [user.pk],
        f"You have been added to {say('risk summit')} {summit.reference}",
        f"{say('You have been added to a risk summit.')}\n{_link('risksummits:detail', summit.pk)}",
        exclude=actor,
    )
    return Representative.objects.get(summit=summit, user=user)


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
    # The guest's own name is a person's name; nothing else about anyone is.
    screen_pid(
        {
            "first_name": ("First name", first_name),
            "last_name": ("Last name", last_name),
            "job_title": ("Job title", job_title),
            "organisation_name": ("Organisation", organisation_name),
        },
        allow={
            "first_name": ("personal_name",),
            "last_name": ("personal_name",),
            "organisation_name": ("personal_name",),  # "Dr Shah's practice"
        },
    )
    claim = once.claim(user=actor, scope=f"risk_summit_guest:{summit.pk}", token=form_token)
    if not claim.first:
        return claim.repeat(Representative, ALREADY_SENT)
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
        raise ValidationError(
            {"email": f"{user.display_name} " + say("already takes part in this summit")}
        )
    _link_person(summit, participant, user.pk, actor=actor)
    rep = Representative.objects.get(summit=summit, user=user)
    claim.remember(rep)
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
            say("You have been invited to take part in a risk summit in the QSG workspace.")
            + "\n"
            + f"Your username is {user.username}. Set your password here:\n{link}\n"
            f"{say('Then open the summit')}: {_link('risksummits:detail', summit.pk)}"
        )
    else:
        body = f"{say('You have been invited to a risk summit.')}\n{_link('risksummits:detail', summit.pk)}"
    _notify([user.pk], f"Invitation to {say('risk summit')} {summit.reference}", body)
    return rep


def _guest_username(email: str) -> str:
    base = email.split("@")[0][:100] or "guest"
    candidate = f"guest.{base}"
    n = 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"guest.{base}{n}"
    return candidate
