"""The 2022 demo network (`QSG_PROFILE=2022 make demo`): one integrated care system region with
two ICBs, each convening a System Quality Group with its providers among the members, the
NHS England region's Regional Quality Group above them, and a national group above the region
(it reads the region read-only, as the region reads its systems). The region's ambulance
trust serves both systems: West Yorkshire's group leads, Humber and North Yorkshire's has it
in its footprint too.

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
NATIONAL_GROUP = "National Quality Group"
NATIONAL_TEAM = "NHS England national quality team"
# A provider serving both systems: (ODS code, name, sector, lead system, other systems).
SHARED = ("RX8", "Yorkshire Ambulance Service NHS Trust", Provider.Sector.AMBULANCE, "wy", ["hny"])

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
    ("provider-trust", "NHS provider trust or foundation trust", 150, {}),
    ("safeguarding-partnership", "Safeguarding partnership", 160, {}),
    (
        "nhse-national",
        "NHS England national team",
        5,
        {"is_statutory": True, "is_commissioner": True, "is_nhs_england": True},
    ),
]


def system_group_name(system: str) -> str:
    return f"{system} System Quality Group"


def ensure_types() -> None:
    """The organisation types the 2022 network adds (provider trusts, safeguarding
    partnerships, the NHS England national team)."""
    for code, label, order, flags in EXTRA_TYPES:
        OrganisationType.objects.get_or_create(
            code=code,
            defaults={"label": label, "is_statutory": False, "sort_order": order, **flags},
        )


@transaction.atomic
def seed_network() -> dict[str, int]:
    ensure_types()
    region_team = _org(REGION_TEAM, "nhse-region")
    cqc = _org(CQC, "cqc")
    gmc = _org("General Medical Council", "gmc")
    nmc = _org("Nursing and Midwifery Council", "nmc")
    national_team = _org(NATIONAL_TEAM, "nhse-national")
    national = _qsg(NATIONAL_GROUP, QSG.Level.NATIONAL, "England", None, national_team)
    for org in (national_team, region_team, gmc, nmc):
        _member(national, org)
    regional = _qsg(REGIONAL_GROUP, QSG.Level.REGIONAL, REGION, national, region_team)
    for org in (region_team, cqc, gmc, nmc):
        _member(regional, org)
    made = 0
    groups: dict[str, tuple[QSG, object]] = {}
    for prefix, system, icb_name, providers in SYSTEMS:
        icb = _org(icb_name, "icb-ccg")
        group = _qsg(system_group_name(system), QSG.Level.LOCAL, system, regional, icb)
        groups[prefix] = (group, icb)
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
    made += _shared_provider(groups)
    return {"groups": QSG.objects.filter(name__endswith="Quality Group").count(), "new": made}


def _shared_provider(groups: dict[str, tuple[QSG, object]]) -> int:
    """The ambulance trust: led by one system's group, in the other's footprint too, a member
    organisation of both, commissioned by both ICBs."""
    code, name, sector, lead, others = SHARED
    trust = _org(name, "provider-trust", ods_code=code)
    for prefix in [lead, *others]:
        _member(groups[prefix][0], trust, Kind.FULL)
    if Provider.objects.filter(ods_code=code).exists():
        return 0
    services.provider_create(
        actor=None,
        ods_code=code,
        name=name,
        sector=sector,
        qsg=groups[lead][0],
        commissioners=[groups[p][1] for p in [lead, *others]],
        other_qsgs=[groups[p][0] for p in others],
    )
    return 1


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
        # The national team reads the region and its systems, read-only.
        DemoAccount("national.secretariat", "Nia", "Secretariat (national)", NATIONAL_TEAM,
                    NATIONAL_GROUP, Role.SECRETARIAT, "National Quality Group secretariat"),
        DemoAccount("national.reviewer", "Noel", "Reviewer (national)", NATIONAL_TEAM,
                    NATIONAL_GROUP, Role.REGIONAL_REVIEWER, "National quality lead"),
        # The ambulance trust's own person, in both systems' groups.
        *[DemoAccount("yas.trust", "Yusuf", "Trust lead (ambulance)", SHARED[1],
                      system_group_name(system), Role.MEMBER, "Director of quality")
          for _p, system, _i, _v in SYSTEMS],
    ]  # fmt: skip
    return accounts
