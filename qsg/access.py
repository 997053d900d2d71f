"""The one place that decides who sees and changes what in the network.

Rules, in brief (docs/architecture.md has the page-long version):

* Permissions are granted to organisations: each organisation has an auth group, and a
  membership of a QSG grants that group ``view_qsg`` on the QSG (django-guardian, direct
  foreign-key permission table).
* A person's role in the QSG narrows it: a person sees a QSG only if their organisation holds
  ``view_qsg`` on it *and* they hold a role there (secretariat, chair, member, observer).
* The regional team (secretariat, chair or regional reviewer of a regional QSG) also reads the
  local QSGs of its region, read-only.
* Tiers are data (`QSG.level`: local, regional, national). The national team (secretariat,
  chair or reviewer of a national group) reads the regional groups under it and their local
  groups, as a region reads its locals but strictly read-only (`Principal.read_only`: it never
  counts as oversight, so no decision, comment or recommendation follows from it).
* A provider sits in its lead group's footprint and may sit in other local groups' too
  (`Provider.other_qsgs`): everyone who sees one of those groups sees the provider; only the
  lead group's secretariat changes it.
* Only the secretariat of a QSG changes its membership, people and providers.
* Not visible: 404 (``Http404``). Visible but not yours to change: 403 (``PermissionDenied``).

Higher layers (dashboard, surveillance, risksummits) build their own rules on `principal()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import (
    QSG,
    Job,
    Membership,
    Organisation,
    Provider,
    QSGGroupObjectPermission,
    QSGRole,
    User,
)

Role = QSGRole.Role
# Read roles: a person holding one of these in a QSG reads it (and its intelligence, as shared).
READ_ROLES = frozenset({Role.SECRETARIAT, Role.CHAIR, Role.MEMBER, Role.OBSERVER})
# Participating roles (not only watching): comment on notes, own actions, write returns.
PARTICIPANT_ROLES = frozenset({Role.SECRETARIAT, Role.CHAIR, Role.MEMBER})
# The QSG's team: its secretariat and chair.
TEAM_ROLES = frozenset({Role.SECRETARIAT, Role.CHAIR})
OVERSIGHT_ROLES = frozenset({Role.SECRETARIAT, Role.CHAIR, Role.REGIONAL_REVIEWER})
VIEW_QSG = "view_qsg"


@dataclass(frozen=True)
class Principal:
    """What one user may reach, resolved once per request (three small queries)."""

    user_id: int | None
    organisation_id: int | None
    roles: dict[int, frozenset[str]] = field(default_factory=dict)
    overseen: dict[int, frozenset[str]] = field(default_factory=dict)
    # Regional groups under a national group the user's national team role covers, and their
    # local groups: read, never overseen.
    read_only: frozenset[int] = frozenset()

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def qsg_ids(self) -> frozenset[int]:
        return frozenset(self.roles) | frozenset(self.overseen) | self.read_only

    @property
    def managed_qsg_ids(self) -> frozenset[int]:
        return frozenset(q for q, r in self.roles.items() if Role.SECRETARIAT in r)

    def roles_in(self, qsg_id: int) -> frozenset[str]:
        return self.roles.get(qsg_id, frozenset())

    def sees_qsg(self, qsg_id: int) -> bool:
        return qsg_id in self.roles or qsg_id in self.overseen or qsg_id in self.read_only

    def manages(self, qsg_id: int) -> bool:
        return Role.SECRETARIAT in self.roles_in(qsg_id)

    def chairs(self, qsg_id: int) -> bool:
        return Role.CHAIR in self.roles_in(qsg_id)

    def is_team(self, qsg_id: int) -> bool:
        """Secretariat or chair of the QSG: the one test for "the secretariat or the chair"."""
        return bool(self.roles_in(qsg_id) & TEAM_ROLES)

    @property
    def team_qsg_ids(self) -> frozenset[int]:
        return frozenset(q for q in self.roles if self.is_team(q))

    def is_member_of(self, qsg_id: int) -> bool:
        """Holds a participating role (not only oversight) in the QSG."""
        return bool(self.roles_in(qsg_id) & PARTICIPANT_ROLES)

    def oversees(self, qsg_id: int) -> bool:
        return qsg_id in self.overseen

    def reads_from_above(self, qsg_id: int) -> bool:
        """Reads the group from a tier above: the regional team over a local group
        (`oversees`), or the national team over a region or its locals (`read_only`). What a
        region reads of its locals (published notes, summits) the national team reads of its
        regions and their locals; it grants no change: only `oversees` carries the region's
        comments, recommendations and decisions."""
        return qsg_id in self.overseen or qsg_id in self.read_only

    def role_names(self, qsg_id: int) -> list[str]:
        names = set(self.roles_in(qsg_id))
        if qsg_id in self.overseen:
            names.add(Role.REGIONAL_REVIEWER)
        if not names and qsg_id in self.read_only:
            names.add(Role.OBSERVER)
        return sorted(names)


ANONYMOUS = Principal(user_id=None, organisation_id=None)


def principal(user) -> Principal:
    """Resolve (and cache on the user object) what this user may reach."""
    cached = getattr(user, "_qsg_principal", None)
    if cached is not None:
        return cached
    if (
        not getattr(user, "is_authenticated", False)
        or not user.is_active
        or not user.organisation_id
    ):
        return ANONYMOUS
    org_group_id = Organisation.objects.filter(pk=user.organisation_id).values_list(
        "group_id", flat=True
    )
    granted = QSGGroupObjectPermission.objects.filter(
        group_id__in=org_group_id, permission__codename=VIEW_QSG
    ).values("content_object_id")
    rows = QSGRole.objects.filter(
        user_id=user.pk, qsg_id__in=granted, qsg__is_active=True
    ).values_list("qsg_id", "role", "qsg__level")
    roles: dict[int, set[str]] = {}
    oversight_regions: dict[int, set[str]] = {}
    national: set[int] = set()
    for qsg_id, role, level in rows:
        if role == Role.REGIONAL_REVIEWER and level == QSG.Level.LOCAL:
            continue
        if role != Role.REGIONAL_REVIEWER:
            roles.setdefault(qsg_id, set()).add(role)
        if level == QSG.Level.REGIONAL and role in OVERSIGHT_ROLES:
            oversight_regions.setdefault(qsg_id, set()).add(role)
        if level == QSG.Level.NATIONAL and role in OVERSIGHT_ROLES:
            national.add(qsg_id)
        if role == Role.REGIONAL_REVIEWER:
            roles.setdefault(qsg_id, set()).add(Role.OBSERVER)
    overseen: dict[int, frozenset[str]] = {}
    if oversight_regions:
        for local_id, region_id in QSG.objects.filter(
            regional_qsg_id__in=oversight_regions, is_active=True
        ).values_list("id", "regional_qsg_id"):
            overseen[local_id] = frozenset(oversight_regions[region_id])
    read_only: frozenset[int] = frozenset()
    if national:
        below = QSG.objects.filter(
            Q(regional_qsg_id__in=national)
            | Q(regional_qsg__regional_qsg_id__in=national, regional_qsg__is_active=True),
            is_active=True,
        ).values_list("id", flat=True)
        read_only = frozenset(below) - frozenset(roles) - frozenset(overseen)
    result = Principal(
        user_id=user.pk,
        organisation_id=user.organisation_id,
        roles={k: frozenset(v) for k, v in roles.items()},
        overseen=overseen,
        read_only=read_only,
    )
    user._qsg_principal = result
    return result


def forget(user) -> None:
    """Drop the cached principal (and statutory answer, and QSG rows) after the user's roles
    change."""
    for attr in ("_qsg_principal", "_qsg_statutory", "_qsg_visible"):
        if hasattr(user, attr):
            delattr(user, attr)


def is_statutory(user) -> bool:
    """Whether the person belongs to an active statutory organisation (`OrganisationType.
    is_statutory`, the organisation `is_active`): the one test for "a member from a statutory
    body" (confidential meeting material) and for who may trigger a risk summit."""
    if user is None:
        return False
    cached = getattr(user, "_qsg_statutory", None)
    if cached is None:
        p = principal(user)
        cached = bool(
            not p.is_anonymous
            and Organisation.objects.filter(
                pk=p.organisation_id, type__is_statutory=True, is_active=True
            ).exists()
        )
        user._qsg_statutory = cached
    return cached


def not_found() -> Http404:
    return Http404("Not found")


def require(allowed: bool) -> None:
    """Raise 403 unless allowed. Call only after visibility has been checked."""
    if not allowed:
        raise PermissionDenied("You do not have permission to do that")


# QSGs -------------------------------------------------------------------------------------


def qsgs_for(user) -> QuerySet[QSG]:
    return QSG.objects.filter(pk__in=principal(user).qsg_ids)


def visible_qsgs(user) -> list[QSG]:
    """The rows of the QSGs the user sees (with their regional group), by level then name: read
    once and kept on this user object, as the principal is, so the panels and menus of one
    request share one query. The object is the request's own (never shared between people);
    `forget` drops it with the principal."""
    cached = getattr(user, "_qsg_visible", None)
    if cached is not None:
        return cached
    p = principal(user)
    if p.is_anonymous:
        return []
    rows = list(
        QSG.objects.filter(pk__in=p.qsg_ids)
        .select_related("regional_qsg")
        .order_by("level", "name", "pk")
    )
    user._qsg_visible = rows
    return rows


def qsg_for_user(user, pk, *, manage: bool = False) -> QSG:
    p = principal(user)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise not_found() from None
    if not p.sees_qsg(pk):
        raise not_found()
    qsg = QSG.objects.select_related("regional_qsg", "convening_organisation").filter(pk=pk).first()
    if qsg is None:
        raise not_found()
    if manage:
        require(p.manages(pk))
    return qsg


def managed_qsgs_for(user) -> QuerySet[QSG]:
    return QSG.objects.filter(pk__in=principal(user).managed_qsg_ids)


# Organisations ----------------------------------------------------------------------------


def organisations_for(user) -> QuerySet[Organisation]:
    """Own organisation, and every organisation in a QSG the user sees."""
    p = principal(user)
    if p.is_anonymous:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk=p.organisation_id) | Q(memberships__qsg_id__in=p.qsg_ids)
    ).distinct()


def organisation_directory_for(user) -> QuerySet[Organisation]:
    """Every active organisation, for a secretariat choosing a new member (names only)."""
    if not principal(user).managed_qsg_ids:
        return Organisation.objects.none()
    return Organisation.objects.filter(is_active=True).select_related("type")


def can_manage_organisation(user, organisation: Organisation) -> bool:
    p = principal(user)
    if not p.managed_qsg_ids:
        return False
    member_of = set(organisation.memberships.values_list("qsg_id", flat=True))
    return not member_of or bool(member_of & p.managed_qsg_ids)


def organisation_for_user(user, pk, *, manage: bool = False) -> Organisation:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise not_found() from None
    try:
        org = organisations_for(user).select_related("type").get(pk=pk)
    except Organisation.DoesNotExist:
        # A secretariat may read and edit an organisation that is not yet a member anywhere (a
        # directory entry it could add as a member): reading and editing answer alike.
        org = organisation_directory_for(user).filter(pk=pk, memberships__isnull=True).first()
        if org is not None:
            return org
        raise not_found() from None
    if manage:
        require(can_manage_organisation(user, org))
    return org


# Memberships and roles ----------------------------------------------------------------------


def memberships_for(user) -> QuerySet[Membership]:
    return Membership.objects.filter(qsg_id__in=principal(user).qsg_ids)


def membership_for_user(user, pk, *, manage: bool = False, qsg_id: int | None = None) -> Membership:
    qs = memberships_for(user).select_related("qsg", "organisation", "organisation__type")
    if qsg_id is not None:
        qs = qs.filter(qsg_id=qsg_id)
    try:
        membership = qs.get(pk=int(pk))
    except (Membership.DoesNotExist, TypeError, ValueError):
        raise not_found() from None
    if manage:
        require(principal(user).manages(membership.qsg_id))
    return membership


def roles_for(user) -> QuerySet[QSGRole]:
    return QSGRole.objects.filter(qsg_id__in=principal(user).qsg_ids)


def role_for_user(user, pk, *, manage: bool = False, qsg_id: int | None = None) -> QSGRole:
    qs = roles_for(user).select_related("qsg", "user", "user__organisation")
    if qsg_id is not None:
        qs = qs.filter(qsg_id=qsg_id)
    try:
        role = qs.get(pk=int(pk))
    except (QSGRole.DoesNotExist, TypeError, ValueError):
        raise not_found() from None
    if manage:
        require(principal(user).manages(role.qsg_id))
    return role


def people_for(user) -> QuerySet[User]:
    """People the user may see: colleagues in their organisation and in their QSGs."""
    p = principal(user)
    if p.is_anonymous:
        return User.objects.none()
    return User.objects.filter(
        Q(organisation_id=p.organisation_id) | Q(qsg_roles__qsg_id__in=p.qsg_ids), is_active=True
    ).distinct()


def assignable_people_for(user, qsg: QSG) -> QuerySet[User]:
    """People a secretariat may give a role in this QSG: staff of its member organisations."""
    require(principal(user).manages(qsg.pk))
    member_orgs = Membership.objects.filter(qsg=qsg).values("organisation_id")
    return User.objects.filter(is_active=True, organisation_id__in=member_orgs).select_related(
        "organisation"
    )


def assignable_people_anywhere_for(user) -> QuerySet[User]:
    """People a secretariat may give a role in some QSG it runs (`assignable_people_for` of
    each): what an id in a role request may name. Nobody for anyone else."""
    managed = principal(user).managed_qsg_ids
    member_orgs = Membership.objects.filter(qsg_id__in=managed).values("organisation_id")
    return User.objects.filter(is_active=True, organisation_id__in=member_orgs)


# Providers ----------------------------------------------------------------------------------


def shared_provider_ids(qsg_ids: Iterable[int]) -> QuerySet:
    """Ids of providers that also sit in the footprint of one of these (non-lead) groups."""
    return Provider.other_qsgs.through.objects.filter(qsg_id__in=list(qsg_ids)).values(
        "provider_id"
    )


def providers_for(user) -> QuerySet[Provider]:
    """Providers in the footprint of a QSG the user sees (as lead group or another group), and
    those their organisation commissions."""
    p = principal(user)
    if p.is_anonymous:
        return Provider.objects.none()
    commissioned = Provider.commissioners.through.objects.filter(
        organisation_id=p.organisation_id
    ).values("provider_id")
    return Provider.objects.filter(
        Q(qsg_id__in=p.qsg_ids) | Q(pk__in=shared_provider_ids(p.qsg_ids)) | Q(pk__in=commissioned)
    )


def provider_for_user(user, pk, *, manage: bool = False) -> Provider:
    try:
        provider = providers_for(user).select_related("qsg").get(pk=int(pk))
    except (Provider.DoesNotExist, TypeError, ValueError):
        raise not_found() from None
    if manage:
        require(principal(user).manages(provider.qsg_id))
    return provider


def local_group_ids(qsg: QSG) -> QuerySet:
    """The local groups at or under a group: itself if local, a region's locals, a national
    group's regions' locals."""
    if qsg.level == QSG.Level.LOCAL:
        return QSG.objects.filter(pk=qsg.pk).values("pk")
    if qsg.level == QSG.Level.REGIONAL:
        return QSG.objects.filter(regional_qsg=qsg).values("pk")
    return QSG.objects.filter(regional_qsg__regional_qsg=qsg).values("pk")


def in_footprint(qsg: QSG) -> Q:
    """A filter on providers: those in the group's footprint, as lead group or another group
    (each local group at or under it)."""
    groups = local_group_ids(qsg)
    return Q(qsg_id__in=groups) | Q(
        pk__in=Provider.other_qsgs.through.objects.filter(qsg_id__in=groups).values("provider_id")
    )


def footprint(qsg: QSG) -> QuerySet[Provider]:
    """A QSG's provider footprint: the active providers of a local group (led there or sitting
    there too), or of the local groups under a regional or national one. The one definition
    (meeting forms, packs, coverage, plans, the dashboard matrix, escalation lists)."""
    return Provider.objects.filter(in_footprint(qsg), is_active=True).order_by("name")


def footprint_groups_for(user) -> QuerySet[QSG]:
    """Local groups a person may name as a provider's other groups (`Provider.other_qsgs`):
    the active local groups they see. A group they cannot see answers as one that does not
    exist (the form offers only these; the API's ids are looked up among them)."""
    return qsgs_for(user).filter(level=QSG.Level.LOCAL, is_active=True).order_by("name")


def other_qsgs_unseen(user, provider: Provider) -> list[QSG]:
    """The provider's other groups this person cannot name (`footprint_groups_for`): a change
    by them keeps these as they are, so nobody removes a group they cannot see."""
    return list(provider.other_qsgs.exclude(pk__in=footprint_groups_for(user).values("pk")))


def provider_ids_visible(user, ids: Iterable[int]) -> set[int]:
    return set(providers_for(user).filter(pk__in=list(ids)).values_list("pk", flat=True))


# Audit ----------------------------------------------------------------------------------------


# Background jobs --------------------------------------------------------------------------


def can_see_failed_jobs(user) -> bool:
    """The failed-jobs page is for the secretariat of a QSG, and for staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff or principal(user).managed_qsg_ids)


def jobs_for(user) -> QuerySet[Job]:
    """Jobs a secretariat looks after: those of the QSGs it runs, and its organisation's own
    jobs that belong to no QSG. Staff see every job. Each kind may narrow this further
    (qsg.jobs.register(restrict=...)), e.g. a risk summit's jobs to its ring."""
    from . import jobs

    if not can_see_failed_jobs(user):
        return Job.objects.none()
    everything = Job.objects.all()
    if user.is_superuser:
        return everything
    if not user.is_staff:
        p = principal(user)
        everything = everything.filter(
            Q(qsg_id__in=p.managed_qsg_ids) | Q(qsg__isnull=True, organisation_id=p.organisation_id)
        )
    return jobs.restrict(user, everything)


def failed_jobs_for(user) -> QuerySet[Job]:
    from . import jobs

    return jobs_for(user).filter(status__in=jobs.RETRYABLE_STATUSES)


def job_for_user(user, pk) -> Job:
    """One job for its page actions: 403 for people who have no failed-jobs page, else 404
    unless the job is theirs to look after."""
    require(can_see_failed_jobs(user))
    job = jobs_for(user).filter(pk=pk).first()
    if job is None:
        raise not_found()
    return job
