"""Demo reports to the region: Greater Manchester's report for the last 90 days submitted,
Lancashire's drafted, a recommendation from the North regional QSG to Greater Manchester, and
three months of assurance returns for the North's local QSGs.

Idempotent: a QSG that already has a report is left alone. Works on SQLite.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from qsg.demo import demo_groups
from qsg.models import QSG, User
from surveillance.regional import services as sv
from surveillance.regional.models import AssuranceReturn, LocalReport

# Ratings by month (oldest first) for the first and second local group: (red, amber) question
# codes; the rest green.
RATINGS = [
    [({"3e"}, {"2b", "3b"}), (set(), {"2b"}), (set(), set())],
    [({"1b.vi", "2b"}, {"3e"}), ({"2b"}, {"3e", "3f"}), (set(), {"3e"})],
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _month_back(day: dt.date, n: int) -> dt.date:
    month = day.replace(day=1)
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def seed(*, stdout=None, password=None) -> None:
    today = timezone.localdate()
    groups = demo_groups()
    region = QSG.objects.filter(name=groups.regional[1]).first()
    if region is None:
        return
    made = 0
    # The first local group's reports are submitted, the second's stay in draft.
    for n, (prefix, name) in enumerate(groups.locals[:2]):
        submit = n == 0
        qsg = QSG.objects.filter(name=name).first()
        secretariat = _user(f"{prefix}.secretariat")
        if qsg is None or secretariat is None or LocalReport.objects.filter(qsg=qsg).exists():
            continue
        with transaction.atomic():
            report = sv.local_report_draft(
                actor=secretariat,
                qsg=qsg,
                period_start=today - dt.timedelta(days=90),
                period_end=today,
            )
            if submit:
                sv.local_report_submit(actor=secretariat, report=report)
            questions = sv.questions_for(qsg)
            for back, (reds, ambers) in zip((2, 1, 0), RATINGS[n], strict=True):
                month = _month_back(today, back)
                if AssuranceReturn.objects.filter(qsg=qsg, month=month).exists():
                    continue
                answers = {
                    q.pk: {
                        "rag": "red"
                        if q.code in reds
                        else "amber"
                        if q.code in ambers
                        else "green",
                        "comments": "Agreed at the QSG's last meeting."
                        if q.code not in reds | ambers
                        else "Not yet in place; plan agreed with the area team director.",
                        "evidence": q.evidence_hint,
                    }
                    for q in questions
                }
                sv.assurance_return_save(
                    actor=secretariat, qsg=qsg, month=month, answers=answers, submit=back > 0
                )
        made += 1
    regional_secretariat = _user("north.secretariat")
    gm = QSG.objects.filter(name="Greater Manchester QSG").first()
    if (
        regional_secretariat is not None
        and gm is not None
        and not gm.recommendations_received.exists()
    ):
        sv.recommendation_send(
            actor=regional_secretariat,
            region=region,
            local_qsg=gm,
            title="Share discharge complaints themes with Lancashire",
            text="Complaints about discharge arrangements were raised in both Greater Manchester "
            "and Lancashire this quarter. Please consider a joint look at discharge with the "
            "Lancashire QSG and report back at the next regional meeting.",
            report=LocalReport.objects.filter(qsg=gm).first(),
        )
    if stdout is not None:
        stdout.write(f"Regional: reports and assurance returns for {made} local QSGs.")
