"""Demo soft intelligence for Greater Manchester, Lancashire and Wessex: items from the ICB, the
CQC and Healthwatch under every distribution, some triaged (one marked for the next meeting,
one not attributed, one corroborated), one waiting for triage and one draft.

Written for the demo, free of patient-identifiable data (the services screen it anyway).
Idempotent: a QSG that already has intelligence is left alone. Works on SQLite.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from qsg.demo import demo_groups
from qsg.models import QSG, Organisation, Provider, User
from surveillance.intelligence import services as si
from surveillance.intelligence.models import IntelligenceItem, Theme

Item = IntelligenceItem
D = Item.Distribution

# (author suffix, theme, source, dimension, reliability, certainty, distribution, days ago,
#  summary, details, extra)
ITEMS = [
    (
        "icb",
        "staffing",
        Item.SourceType.STAFF,
        Item.QualityDimension.SAFETY,
        "B",
        2,
        D.QSG,
        21,
        "Registered nurse gaps on surgical wards at night",
        "Ward managers told our quality team that night shifts on two surgical wards ran with "
        "one registered nurse below the planned number on most nights this month. Bank and "
        "agency fill rates have fallen since the trust changed its agency framework.",
        {"triage": True, "next": True},
    ),
    (
        "healthwatch",
        "dignity",
        Item.SourceType.HEALTHWATCH,
        Item.QualityDimension.EXPERIENCE,
        "C",
        3,
        D.REGION,
        35,
        "Enter and view visit: call bells not answered on elderly care ward",
        "During our enter and view visit volunteers saw call bells ringing for long periods on "
        "the elderly care ward and relatives described meals left out of reach. The ward "
        "sister was open about the pressures and welcomed the visit.",
        {"triage": True, "corroborate": "cqc"},
    ),
    (
        "cqc",
        "governance",
        Item.SourceType.INSPECTION,
        Item.QualityDimension.EFFECTIVENESS,
        "A",
        1,
        D.QSG,
        50,
        "Serious incident investigations overdue at the community trust",
        "Our engagement meeting found that more than half of serious incident investigations "
        "were past their 60 working day deadline and the board had not been told. The trust "
        "has commissioned an external review of its incident process.",
        {"triage": True},
    ),
    (
        "icb",
        "maternity",
        Item.SourceType.WHISTLEBLOWER,
        Item.QualityDimension.SAFETY,
        "D",
        4,
        D.QSG,
        8,
        "Concerns raised about escalation on the labour ward",
        "A member of staff contacted the ICB to say that concerns about escalation to senior "
        "obstetric cover at weekends had been raised internally without a response. The "
        "account is unverified and the person asked not to be identified.",
        {"triage": True, "dna": True},
    ),
    (
        "cqc",
        "infection-control",
        Item.SourceType.COMPLAINT,
        Item.QualityDimension.SAFETY,
        "C",
        3,
        D.ORGANISATION,
        12,
        "Cluster of complaints about cleanliness in the emergency department",
        "We have received several complaints in a fortnight describing unclean cubicles and "
        "overflowing bins in the emergency department during periods of crowding.",
        {},
    ),
    (
        "healthwatch",
        "access",
        Item.SourceType.SURVEY,
        Item.QualityDimension.EXPERIENCE,
        "B",
        2,
        D.QSG,
        4,
        "Survey: long waits for community mental health appointments",
        "Our spring survey had responses from across the area describing waits of several "
        "months for a first community mental health appointment, with little contact while "
        "waiting.",
        {},
    ),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("organisation").first()


def seed_qsg(prefix: str, qsg: QSG, *, today: dt.date) -> int:
    if IntelligenceItem.objects.filter(qsg=qsg).exists():
        return 0
    secretariat = _user(f"{prefix}.secretariat")
    providers = list(Provider.objects.filter(qsg=qsg, is_active=True).order_by("ods_code")[:4])
    if secretariat is None or not providers:
        return 0
    made = 0
    for n, row in enumerate(ITEMS):
        who, theme, source, dimension, rel, cert, dist, ago, summary, details, extra = row
        author = _user(f"{prefix}.{who}")
        if author is None:
            continue
        fields = {
            "qsg": qsg,
            "providers": [providers[n % len(providers)]],
            "source_type": source,
            "quality_dimension": dimension,
            "theme": Theme.objects.filter(code=theme).first(),
            "summary": summary,
            "details": details,
            "observed_from": today - dt.timedelta(days=ago + 14),
            "observed_to": today - dt.timedelta(days=ago),
            "source_reliability": rel,
            "information_certainty": cert,
            "review_by": today + dt.timedelta(days=90 - ago),
            "distribution": dist,
            "do_not_attribute": bool(extra.get("dna")),
        }
        item = si.intelligence_item_submit(actor=author, **fields)
        made += 1
        if extra.get("triage"):
            si.intelligence_item_triage(
                actor=secretariat, item=item, for_next_meeting=bool(extra.get("next"))
            )
        corroborator = extra.get("corroborate")
        if corroborator and (other := _user(f"{prefix}.{corroborator}")) is not None:
            si.intelligence_item_corroborate(
                actor=other,
                item=item,
                note="Our own visit last month found the same on this ward.",
            )
    cqc = _user(f"{prefix}.cqc")
    icb_org = Organisation.objects.filter(users__username=f"{prefix}.icb").first()
    if cqc is not None and icb_org is not None:
        si.intelligence_item_submit(
            actor=cqc,
            qsg=qsg,
            providers=[providers[0]],
            source_type=Item.SourceType.PEER_REVIEW,
            quality_dimension=Item.QualityDimension.EFFECTIVENESS,
            summary="Peer review of stroke pathway shared with the commissioner",
            details="The regional peer review found delays to thrombolysis out of hours. "
            "Shared with the commissioner first while the trust responds.",
            observed_from=today - dt.timedelta(days=30),
            source_reliability="A",
            information_certainty=2,
            distribution=D.NAMED,
            named_organisations=[icb_org],
        )
        made += 1
    icb = _user(f"{prefix}.icb")
    if icb is not None:
        si.intelligence_item_save_draft(
            actor=icb,
            qsg=qsg,
            providers=[providers[-1]],
            summary="Draft: discharge letters delayed to GP practices",
            details="Practices report discharge summaries arriving a week or more late.",
        )
    return made


def seed(*, stdout=None, password=None) -> None:
    today = timezone.localdate()
    made = 0
    with transaction.atomic():
        for prefix, name in demo_groups().locals:
            qsg = QSG.objects.filter(name=name).first()
            if qsg is not None:
                made += seed_qsg(prefix, qsg, today=today)
    if stdout is not None:
        stdout.write(f"Intelligence: {made} demo items.")
