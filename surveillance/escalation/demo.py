"""Demo escalation records, in the 2022 profile only (`QSG_PROFILE=2022 make demo`), so the 2013
demo stays as it was. West Yorkshire's System Quality Group placed Mid Yorkshire in enhanced
surveillance with two exit criteria (one on the A&E four-hour indicator), reviewed it, and the
Regional Quality Group escalated it to intensive support with the region as lead; Bradford came
back to routine surveillance once its exit criteria were met. Everything goes through the
service, as the pages do."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dashboard.models import Indicator
from qsg import vocabulary
from qsg.models import QSG, Organisation, Provider, User
from surveillance.escalation import services as sv
from surveillance.escalation.models import EscalationRecord


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def seed(*, stdout=None, password=None, **kwargs) -> None:
    if vocabulary.profile() != "2022":
        return
    from qsg import demo_2022 as net

    users = {u.username: u for u in User.objects.filter(username__startswith=("wy."))}
    users.update({u.username: u for u in User.objects.filter(username__startswith="ney.")})
    region = QSG.objects.filter(name=net.REGIONAL_GROUP).first()
    providers = {p.ods_code: p for p in Provider.objects.filter(ods_code__in=["RXF", "RAE"])}
    if region is None or len(providers) < 2 or "wy.secretariat" not in users:
        return
    if EscalationRecord.objects.filter(provider__in=providers.values()).exists():
        return
    icb = Organisation.objects.get(name=net.SYSTEMS[0][2])
    region_team = Organisation.objects.get(name=net.REGION_TEAM)
    ae = Indicator.objects.filter(code="AE_4HR").first()
    sec, reg = users["wy.secretariat"], users.get("ney.secretariat", users["wy.secretariat"])
    with transaction.atomic():
        criteria = [{"text": "Maternity triage staffing plan delivered and sustained"}]
        if ae is not None:
            criteria.append(
                {
                    "text": "Four-hour A&E breaches back to at most 15% of attendances",
                    "indicator": ae,
                    "comparison": "lte",
                    "target": 15.0,
                    "months": 3,
                }
            )
        sv.decision_record(
            actor=sec,
            provider=providers["RXF"],
            level="enhanced",
            decided_on=_ago(120),
            decided_by="West Yorkshire System Quality Group, by consensus",
            rationale="Maternity staffing concerns raised by three members, rising A&E breaches "
            "and a CQC rating of requires improvement for safe care.",
            lead_organisation=icb,
            review_date=_ago(60),
            improvement_plan="Trust board's maternity improvement plan, monitored monthly by "
            "the ICB's quality team.",
            inspection_findings="CQC: maternity services rated requires improvement (safe).",
            exit_criteria=criteria,
        )
        sv.decision_record(
            actor=sec,
            provider=providers["RXF"],
            level="enhanced",
            decided_on=_ago(60),
            decided_by="West Yorkshire System Quality Group, by consensus",
            rationale="Review: the staffing plan has slipped; breaches have not fallen. Kept in "
            "enhanced surveillance and referred to the Regional Quality Group.",
            lead_organisation=icb,
            review_date=_ago(30),
        )
        sv.decision_record(
            actor=reg,
            provider=providers["RXF"],
            level="intensive",
            decided_on=_ago(30),
            group=region,
            decided_by="North East and Yorkshire Regional Quality Group",
            rationale="Little progress against the exit criteria after two reviews; the trust "
            "enters the Recovery Support Programme.",
            lead_organisation=region_team,
            review_date=_ago(-60),
            exit_criteria=[{"text": "Recovery Support Programme exit milestones met"}],
        )
        first = sv.decision_record(
            actor=sec,
            provider=providers["RAE"],
            level="enhanced",
            decided_on=_ago(200),
            decided_by="West Yorkshire System Quality Group, by consensus",
            rationale="Never events in theatres in two consecutive months.",
            lead_organisation=icb,
            review_date=_ago(110),
            exit_criteria=[{"text": "Theatre safety checklist audit at 100% for three months"}],
        )
        sv.decision_record(
            actor=sec,
            provider=providers["RAE"],
            level="routine",
            decided_on=_ago(20),
            decided_by="West Yorkshire System Quality Group, by consensus",
            rationale="The exit criterion has been met and sustained; back to routine "
            "quality surveillance.",
            criteria_met=list(first.record.criteria.values_list("pk", flat=True)),
        )
    if stdout is not None:
        stdout.write("Escalation: two West Yorkshire providers with decisions on record.")
