"""The 2022 demo network (`QSG_PROFILE=2022 make demo`): one integrated care system region with
two ICBs, each convening a System Quality Group with its providers among the members, and the
NHS England region's Regional Quality Group above them.

The same models and code as the 2013 network: a System Quality Group is a local group, a
Regional Quality Group a regional one; only the words (qsg.vocabulary) and the data differ.
Idempotent, like the 2013 demo.
"""

from __future__ import annotations

from django.db import transaction

from . import services
from .demo import DemoAccount, _member, _org, _qsg
from .models import QSG, Membership, OrganisationType, Provider, QSGRole

Role = QSGRole.Role
Kind = Membership.Kind

REGION = "North East and Yorkshire"
REGIONAL_GROUP = "North East and Yorkshire Regional Quality Group"
REGION_TEAM = "NHS England North East and Yorkshire"
CQC = "Care Quality Commission, North East and Yorkshire"

# (prefix, system, ICB, providers: (ODS code, name, sector)), codes from the A&E data set so the
# dashboard has their data.
SYSTEMS = [
    (
        "wy",
        "West Yorkshire",
        "NHS West Yorkshire Integrated Care Board",
        [
            ("RXF", "Mid Yorkshire Teaching NHS Trust", Provider.Sector.ACUTE),
            ("RAE", "Bradford Teaching Hospitals NHS Foundation Trust", Provider.Sector.ACUTE),
            ("RWY", "Calderdale and Huddersfield NHS Foundation Trust", Provider.Sector.ACUTE),
            ("RR8", "Leeds Teaching Hospitals NHS Trust", Provider.Sector.ACUTE),
        ],
    ),
    (
        "hny",
        "Humber and North Yorkshire",
        "NHS Humber and North Yorkshire Integrated Care Board",
        [
            ("RCB", "York and Scarborough Teaching Hospitals NHS Foundation Trust", "acute"),
            ("RWA", "Hull University Teaching Hospitals NHS Trust", Provider.Sector.ACUTE),
            ("RCD", "Harrogate and District NHS Foundation Trust", Provider.Sector.ACUTE),
        ],
    ),
]
EXTRA_TYPES = [
    ("provider-trust", "NHS provider trust or foundation trust", 150),
    ("safeguarding-partnership", "Safeguarding partnership", 160),
]


def system_group_name(system: str) -> str:
    return f"{system} System Quality Group"


def _types() -> None:
    for code, label, order in EXTRA_TYPES:
        OrganisationType.objects.get_or_create(
            code=code,
            defaults={"label": label, "is_statutory": False, "sort_order": order},
        )


@transaction.atomic
def seed_network() -> dict[str, int]:
    _types()
    region_team = _org(REGION_TEAM, "nhse-region")
    cqc = _org(CQC, "cqc")
    gmc = _org("General Medical Council", "gmc")
    nmc = _org("Nursing and Midwifery Council", "nmc")
    regional = _qsg(REGIONAL_GROUP, QSG.Level.REGIONAL, REGION, None, region_team)
    for org in (region_team, cqc, gmc, nmc):
        _member(regional, org)
    made = 0
    for _prefix, system, icb_name, providers in SYSTEMS:
        icb = _org(icb_name, "icb-ccg")
        group = _qsg(system_group_name(system), QSG.Level.LOCAL, system, regional, icb)
        _member(regional, icb)
        _member(group, icb)
        _member(group, region_team, Kind.FULL)
        _member(group, cqc)
        _member(group, _org(f"Local authorities of {system}", "local-authority"))
        _member(group, _org(f"Healthwatch in {system}", "local-healthwatch"))
        _member(group, _org(f"{system} safeguarding partnership", "safeguarding-partnership"))
        _member(group, nmc, Kind.FULL)
        for code, name, sector in providers:
            # The provider trust is a member organisation of its system's group too.
            _member(group, _org(name, "provider-trust", ods_code=code), Kind.FULL)
            if not Provider.objects.filter(ods_code=code).exists():
                services.provider_create(
                    actor=None,
                    ods_code=code,
                    name=name,
                    sector=sector,
                    qsg=group,
                    commissioners=[icb],
                )
                made += 1
    return {"groups": QSG.objects.filter(name__endswith="Quality Group").count(), "new": made}


def demo_groups():
    from .demo import DemoGroups

    return DemoGroups(
        locals=[(prefix, system_group_name(system)) for prefix, system, _icb, _p in SYSTEMS],
        regional=("ney", REGIONAL_GROUP),
    )


def demo_accounts_spec() -> list[DemoAccount]:
    accounts: list[DemoAccount] = []
    for prefix, system, icb, providers in SYSTEMS:
        group = system_group_name(system)
        accounts += [
            DemoAccount(f"{prefix}.secretariat", "Sam", f"Secretariat ({system})", icb, group,
                        Role.SECRETARIAT, "System Quality Group secretariat"),
            DemoAccount(f"{prefix}.chair", "Chris", f"Chair ({system})", icb, group, Role.CHAIR,
                        "Chief nurse, ICB"),
            DemoAccount(f"{prefix}.cqc", "Cara", f"Inspector ({system})", CQC, group,
                        Role.MEMBER, "Deputy director of operations"),
            DemoAccount(f"{prefix}.analyst", "Ana", f"Analyst ({system})", icb, group,
                        Role.MEMBER, "Quality analyst", analyst=True),
            DemoAccount(f"{prefix}.icb", "Ira", f"Quality lead ({system})", icb, group,
                        Role.MEMBER, "Head of quality, ICB"),
            DemoAccount(f"{prefix}.healthwatch", "Hana", f"Healthwatch ({system})",
                        f"Healthwatch in {system}", group, Role.MEMBER, "Healthwatch manager"),
            # A provider trust's own person: sees only what is shared with the trust.
            DemoAccount(f"{prefix}.trust", "Tom", f"Trust lead ({system})", providers[0][1],
                        group, Role.MEMBER, "Director of nursing"),
        ]  # fmt: skip
    accounts += [
        DemoAccount("ney.secretariat", "Rhys", "Secretariat (NEY)", REGION_TEAM, REGIONAL_GROUP,
                    Role.SECRETARIAT, "Regional Quality Group secretariat"),
        DemoAccount("ney.chair", "Rowan", "Chair (NEY)", REGION_TEAM, REGIONAL_GROUP, Role.CHAIR,
                    "Regional chief nurse"),
        DemoAccount("ney.reviewer", "Riley", "Reviewer (NEY)", REGION_TEAM, REGIONAL_GROUP,
                    Role.REGIONAL_REVIEWER, "Regional quality lead"),
    ]  # fmt: skip
    return accounts
