"""One fixed cast across two local QSGs in one region, a third local QSG elsewhere and an outsider.

QSG C counts a provider trust among its member organisations (issue 16, build 2): trust_c, of
Charlie University Hospitals' own trust (not a statutory body), is a member of C and sees what
is shared with C's members and nothing else (the matrix and the crawl hold it to "nothing" of
QSG A, B and the region; tests/qsg/test_tiers.py to what C shares).

Everything is created through the services, exactly as the product creates it, so that the
organisation groups' object permissions are real.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from qsg import services
from qsg.models import QSG, Membership, Organisation, OrganisationType, Provider, QSGRole, User

Role = QSGRole.Role

PASSWORD = "cast-password-123"


@dataclass
class Cast:
    qsgs: dict[str, QSG] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)
    roles: dict[str, QSGRole] = field(default_factory=dict)

    def __getattr__(self, name: str):
        for bucket in ("users", "qsgs", "orgs", "providers"):
            values = self.__dict__.get(bucket, {})
            if name in values:
                return values[name]
        raise AttributeError(name)


# Who is who (key: organisation key, QSG key, role)
PEOPLE = {
    "secretariat_a": ("nhse_a", "a", Role.SECRETARIAT),
    "chair_a": ("nhse_a", "a", Role.CHAIR),
    "member_a": ("icb_a", "a", Role.MEMBER),
    "cqc_a": ("cqc", "a", Role.MEMBER),
    "observer_a": ("la_a", "a", Role.OBSERVER),
    "secretariat_b": ("nhse_b", "b", Role.SECRETARIAT),
    "member_b": ("icb_b", "b", Role.MEMBER),
    "regional_secretariat": ("nhse_r", "r", Role.SECRETARIAT),
    "reviewer": ("nhse_r", "r", Role.REGIONAL_REVIEWER),
    "regional_member": ("cqc", "r", Role.MEMBER),
    "secretariat_c": ("nhse_c", "c", Role.SECRETARIAT),
    "member_c": ("icb_c", "c", Role.MEMBER),
    "trust_c": ("trust_c1", "c", Role.MEMBER),
    "outsider": ("outsider_org", None, None),
}

# Groups of cast members used by the permission matrix.
A_PARTICIPANTS = {"secretariat_a", "chair_a", "member_a", "cqc_a", "observer_a"}
REGIONAL_OVERSIGHT = {"regional_secretariat", "reviewer"}
NOT_A = {
    "secretariat_b",
    "member_b",
    "secretariat_c",
    "member_c",
    "trust_c",
    "outsider",
    "regional_member",
}
EVERYONE = set(PEOPLE)
# Analysts (the dashboard's "Analysts" group): they load national data for any provider, but
# see only what their role lets them see. member_b sees QSG B's providers only.
ANALYSTS = {"member_b"}


def ensure_reference_data() -> None:
    """Browser tests flush the database between tests; put back what migrations seeded."""
    if not OrganisationType.objects.exists():
        from django.apps import apps

        importlib.import_module("qsg.migrations.0002_organisation_types").seed(apps, None)


def build_cast() -> Cast:
    ensure_reference_data()
    from qsg.demo_2022 import ensure_types

    ensure_types()  # the provider trust's type
    cast = Cast()
    types = {t.code: t for t in OrganisationType.objects.all()}

    def org(key: str, name: str, type_code: str) -> Organisation:
        cast.orgs[key] = services.organisation_create(actor=None, name=name, type=types[type_code])
        return cast.orgs[key]

    org("nhse_r", "NHS England Test North regional team", "nhse-region")
    org("nhse_a", "NHS England Area A team", "nhse-area-team")
    org("nhse_b", "NHS England Area B team", "nhse-area-team")
    org("nhse_c", "NHS England Area C team", "nhse-area-team")
    org("nhse_s", "NHS England Test South regional team", "nhse-region")
    org("icb_a", "Alpha Integrated Care Board", "icb-ccg")
    org("icb_b", "Bravo Integrated Care Board", "icb-ccg")
    org("icb_c", "Charlie Integrated Care Board", "icb-ccg")
    org("cqc", "Care Quality Commission, Test North", "cqc")
    org("la_a", "Alpha Borough Council", "local-authority")
    org("hw_a", "Healthwatch Alpha", "local-healthwatch")
    org("trust_c1", "Charlie University Hospitals NHS Trust", "provider-trust")
    org("outsider_org", "Outside Body Ltd", "other")

    def qsg(key: str, name: str, level: str, regional: QSG | None, convenor: str) -> QSG:
        q = QSG(
            name=name,
            slug=key + "-qsg",
            level=level,
            regional_qsg=regional,
            footprint=name,
            convening_organisation=cast.orgs[convenor],
        )
        q.full_clean()
        q.save()
        cast.qsgs[key] = q
        return q

    r = qsg("r", "Test North regional QSG", QSG.Level.REGIONAL, None, "nhse_r")
    s = qsg("s", "Test South regional QSG", QSG.Level.REGIONAL, None, "nhse_s")
    qsg("a", "Area A QSG", QSG.Level.LOCAL, r, "nhse_a")
    qsg("b", "Area B QSG", QSG.Level.LOCAL, r, "nhse_b")
    qsg("c", "Area C QSG", QSG.Level.LOCAL, s, "nhse_c")

    def member(qsg_key: str, org_key: str, kind=Membership.Kind.CORE) -> None:
        cast.memberships[f"{qsg_key}:{org_key}"] = services.membership_add(
            actor=None, qsg=cast.qsgs[qsg_key], organisation=cast.orgs[org_key], kind=kind
        )

    for org_key in ("nhse_r", "nhse_a", "nhse_b", "cqc"):
        member("r", org_key)
    member("s", "nhse_s")
    for org_key in ("nhse_a", "icb_a", "cqc", "la_a", "hw_a"):
        member("a", org_key)
    member("c", "trust_c1", Membership.Kind.FULL)
    for org_key in ("nhse_b", "icb_b", "cqc"):
        member("b", org_key)
    for org_key in ("nhse_c", "icb_c"):
        member("c", org_key)

    for username, (org_key, qsg_key, role) in PEOPLE.items():
        first, _, last = username.partition("_")
        user = services.user_create(
            actor=None,
            username=username,
            organisation=cast.orgs[org_key],
            password=PASSWORD,
            first_name=first.title(),
            last_name=(last or "person").title(),
            email=f"{username}@example.nhs.uk",
        )
        cast.users[username] = user
        if qsg_key:
            cast.roles[username] = services.role_assign(
                actor=None, qsg=cast.qsgs[qsg_key], user=user, role=role
            )

    def provider(
        key: str, code: str, name: str, qsg_key: str, commissioners: list[str], sector="acute"
    ) -> None:
        cast.providers[key] = services.provider_create(
            actor=None,
            ods_code=code,
            name=name,
            sector=sector,
            qsg=cast.qsgs[qsg_key],
            commissioners=[cast.orgs[c] for c in commissioners],
        )

    from django.contrib.auth.models import Group

    from dashboard.apps import ensure_analyst_group
    from dashboard.models import Indicator
    from qsg.demo import ANALYSTS_GROUP

    if not Indicator.objects.exists():  # flushed by an earlier transactional test
        from django.apps import apps

        importlib.import_module("dashboard.migrations.0002_seed_indicators").seed(apps, None)
    ensure_analyst_group()
    analysts = Group.objects.get(name=ANALYSTS_GROUP)
    for username in ANALYSTS:
        cast.users[username].groups.add(analysts)

    provider("provider_a1", "RAA", "Alpha General Hospital", "a", ["icb_a"])
    provider("provider_a2", "RAB", "Alpha Community Services", "a", ["icb_a"], sector="community")
    provider("provider_b1", "RBA", "Bravo Royal Infirmary", "b", ["icb_b", "icb_a"])
    provider("provider_c1", "RCA", "Charlie University Hospitals", "c", ["icb_c"])
    return cast


# The national tier (issue 16): a national group over region R, its team's secretariat and
# reviewer. They read R, A and B read-only as R's team reads A and B, and change nothing there.
# Not in PEOPLE: tests that need them call `add_national` (the permission matrix's national
# rows, the crawl, tests/qsg/test_tiers.py).
NATIONAL_PEOPLE = {
    "national_secretariat": Role.SECRETARIAT,
    "national_reviewer": Role.REGIONAL_REVIEWER,
}


def add_national(cast: Cast) -> QSG:
    from qsg.demo_2022 import ensure_types

    ensure_types()  # the national team's organisation type
    cast.orgs["nhse_n"] = services.organisation_create(
        actor=None,
        name="NHS England national quality team",
        type=OrganisationType.objects.get(code="nhse-national"),
    )
    national = QSG(
        name="National Quality Group",
        slug="national-qg",
        level=QSG.Level.NATIONAL,
        footprint="England",
        convening_organisation=cast.orgs["nhse_n"],
    )
    national.full_clean()
    national.save()
    cast.qsgs["n"] = national
    region = cast.qsgs["r"]
    region.regional_qsg = national
    region.full_clean()
    region.save()
    services.membership_add(actor=None, qsg=national, organisation=cast.orgs["nhse_n"])
    for username, role in NATIONAL_PEOPLE.items():
        user = services.user_create(
            actor=None,
            username=username,
            organisation=cast.orgs["nhse_n"],
            password=PASSWORD,
            first_name="National",
            last_name=username.partition("_")[2].title(),
            email=f"{username}@example.nhs.uk",
        )
        cast.users[username] = user
        cast.roles[username] = services.role_assign(actor=None, qsg=national, user=user, role=role)
    return national
