"""The one place that decides who sees and changes risk summits, built on `qsg.access.principal`.

Who sees a summit (and everything in it):

* the people linked to it as representatives of an active participant organisation;
* the secretariat and chair of the summit's QSG;
* the regional team over that QSG (`principal.oversees`), read-only;
* the national team over that QSG's region, or over the region convening it
  (`principal.reads_from_above`), read-only as the region: it never manages, triggers or
  takes a position.

Nothing else grants sight of a summit: being in the QSG, or in a participant organisation, is
not enough. A guest is simply a person linked to a summit who holds no role anywhere; the network
rules (`qsg.access`) give such a person nothing, so the summit is all they see.

A participant limited to shared items (the provider, when invited to parts) sees the summit's
heading and only the meetings, actions and timeline entries marked as shared with the provider.

Who changes it: the QSG secretariat and chair, and the representatives of the organisation that
holds the ring once it is agreed or set by default. Only the CQC's representatives record the
CQC's judgement and ask for impact assessments; each other participant answers for itself.

Who triggers one: a person of a statutory organisation (`OrganisationType.is_statutory`) who
holds a role in the provider's QSG, oversees it from the region, or whose organisation
commissions the provider (commissioners from outside the footprint are among those the NQB says
hold fragments of the picture).

Not visible: 404. Visible but not yours to change: 403.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from qsg import access as qsg_access
from qsg.models import Organisation, Provider, User
from surveillance.intelligence.access import inherit, withheld_from_any, withheld_ids

from .models import (
    ImpactAssessmentRequest,
    Participant,
    Representative,
    RiskSummit,
    SummitAction,
    SummitDocument,
    SummitMeeting,
    TimelineEvent,
)

CQC_TYPE_CODE = "cqc"
not_found = qsg_access.not_found
require = qsg_access.require


def _linked_summit_ids(user) -> QuerySet:
    return Representative.objects.filter(user_id=user.pk, participant__is_active=True).values(
        "summit_id"
    )


def lead_qsg_ids(user) -> set[int]:
    """QSGs where the user is secretariat or chair."""
    return _lead_qsg_ids(user)


def _lead_qsg_ids(user) -> set[int]:
    p = qsg_access.principal(user)
    return {q for q in p.qsg_ids if p.is_team(q)}


def summits_for(user) -> QuerySet[RiskSummit]:
    """Every summit the user may see."""
    p = qsg_access.principal(user)
    if p.is_anonymous:
        return RiskSummit.objects.none()
    return RiskSummit.objects.filter(
        Q(qsg_id__in=_lead_qsg_ids(user))
        | Q(qsg_id__in=list(p.overseen))
        | Q(qsg_id__in=list(p.read_only))
        | Q(pk__in=_linked_summit_ids(user))
    )


@dataclass(frozen=True)
class SummitLinks:
    """The summits a person is linked to as a representative, read in one query
    (`summit_links_for`): those of an active participant (`active`, what `_linked_summit_ids`
    gives), and those where a participant they stand for is limited to shared items."""

    active: frozenset[int]
    shared_only: frozenset[int]


def summit_links_for(user) -> SummitLinks:
    if qsg_access.principal(user).is_anonymous:
        return SummitLinks(frozenset(), frozenset())
    rows = Representative.objects.filter(user_id=user.pk).values_list(
        "summit_id", "participant__is_active", "participant__shared_items_only"
    )
    active, shared_only = set(), set()
    for summit_id, is_active, shared in rows:
        if is_active:
            active.add(summit_id)
        if shared:
            shared_only.add(summit_id)
    return SummitLinks(frozenset(active), frozenset(shared_only))


def participating_summits_for(user, links: SummitLinks | None = None) -> QuerySet[RiskSummit]:
    """Summits the user takes part in (is linked to), for "summits you take part in".
    `links`: the user's `summit_links_for`, if already read (the home page's panels share it)."""
    if qsg_access.principal(user).is_anonymous:
        return RiskSummit.objects.none()
    if links is not None:
        return RiskSummit.objects.filter(pk__in=sorted(links.active))
    return RiskSummit.objects.filter(pk__in=_linked_summit_ids(user))


def summits_in_hand_for(user, links: SummitLinks) -> QuerySet[RiskSummit]:
    """Summits the user leads (secretariat or chair of the summit's QSG) or takes part in (as
    an active participant's representative), less those where they stand for a participant
    limited to shared items: the summits whose alarms are theirs (home page). The same set as
    `summits_for` narrowed to `managed_summits_for` or `participating_summits_for` (a ring
    holder's representatives are among the participants), less the shared-only ones."""
    lead = _lead_qsg_ids(user)
    if qsg_access.principal(user).is_anonymous or not (lead or links.active):
        return RiskSummit.objects.none()
    return RiskSummit.objects.filter(
        Q(qsg_id__in=sorted(lead)) | Q(pk__in=sorted(links.active))
    ).exclude(pk__in=sorted(links.shared_only))


def managed_summits_for(user) -> QuerySet[RiskSummit]:
    """Open summits the user may change: as the QSG's secretariat or chair, or for the ring-holder."""
    if qsg_access.principal(user).is_anonymous:
        return RiskSummit.objects.none()
    holding = Representative.objects.filter(
        user_id=user.pk,
        participant__is_active=True,
        participant__organisation_id=user.organisation_id,
    ).values("summit_id")
    return RiskSummit.objects.filter(
        Q(qsg_id__in=_lead_qsg_ids(user))
        | Q(
            pk__in=holding,
            ring_holder_id=user.organisation_id,
            ring_holder_status__in=RiskSummit.SETTLED_RING,
        )
    )


@dataclass(frozen=True)
class SummitAccess:
    """One user's standing on one summit."""

    summit: RiskSummit
    participant: Participant | None
    leads: bool
    holds_ring: bool
    oversees: bool  # reads it from a tier above (region or national team): read-only
    can_read_log: bool
    user: object = None  # who stands there (for what they may read of the summit's words)

    @property
    def can_manage(self) -> bool:
        return self.leads or self.holds_ring

    @property
    def shared_only(self) -> bool:
        """Limited to what is shared with the provider (and nothing grants more)."""
        return (
            self.participant is not None
            and self.participant.shared_items_only
            and not self.leads
            and not self.oversees
        )

    @property
    def is_cqc(self) -> bool:
        return (
            self.participant is not None
            and not self.participant.shared_items_only
            and self.participant.organisation.type.code == CQC_TYPE_CODE
        )

    @property
    def organisation_id(self) -> int | None:
        return self.participant.organisation_id if self.participant else None

    @property
    def can_take_position(self) -> bool:
        """May state their organisation's position on the proposed ring-holder."""
        return (
            self.participant is not None
            and not self.participant.is_guest
            and not self.participant.shared_items_only
        )

    @property
    def can_answer_impact(self) -> bool:
        return (
            self.participant is not None
            and not self.participant.shared_items_only
            and not self.is_cqc
        )


def summit_for_user(user, pk, *, manage: bool = False) -> SummitAccess:
    """The summit and the user's standing on it; 404 if not visible, 403 if `manage` and not theirs."""
    p = qsg_access.principal(user)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise not_found() from None
    if p.is_anonymous:
        raise not_found()
    summit = (
        RiskSummit.objects.select_related(
            "qsg", "ring_holder", "triggering_organisation", "triggered_by"
        )
        .filter(pk=pk)
        .first()
    )
    if summit is None:
        raise not_found()
    link = (
        Representative.objects.filter(summit_id=pk, user_id=user.pk, participant__is_active=True)
        .select_related("participant__organisation__type")
        .first()
    )
    participant = link.participant if link else None
    leads = p.is_team(summit.qsg_id)
    oversees = p.reads_from_above(summit.qsg_id)
    if not (leads or oversees or participant):
        raise not_found()
    holds_ring = bool(
        participant
        and summit.current_ring_holder_id
        and participant.organisation_id == summit.current_ring_holder_id
    )
    standing = SummitAccess(
        summit=summit,
        participant=participant,
        leads=leads,
        holds_ring=holds_ring,
        oversees=oversees,
        can_read_log=p.manages(summit.qsg_id),
        user=user,
    )
    if manage:
        require(standing.can_manage)
    return standing


# Things inside a summit: always fetched through the summit the user may see. -----------------


def meetings_for(standing: SummitAccess) -> QuerySet[SummitMeeting]:
    qs = SummitMeeting.objects.filter(summit=standing.summit)
    if standing.shared_only:
        qs = qs.filter(shared_with_provider=True)
    return qs


def meeting_for(standing: SummitAccess, pk) -> SummitMeeting:
    try:
        return meetings_for(standing).get(pk=int(pk))
    except (SummitMeeting.DoesNotExist, TypeError, ValueError):
        raise not_found() from None


def actions_for(standing: SummitAccess) -> QuerySet[SummitAction]:
    qs = SummitAction.objects.filter(summit=standing.summit)
    if standing.shared_only:
        qs = qs.filter(shared_with_provider=True)
    return qs


def action_for(standing: SummitAccess, pk) -> SummitAction:
    try:
        return actions_for(standing).get(pk=int(pk))
    except (SummitAction.DoesNotExist, TypeError, ValueError):
        raise not_found() from None


def events_for(standing: SummitAccess) -> QuerySet[TimelineEvent]:
    qs = TimelineEvent.objects.filter(summit=standing.summit)
    if standing.shared_only:
        qs = qs.filter(shared_with_provider=True)
    return qs


def participants_for(standing: SummitAccess) -> QuerySet[Participant]:
    return Participant.objects.filter(summit=standing.summit, is_active=True)


def participant_organisations_for(summit: RiskSummit) -> QuerySet[Organisation]:
    """Organisations that may be added to take part from the QSG: its active member
    organisations not already taking part (others come in as guests, `guest_invite`)."""
    taking_part = Participant.objects.filter(summit=summit, is_active=True).values(
        "organisation_id"
    )
    return (
        Organisation.objects.filter(is_active=True, memberships__qsg_id=summit.qsg_id)
        .exclude(pk__in=taking_part)
        .distinct()
        .order_by("name")
    )


def participant_people_for(summit: RiskSummit, organisation_ids) -> QuerySet[User]:
    """People who may be added to take part for these organisations: active, and holding a
    role in the summit's QSG (the roles the trigger names representatives from). Being in a
    member organisation is not enough; guests are invited by name (`guest_invite`)."""
    return (
        User.objects.filter(
            is_active=True,
            organisation_id__in=organisation_ids,
            qsg_roles__qsg_id=summit.qsg_id,
            qsg_roles__role__in=sorted(qsg_access.READ_ROLES),
        )
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "last_name", "first_name")
    )


# The summit's words drawn from its source: a reader who may not read every intelligence item
# the summit was raised from (`RiskSummit.intelligence_item_ids`) gets none of them.
SOURCE_WORDS = ("concern", "source_detail")


def summit_as_read(user, summit: RiskSummit) -> RiskSummit:
    """The summit as `user` may read it (`intelligence.access.inherit`): a copy, never saved."""
    return _with_words(summit, withheld_ids(user, summit.intelligence_item_ids))


def summit_audience_withheld(summit: RiskSummit) -> frozenset[int]:
    """What a summit's printed documents leave out: the items that anyone who may download them
    (its active representatives, the QSG's team, the regional team over it) may not read. One
    file serves them all, so its words print only if every one of them may read the items."""
    ids = summit.intelligence_item_ids
    if not ids:
        return frozenset()
    reps = Representative.objects.filter(summit=summit, participant__is_active=True)
    readers = User.objects.filter(
        Q(pk__in=reps.values("user_id"))
        | Q(
            qsg_roles__qsg_id__in=[summit.qsg_id, summit.qsg.regional_qsg_id],
            qsg_roles__role__in=sorted(qsg_access.OVERSIGHT_ROLES),
        ),
        is_active=True,
    ).distinct()
    return withheld_from_any(readers, ids)


def _with_words(summit: RiskSummit, withheld) -> RiskSummit:
    (row,) = inherit(
        [{**{k: getattr(summit, k) for k in SOURCE_WORDS}, "ids": summit.intelligence_item_ids}],
        withheld,
        words=SOURCE_WORDS,
        ids_key="ids",
    )
    summit = copy.copy(summit)
    for key in SOURCE_WORDS:
        setattr(summit, key, row[key])
    summit.withheld = row["withheld"]
    return summit


def summit_for_document(summit: RiskSummit) -> RiskSummit:
    """The summit as its printed documents carry it (`summit_audience_withheld`)."""
    return _with_words(summit, summit_audience_withheld(summit))


def action_organisations_for(standing: SummitAccess) -> QuerySet[Organisation]:
    """Who may own a summit action: the organisations taking part (page and API alike)."""
    return Organisation.objects.filter(
        pk__in=participants_for(standing).values("organisation_id")
    ).order_by("name")


def action_owners_for(standing: SummitAccess) -> QuerySet[User]:
    """The people a summit action may name as its owner: the participants' representatives."""
    reps = Representative.objects.filter(summit=standing.summit, participant__is_active=True)
    return (
        User.objects.filter(pk__in=reps.values("user_id"))
        .select_related("organisation")
        .order_by("organisation__name", "last_name")
    )


def action_meetings_for(standing: SummitAccess) -> QuerySet[SummitMeeting]:
    """The meetings a summit action may be agreed at: the summit's, unless cancelled."""
    return meetings_for(standing).exclude(status=SummitMeeting.Status.CANCELLED)


def participant_for(standing: SummitAccess, pk) -> Participant:
    try:
        return Participant.objects.select_related("organisation").get(
            summit=standing.summit, pk=int(pk)
        )
    except (Participant.DoesNotExist, TypeError, ValueError):
        raise not_found() from None


def impact_request_for(standing: SummitAccess, pk) -> ImpactAssessmentRequest:
    if standing.shared_only:
        raise not_found()
    try:
        return ImpactAssessmentRequest.objects.get(summit=standing.summit, pk=int(pk))
    except (ImpactAssessmentRequest.DoesNotExist, TypeError, ValueError):
        raise not_found() from None


def documents_for(standing: SummitAccess) -> QuerySet[SummitDocument]:
    qs = SummitDocument.objects.filter(summit=standing.summit).select_related("job", "meeting")
    if standing.shared_only:
        qs = qs.filter(kind=SummitDocument.Kind.MEETING, meeting__shared_with_provider=True)
    return qs


def document_for(standing: SummitAccess, pk) -> SummitDocument:
    try:
        return documents_for(standing).get(pk=int(pk))
    except (SummitDocument.DoesNotExist, TypeError, ValueError):
        raise not_found() from None


# Triggering ---------------------------------------------------------------------------------


def triggerable_providers_for(user) -> QuerySet[Provider]:
    """Providers this person may trigger a risk summit about."""
    p = qsg_access.principal(user)
    if p.is_anonymous or not qsg_access.is_statutory(user):
        return Provider.objects.none()
    commissioned = Provider.commissioners.through.objects.filter(
        organisation_id=p.organisation_id
    ).values("provider_id")
    return Provider.objects.filter(
        Q(qsg_id__in=list(p.roles)) | Q(qsg_id__in=list(p.overseen)) | Q(pk__in=commissioned),
        is_active=True,
    )


def can_trigger(user) -> bool:
    return triggerable_providers_for(user).exists()


def sees_any_summit(user) -> bool:
    """For the navigation: anyone who can see or start a summit."""
    p = qsg_access.principal(user)
    if p.is_anonymous:
        return False
    return bool(p.qsg_ids) or _linked_summit_ids(user).exists()
