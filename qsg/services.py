"""Every write to the network goes through these functions.

Each is atomic, validates with ``full_clean()``, records who did it in the audit history and
keeps the organisation groups' object permissions in step with memberships.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from guardian.shortcuts import assign_perm, remove_perm

from qsg.vocabulary import say

from . import access
from .models import (
    QSG,
    Membership,
    Organisation,
    OrganisationType,
    Provider,
    QSGRole,
    User,
)
from .screening import screen_pid

Role = QSGRole.Role


def _stamp(instance, actor) -> None:
    """Tell simple-history who made the change when there is no request (commands, tasks)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor


def _group_name(name: str) -> str:
    return f"Organisation: {name}"[:150]


# Organisations ------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, actor, name: str, type: OrganisationType, ods_code: str = "", email: str = ""
) -> Organisation:
    name = name.strip()
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "An organisation with this name already exists"})
    group, _ = Group.objects.get_or_create(name=_group_name(name))
    organisation = Organisation(
        name=name, type=type, ods_code=ods_code.upper(), email=email, group=group
    )
    organisation.full_clean()
    _stamp(organisation, actor)
    organisation.save()
    return organisation


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **changes) -> Organisation:
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        clash = Organisation.objects.filter(name__iexact=changes["name"]).exclude(
            pk=organisation.pk
        )
        if clash.exists():
            raise ValidationError({"name": "An organisation with this name already exists"})
    if "ods_code" in changes:
        changes["ods_code"] = changes["ods_code"].upper()
    for key, value in changes.items():
        setattr(organisation, key, value)
    organisation.full_clean()
    _stamp(organisation, actor)
    organisation.save(update_fields=[*changes, "updated_at"])
    if "name" in changes:
        Group.objects.filter(pk=organisation.group_id).update(name=_group_name(organisation.name))
    return organisation


@transaction.atomic
def organisation_delete(*, actor, organisation: Organisation) -> None:
    reasons = []
    if organisation.users.exists():
        reasons.append("it still has people")
    if organisation.memberships.exists():
        reasons.append(say("it is still a member of a QSG"))
    if organisation.commissioned_providers.exists():
        reasons.append("it still commissions providers")
    if reasons:
        raise ValidationError(
            f"{organisation.name} cannot be deleted because {' and '.join(reasons)}."
        )
    _stamp(organisation, actor)
    group = organisation.group
    try:
        organisation.delete()
    except ProtectedError:
        raise ValidationError(
            f"{organisation.name} cannot be deleted because other records refer to it. "
            "Mark it inactive instead."
        ) from None
    group.delete()


# QSGs -----------------------------------------------------------------------------------------------

QSG_EDITABLE = {"footprint", "moderation_enabled"}


@transaction.atomic
def qsg_update(*, actor, qsg: QSG, **changes) -> QSG:
    unknown = set(changes) - QSG_EDITABLE
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}")
    if "footprint" in changes:
        screen_pid({"footprint": ("Footprint", changes["footprint"])})
    for key, value in changes.items():
        setattr(qsg, key, value)
    qsg.full_clean()
    _stamp(qsg, actor)
    if changes:
        qsg.save(update_fields=list(changes))
    return qsg


# Memberships --------------------------------------------------------------------------------


@transaction.atomic
def membership_add(
    *,
    actor,
    qsg: QSG,
    organisation: Organisation,
    kind: str = Membership.Kind.CORE,
    joined_on=None,
    notes="",
) -> Membership:
    if Membership.objects.filter(qsg=qsg, organisation=organisation).exists():
        raise ValidationError(
            {"organisation": f"{organisation.name} is already a member of {qsg.name}"}
        )
    if not organisation.is_active:
        raise ValidationError({"organisation": "This organisation is inactive"})
    screen_pid({"notes": ("Notes", notes)})
    membership = Membership(
        qsg=qsg, organisation=organisation, kind=kind, joined_on=joined_on, notes=notes
    )
    membership.full_clean()
    _stamp(membership, actor)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ValidationError(
            {"organisation": f"{organisation.name} is already a member of {qsg.name}"}
        ) from None
    assign_perm(access.VIEW_QSG, organisation.group, qsg)
    return membership


@transaction.atomic
def membership_update(*, actor, membership: Membership, **changes) -> Membership:
    allowed = {"kind", "joined_on", "notes"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}")
    if "notes" in changes:
        screen_pid({"notes": ("Notes", changes["notes"])})
    for key, value in changes.items():
        setattr(membership, key, value)
    membership.full_clean()
    _stamp(membership, actor)
    membership.save(update_fields=list(changes))
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    holders = QSGRole.objects.filter(qsg=membership.qsg, user__organisation=membership.organisation)
    if holders.exists():
        raise ValidationError(
            f"{membership.organisation.name} cannot leave {membership.qsg.name} while its people hold "
            "roles there. Remove their roles first."
        )
    _stamp(membership, actor)
    organisation, qsg = membership.organisation, membership.qsg
    membership.delete()
    remove_perm(access.VIEW_QSG, organisation.group, qsg)


# Roles ----------------------------------------------------------------------------------------


@transaction.atomic
def role_assign(
    *, actor, qsg: QSG, user: User, role: str, is_named_representative: bool = True
) -> QSGRole:
    if role == Role.REGIONAL_REVIEWER and qsg.level == QSG.Level.LOCAL:
        raise ValidationError(
            {
                "role": say(
                    "Reviewers are appointed on a regional or national group, not a local one"
                )
            }
        )
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role"})
    if (
        not user.organisation_id
        or not Membership.objects.filter(qsg=qsg, organisation_id=user.organisation_id).exists()
    ):
        raise ValidationError(
            {"user": f"{user.display_name}'s organisation is not a member of {qsg.name}"}
        )
    if QSGRole.objects.filter(qsg=qsg, user=user, role=role).exists():
        raise ValidationError({"user": f"{user.display_name} already has this role in {qsg.name}"})
    qsg_role = QSGRole(
        qsg=qsg, user=user, role=role, is_named_representative=is_named_representative
    )
    qsg_role.full_clean()
    _stamp(qsg_role, actor)
    qsg_role.save()
    access.forget(user)
    return qsg_role


@transaction.atomic
def role_remove(*, actor, qsg_role: QSGRole) -> None:
    if qsg_role.role == Role.SECRETARIAT:
        others = QSGRole.objects.filter(qsg_id=qsg_role.qsg_id, role=Role.SECRETARIAT).exclude(
            pk=qsg_role.pk
        )
        if not others.exists():
            raise ValidationError(say("A QSG must keep at least one secretariat member."))
    _stamp(qsg_role, actor)
    qsg_role.delete()
    access.forget(qsg_role.user)


# Providers ------------------------------------------------------------------------------------


def _check_local(qsg: QSG) -> None:
    if qsg.level != QSG.Level.LOCAL:
        raise ValidationError({"qsg": say("A provider sits in the footprint of a local QSG")})


def check_other_qsgs(lead: QSG, others) -> list[QSG]:
    """Other groups whose footprint a provider sits in: local groups, not its lead group."""
    others = list(others)
    if any(q.level != QSG.Level.LOCAL for q in others):
        raise ValidationError({"other_qsgs": "A provider sits in the footprint of local groups"})
    if any(q.pk == lead.pk for q in others):
        raise ValidationError(
            {"other_qsgs": f"{lead.name} is the lead group: choose only the other groups"}
        )
    return others


@transaction.atomic
def provider_create(
    *,
    actor,
    ods_code: str,
    name: str,
    sector: str,
    qsg: QSG,
    district: str = "",
    commissioners=(),
    other_qsgs=(),
) -> Provider:
    _check_local(qsg)
    other_qsgs = check_other_qsgs(qsg, other_qsgs)
    ods_code = ods_code.strip().upper()
    if Provider.objects.filter(ods_code=ods_code).exists():
        raise ValidationError({"ods_code": f"A provider with ODS code {ods_code} already exists"})
    screen_pid({"district": ("District", district)})
    provider = Provider(
        ods_code=ods_code, name=name.strip(), sector=sector, qsg=qsg, district=district
    )
    provider.full_clean()
    _stamp(provider, actor)
    try:
        with transaction.atomic():
            provider.save()
    except IntegrityError:
        raise ValidationError(
            {"ods_code": f"A provider with ODS code {ods_code} already exists"}
        ) from None
    if commissioners:
        provider.commissioners.set(commissioners)
    if other_qsgs:
        provider.other_qsgs.set(other_qsgs)
    return provider


@transaction.atomic
def provider_update(
    *, actor, provider: Provider, commissioners=None, other_qsgs=None, **changes
) -> Provider:
    if "qsg" in changes:
        _check_local(changes["qsg"])
    if other_qsgs is not None or "qsg" in changes:
        # A new lead group may not stay among the other groups, nor the lead join them.
        lead = changes.get("qsg", provider.qsg)
        wanted = provider.other_qsgs.all() if other_qsgs is None else other_qsgs
        checked = check_other_qsgs(lead, wanted)
        other_qsgs = checked if other_qsgs is not None else None
    if "ods_code" in changes:
        changes["ods_code"] = changes["ods_code"].strip().upper()
        if Provider.objects.filter(ods_code=changes["ods_code"]).exclude(pk=provider.pk).exists():
            raise ValidationError(
                {"ods_code": f"A provider with ODS code {changes['ods_code']} already exists"}
            )
    if "district" in changes:
        screen_pid({"district": ("District", changes["district"])})
    for key, value in changes.items():
        setattr(provider, key, value)
    provider.full_clean()
    _stamp(provider, actor)
    if changes:
        provider.save(update_fields=list(changes))
    if commissioners is not None:
        provider.commissioners.set(commissioners)
    if other_qsgs is not None:
        provider.other_qsgs.set(other_qsgs)
    return provider


@transaction.atomic
def provider_delete(*, actor, provider: Provider) -> None:
    _stamp(provider, actor)
    try:
        provider.delete()
    except ProtectedError:
        raise ValidationError(
            f"{provider.name} cannot be deleted because records refer to it (intelligence, meetings or "
            "dashboard data). Mark it inactive instead."
        ) from None


# Users ------------------------------------------------------------------------------------------


PROFILE_FIELDS = {"first_name", "last_name", "email", "job_title"}


@transaction.atomic
def user_profile_update(*, actor, user: User, **changes) -> User:
    """A person's own details. Their name is a person's name and their e-mail an address; the
    job title is shown beside their name on notes and summits: nothing about a patient."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}")
    screen_pid(
        {
            "first_name": ("First name", changes.get("first_name")),
            "last_name": ("Last name", changes.get("last_name")),
            "job_title": ("Job title", changes.get("job_title")),
        },
        allow={"first_name": ("personal_name",), "last_name": ("personal_name",)},
    )
    for key, value in changes.items():
        setattr(user, key, value)
    user.save(update_fields=list(changes))
    return user


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    organisation: Organisation,
    password: str | None,
    first_name="",
    last_name="",
    email="",
    job_title="",
) -> User:
    user = User(
        username=username,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    _stamp(user, actor)
    user.save()
    return user
