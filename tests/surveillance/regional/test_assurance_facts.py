"""The assurance return starts from what the workspace knows (issue 15, finding 10): meetings
held, quorum, attendance and coverage, and the evidence it can give, for the secretariat to
confirm."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from surveillance.meetings.services import attendance as attendance_services
from surveillance.regional import services as sv
from surveillance.regional.models import AssuranceAnswer, AssuranceReturn
from tests.surveillance.meetings.factories import meeting, quorate

pytestmark = pytest.mark.django_db


def _held_yesterday(cast):
    """Yesterday, 10:00 to 13:00: held at any hour the test runs. On the 1st that is last month
    (the test reads the month from the meeting); a meeting "earlier today" on the 1st cannot have
    the cast attend from 10:00 to 13:00 (attendance must fall within the meeting's times), so it
    failed on the 1st of every month."""
    return meeting(cast, days=-1)


def _evidence(body, qid) -> str:
    found = re.search(rf'<textarea[^>]*name="evidence_{qid}"[^>]*>(.*?)</textarea>', body, re.S)
    assert found, qid
    return found.group(1).strip()


def test_the_return_shows_and_fills_in_what_the_workspace_records(cast, client_for):
    qsg = cast.qsgs["a"]
    m = _held_yesterday(cast)
    quorate(cast, m)
    attendance_services.attendance_add(
        actor=cast.users["secretariat_a"],
        meeting=m,
        user=cast.users["observer_a"],
        organisation=cast.orgs["la_a"],
        status="apologies",
    )
    month = timezone.localtime(m.starts_at).date().replace(day=1)
    url = reverse("surveillance:assurance-return", args=[qsg.pk, f"{month:%Y-%m}"])
    client = client_for("secretariat_a")
    body = client.get(url).content.decode()
    assert f"1 meeting held in {month:%B %Y}, 1 quorate." in body
    assert "4 present, 1 apologies" in body
    questions = {q.code: q for q in sv.questions_for(qsg)}
    chair = cast.users["chair_a"]
    assert (
        _evidence(body, questions["1a"].pk)
        == f"Chair: {chair.display_name}, NHS England Area A team"
    )
    assert cast.users["cqc_a"].display_name in _evidence(body, questions["1b.iv"].pk)
    assert _evidence(body, questions["1b.iii"].pk) == (
        "Members: Healthwatch Alpha (no named representative)"
    )
    assert _evidence(body, questions["3d"].pk).startswith("Meetings: ")
    assert "providers in the footprint discussed" in _evidence(body, questions["3e"].pk)
    assert "Filled in from the workspace: check it." in body

    # Confirmed as it stands: what was filled in is what is stored.
    data = {"form_token": "confirm", "action": "submit"}
    for q in questions.values():
        data[f"rag_{q.pk}"] = "green"
        data[f"comments_{q.pk}"] = ""
        data[f"evidence_{q.pk}"] = _evidence(body, q.pk).replace("&#39;", "'")
    assert client.post(url, data).status_code == 302
    ret = AssuranceReturn.objects.get(qsg=qsg, month=month)
    assert ret.status == AssuranceReturn.Status.SUBMITTED
    stored = AssuranceAnswer.objects.get(assurance_return=ret, question=questions["1a"])
    assert stored.evidence == f"Chair: {chair.display_name}, NHS England Area A team"


def test_what_the_secretariat_wrote_is_kept_over_the_prefill(cast, client_for):
    qsg = cast.qsgs["a"]
    month = timezone.localdate().replace(day=1)
    q1a = next(q for q in sv.questions_for(qsg) if q.code == "1a")
    sv.assurance_return_save(
        actor=cast.users["secretariat_a"],
        qsg=qsg,
        month=month,
        answers={q1a.pk: {"rag": "amber", "comments": "", "evidence": "Chair agreed in May"}},
    )
    url = reverse("surveillance:assurance-return", args=[qsg.pk, f"{month:%Y-%m}"])
    body = client_for("secretariat_a").get(url).content.decode()
    assert _evidence(body, q1a.pk) == "Chair agreed in May"
