"""Demo data: the 2013 QSG network, providers from the A&E data set and an account per role.

Idempotent: a second run finds everything by its natural key and only resets demo passwords.
Higher layers add their own demo data through `register_seeder` (called after the network).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from . import notifications, services, vocabulary
from .models import QSG, Membership, Organisation, OrganisationType, Provider, QSGRole, User

Role = QSGRole.Role
Kind = Membership.Kind

DEFAULT_PASSWORD = "qsg-demo-2026"  # noqa: S105 (documented demo default)
ANALYSTS_GROUP = "Analysts"

_SEEDERS: dict[str, tuple[int, Callable[..., None]]] = {}


def register_seeder(name: str, fn: Callable[..., None], order: int = 100) -> None:
    """Higher layers register a function(stdout, password) adding their demo data."""
    _SEEDERS[name] = (order, fn)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    organisation: str
    qsg: str
    role: str
    job_title: str = ""
    analyst: bool = False


def shared_dir() -> Path:
    return Path(settings.SHARED_DIR)


def _org_type(code: str) -> OrganisationType:
    return OrganisationType.objects.get(code=code)


def _org(name: str, type_code: str, **extra) -> Organisation:
    existing = Organisation.objects.filter(name=name).first()
    if existing:
        return existing
    return services.organisation_create(actor=None, name=name, type=_org_type(type_code), **extra)


def _member(qsg: QSG, organisation: Organisation, kind: str = Kind.CORE) -> None:
    if not Membership.objects.filter(qsg=qsg, organisation=organisation).exists():
        services.membership_add(actor=None, qsg=qsg, organisation=organisation, kind=kind)


def _qsg(
    name: str, level: str, footprint: str, regional: QSG | None, convenor: Organisation
) -> QSG:
    qsg = QSG.objects.filter(name=name).first()
    if qsg is None:
        qsg = QSG(
            name=name,
            slug=slugify(name)[:120],
            level=level,
            footprint=footprint,
            regional_qsg=regional,
            convening_organisation=convenor,
        )
        qsg.full_clean()
        qsg.save()
    return qsg


def read_network() -> list[tuple[str, str]]:
    with (shared_dir() / "data" / "network_2013.csv").open(newline="", encoding="utf-8") as fh:
        return [(row["region"].strip(), row["area_team"].strip()) for row in csv.DictReader(fh)]


def local_qsg_name(area: str) -> str:
    return f"{area} QSG"


def regional_qsg_name(region: str) -> str:
    return f"{region} regional QSG"


@transaction.atomic
def seed_network() -> dict[str, int]:
    """The 4 regional and 27 local QSGs with the members the 2013 guidance lists."""
    network = read_network()
    regions = sorted({r for r, _ in network}, key=[r for r, _ in network].index)
    national = {
        "healthwatch_england": _org("Healthwatch England", "healthwatch-england"),
        "gmc": _org("General Medical Council", "gmc"),
        "nmc": _org("Nursing and Midwifery Council", "nmc"),
        "ombudsman": _org("Parliamentary and Health Service Ombudsman", "ombudsman"),
    }
    for region in regions:
        nhse_region = _org(f"NHS England {region} regional team", "nhse-region")
        regional_bodies = {
            "cqc": _org(f"Care Quality Commission, {region}", "cqc"),
            "monitor": _org(f"Monitor, {region}", "monitor-nhsi"),
            "tda": _org(f"NHS Trust Development Authority, {region}", "nhs-tda"),
            "phe": _org(f"Public Health England, {region}", "phe-ukhsa"),
            "letb": _org(f"Local education and training board, {region}", "hee-letb"),
            "la": _org(f"Local government representatives, {region}", "local-authority"),
        }
        regional = _qsg(regional_qsg_name(region), QSG.Level.REGIONAL, region, None, nhse_region)
        _member(regional, nhse_region)
        for org in [*regional_bodies.values(), *national.values()]:
            _member(regional, org)
        for area in [a for r, a in network if r == region]:
            area_team = _org(f"NHS England {area} area team", "nhse-area-team")
            local = _qsg(local_qsg_name(area), QSG.Level.LOCAL, area, regional, area_team)
            _member(regional, area_team)
            _member(local, area_team)
            _member(local, _org(f"NHS {area} Integrated Care Board", "icb-ccg"))
            _member(local, _org(f"Healthwatch {area}", "local-healthwatch"))
            _member(local, _org(f"Local authorities of {area}", "local-authority"))
            _member(local, regional_bodies["cqc"])
            _member(local, regional_bodies["monitor"], Kind.FULL)
            _member(local, regional_bodies["tda"], Kind.FULL)
            _member(local, regional_bodies["phe"])
            _member(local, regional_bodies["letb"])
    return {
        "regional": QSG.objects.filter(level="regional").count(),
        "local": QSG.objects.filter(level="local").count(),
    }


def _sector(code: str, types: set[str]) -> str:
    if code.startswith("R"):
        if "1" in types:
            return Provider.Sector.ACUTE
        return Provider.Sector.COMMUNITY
    if code.startswith("N"):
        return Provider.Sector.INDEPENDENT
    return Provider.Sector.PRIMARY_CARE


def _provider_name(code: str, sector: str) -> str:
    if code.startswith("R"):
        return f"{code} NHS Trust"
    if sector == Provider.Sector.INDEPENDENT:
        return f"{code} independent provider"
    return f"{code} urgent care centre"


def read_provider_codes() -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {}
    with (shared_dir() / "data" / "ae_attendances.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            codes.setdefault(row["org_code"].strip().upper(), set()).add(row["type"].strip())
    return codes


def assign_providers(codes: list[str], locals_: list[QSG]) -> dict[str, QSG]:
    """Deterministic: codes in sorted order dealt round the local QSGs in name order."""
    ordered = sorted(locals_, key=lambda q: q.name)
    return {code: ordered[i % len(ordered)] for i, code in enumerate(sorted(codes))}


@transaction.atomic
def seed_providers() -> int:
    codes = read_provider_codes()
    locals_ = list(QSG.objects.filter(level=QSG.Level.LOCAL))
    placement = assign_providers(list(codes), locals_)
    icb_of = {
        q.pk: Organisation.objects.get(name=f"NHS {q.footprint} Integrated Care Board")
        for q in locals_
    }
    ordered_locals = sorted(locals_, key=lambda q: q.name)
    created = 0
    for index, code in enumerate(sorted(codes)):
        if Provider.objects.filter(ods_code=code).exists():
            continue
        qsg = placement[code]
        sector = _sector(code, codes[code])
        commissioners = [icb_of[qsg.pk]]
        if sector == Provider.Sector.ACUTE and index % 5 == 0:
            # Some trusts are also commissioned from outside their footprint (liaison needed).
            neighbour = ordered_locals[(ordered_locals.index(qsg) + 1) % len(ordered_locals)]
            commissioners.append(icb_of[neighbour.pk])
        services.provider_create(
            actor=None,
            ods_code=code,
            name=_provider_name(code, sector),
            sector=sector,
            qsg=qsg,
            commissioners=commissioners,
        )
        created += 1
    return created


@dataclass(frozen=True)
class DemoGroups:
    """The groups the apps' demo seeders fill, each with its accounts' username prefix."""

    locals: list[tuple[str, str]]  # (prefix, group name)
    regional: tuple[str, str]


def demo_groups() -> DemoGroups:
    if vocabulary.profile() == "2022":
        from .demo_2022 import demo_groups as groups_2022

        return groups_2022()
    return DemoGroups(
        locals=[
            ("gm", "Greater Manchester QSG"),
            ("lancs", "Lancashire QSG"),
            ("wessex", "Wessex QSG"),
        ],
        regional=("north", "North regional QSG"),
    )


def demo_accounts_spec() -> list[DemoAccount]:
    if vocabulary.profile() == "2022":
        from .demo_2022 import demo_accounts_spec as spec_2022

        return spec_2022()
    accounts: list[DemoAccount] = []
    for prefix, area, region in [
        ("gm", "Greater Manchester", "North"),
        ("lancs", "Lancashire", "North"),
        ("wessex", "Wessex", "South"),
    ]:
        qsg = local_qsg_name(area)
        nhse = f"NHS England {area} area team"
        accounts += [
            DemoAccount(
                f"{prefix}.secretariat",
                "Sam",
                f"Secretariat ({area})",
                nhse,
                qsg,
                Role.SECRETARIAT,
                "QSG secretariat",
            ),
            DemoAccount(
                f"{prefix}.chair",
                "Chris",
                f"Chair ({area})",
                nhse,
                qsg,
                Role.CHAIR,
                "Area director",
            ),
            DemoAccount(
                f"{prefix}.icb",
                "Indira",
                f"Commissioner ({area})",
                f"NHS {area} Integrated Care Board",
                qsg,
                Role.MEMBER,
                "Director of quality",
            ),
            DemoAccount(
                f"{prefix}.cqc",
                "Cara",
                f"Inspector ({area})",
                f"Care Quality Commission, {region}",
                qsg,
                Role.MEMBER,
                "Compliance manager",
            ),
            DemoAccount(
                f"{prefix}.healthwatch",
                "Harriet",
                f"Healthwatch ({area})",
                f"Healthwatch {area}",
                qsg,
                Role.MEMBER,
                "Chief officer",
            ),
            DemoAccount(
                f"{prefix}.observer",
                "Olu",
                f"Observer ({area})",
                f"Local authorities of {area}",
                qsg,
                Role.OBSERVER,
                "Adult social care lead",
            ),
            DemoAccount(
                f"{prefix}.analyst",
                "Ana",
                f"Analyst ({area})",
                nhse,
                qsg,
                Role.MEMBER,
                "Quality analyst",
                analyst=True,
            ),
        ]
    regional = regional_qsg_name("North")
    accounts += [
        DemoAccount(
            "north.secretariat",
            "Rhys",
            "Secretariat (North)",
            "NHS England North regional team",
            regional,
            Role.SECRETARIAT,
            "Regional QSG secretariat",
        ),
        DemoAccount(
            "north.chair",
            "Rowan",
            "Chair (North)",
            "NHS England North regional team",
            regional,
            Role.CHAIR,
            "Regional director",
        ),
        DemoAccount(
            "north.reviewer",
            "Riley",
            "Reviewer (North)",
            "NHS England North regional team",
            regional,
            Role.REGIONAL_REVIEWER,
            "Regional quality lead",
        ),
        DemoAccount(
            "north.cqc",
            "Casey",
            "Regional director (CQC North)",
            "Care Quality Commission, North",
            regional,
            Role.MEMBER,
            "Regional director",
        ),
        DemoAccount(
            "north.observer",
            "Quinn",
            "Observer (North)",
            "Healthwatch England",
            regional,
            Role.OBSERVER,
            "Regional manager",
        ),
    ]
    return accounts


@transaction.atomic
def seed_accounts(password: str) -> list[DemoAccount]:
    analysts, _ = Group.objects.get_or_create(name=ANALYSTS_GROUP)
    specs = demo_accounts_spec()
    # Hash once: every demo account shares the demo password, and hashing is deliberately slow.
    encoded = make_password(password)
    for spec in specs:
        organisation = Organisation.objects.get(name=spec.organisation)
        qsg = QSG.objects.get(name=spec.qsg)
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = services.user_create(
                actor=None,
                username=spec.username,
                organisation=organisation,
                password=None,
                first_name=spec.first_name,
                last_name=spec.last_name,
                job_title=spec.job_title,
                email=f"{spec.username}@demo.qsg-workspace.invalid",
            )
        # A queryset update: resetting the demo password is not a change worth an audit row.
        User.objects.filter(pk=user.pk).update(password=encoded, is_active=True)
        if not QSGRole.objects.filter(user=user, qsg=qsg, role=spec.role).exists():
            services.role_assign(actor=None, qsg=qsg, user=user, role=spec.role)
        if spec.analyst:
            user.groups.add(analysts)
    return specs


def seed(*, password: str, stdout=None) -> None:
    # Demo data is not news: seeding raises no notifications (none kept to send later either).
    with notifications.muted():
        if vocabulary.profile() == "2022":
            # QSG_PROFILE=2022: an integrated care system network instead of the 2013 one; the
            # seeders below find their 2013 groups missing and add nothing, except those that
            # seed the 2022 story (escalation) and the dashboard's data.
            from . import demo_2022

            demo_2022.seed_network()
        else:
            seed_network()
            seed_providers()
        seed_accounts(password)
        for _, fn in sorted(_SEEDERS.values(), key=lambda item: item[0]):
            fn(stdout=stdout, password=password)


def accounts_listing() -> list[dict[str, str]]:
    """One entry per demo account and role, as `demo_accounts --json` prints it."""
    wanted = {s.username for s in demo_accounts_spec()}
    rows = (
        QSGRole.objects.filter(user__username__in=wanted)
        .select_related("user", "user__organisation", "qsg")
        .order_by("qsg__level", "qsg__name", "user__username")
    )
    return [
        {
            "username": r.user.username,
            "organisation": r.user.organisation.name if r.user.organisation else "",
            "qsg": r.qsg.name,
            "role": r.role,
        }
        for r in rows
    ]
