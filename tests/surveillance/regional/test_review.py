"""The regional reviewer's journey and the privacy of drafts (issue 15, finding 10): the region
comments on, acknowledges and recommends back on a submitted report; a draft assurance return
stays with the local QSG; a recommendation names a provider of the chosen QSG only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from surveillance.regional import services as sv
from surveillance.regional.models import LocalReportComment, RegionalRecommendation

from .factories import regional_scenario

pytestmark = pytest.mark.django_db


def test_the_reviewer_comments_acknowledges_and_recommends_back(cast, client_for):
    s = regional_scenario(cast)
    report = s["submitted"]
    reviewer = client_for("reviewer")
    page = reviewer.get(report.get_absolute_url()).content.decode()
    assert "Comment on the report" in page and "Acknowledge the report" in page
    assert "Recommend back to Area A QSG" in page

    url = reverse("surveillance:local-report-comment", args=[report.pk])
    body = reviewer.post(url, {"text": "", "form_token": "c0"}).content.decode()
    assert "<title>Error: " in body and "Enter your comment" in body
    response = reviewer.post(
        url, {"text": "Staffing again: please say what changed.", "form_token": "c1"}
    )
    assert response.status_code == 302
    reviewer.post(url, {"text": "Staffing again: please say what changed.", "form_token": "c1"})
    assert LocalReportComment.objects.filter(report=report).count() == 1

    ack = reverse("surveillance:local-report-acknowledge", args=[report.pk])
    assert reviewer.post(ack).status_code == 302
    report.refresh_from_db()
    assert report.acknowledged_by == cast.users["reviewer"] and report.acknowledged_at

    create = reverse("surveillance:recommendation-create", args=[cast.qsgs["r"].pk])
    form = reviewer.get(f"{create}?report={report.pk}")
    assert form.status_code == 200
    response = reviewer.post(
        f"{create}?report={report.pk}",
        {
            "local_qsg": cast.qsgs["a"].pk,
            "provider": cast.providers["provider_a1"].pk,
            "title": "Staffing review",
            "text": "Bring the staffing review to your next meeting.",
            "form_token": "r1",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    rec = RegionalRecommendation.objects.get(title="Staffing review")
    assert (rec.report, rec.local_qsg, rec.sent_by) == (
        report,
        cast.qsgs["a"],
        cast.users["reviewer"],
    )

    # The local QSG reads the region's review on its report.
    local = client_for("secretariat_a").get(report.get_absolute_url()).content.decode()
    assert "Staffing again: please say what changed." in local
    assert f"Acknowledged by {cast.users['reviewer'].display_name}" in local
    assert "Staffing review" in local
    assert "Acknowledge the report" not in local and "Comment on the report" not in local


def test_only_those_who_oversee_the_local_qsg_review_it(cast, client_for):
    s = regional_scenario(cast)
    report, draft = s["submitted"], s["draft"]
    comment = reverse("surveillance:local-report-comment", args=[report.pk])
    ack = reverse("surveillance:local-report-acknowledge", args=[report.pk])
    for key in ("secretariat_a", "member_a"):  # they see the report but review their own? no
        assert client_for(key).post(ack).status_code == 403, key
        assert client_for(key).get(comment).status_code == 403, key
    assert client_for("member_b").post(ack).status_code == 404
    # A draft is not the region's to see, let alone review.
    draft_ack = reverse("surveillance:local-report-acknowledge", args=[draft.pk])
    assert client_for("reviewer").post(draft_ack).status_code == 404
    assert client_for("regional_secretariat").post(ack).status_code == 302


def test_a_draft_assurance_return_is_not_visible_to_the_region(cast, client_for):
    qsg = cast.qsgs["a"]
    month = timezone.localdate().replace(day=1)
    questions = sv.questions_for(qsg)
    secret = "Draft comment the region must not read yet"
    sv.assurance_return_save(
        actor=cast.users["secretariat_a"],
        qsg=qsg,
        month=month,
        answers={questions[0].pk: {"rag": "red", "comments": secret, "evidence": ""}},
    )
    url = reverse("surveillance:assurance-return", args=[qsg.pk, f"{month:%Y-%m}"])
    for key in ("reviewer", "regional_secretariat", "member_a"):
        body = client_for(key).get(url).content.decode()
        assert secret not in body, key
    assert secret in client_for("secretariat_a").get(url).content.decode()
    assert secret in client_for("chair_a").get(url).content.decode()
    listing = client_for("reviewer").get(reverse("api:assurance-return-list")).json()
    assert listing.get("count", len(listing.get("results", listing))) == 0
    grid = (
        client_for("reviewer")
        .get(reverse("surveillance:assurance-list", args=[qsg.pk]))
        .content.decode()
    )
    assert "Red" not in grid

    sv.assurance_return_save(
        actor=cast.users["secretariat_a"],
        qsg=qsg,
        month=month,
        answers={q.pk: {"rag": "red", "comments": secret, "evidence": ""} for q in questions},
        submit=True,
    )
    assert secret in client_for("reviewer").get(url).content.decode()


def test_the_recommendation_form_offers_the_chosen_qsgs_providers_only(cast, client_for):
    regional_scenario(cast)
    client = client_for("regional_secretariat")
    create = reverse("surveillance:recommendation-create", args=[cast.qsgs["r"].pk])
    a1, b1 = cast.providers["provider_a1"], cast.providers["provider_b1"]
    first = client.get(create).content.decode()
    assert "Area A QSG" in first and "Area B QSG" in first
    assert a1.name not in first and b1.name not in first  # the QSG first
    page = client.get(f"{create}?local_qsg={cast.qsgs['a'].pk}").content.decode()
    assert a1.name in page and b1.name not in page
    data = {
        "local_qsg": cast.qsgs["a"].pk,
        "provider": b1.pk,
        "title": "Wrong footprint",
        "text": "A provider of another QSG",
        "form_token": "w1",
    }
    body = client.post(f"{create}?local_qsg={cast.qsgs['a'].pk}", data).content.decode()
    assert "<title>Error: " in body
    assert not RegionalRecommendation.objects.filter(title="Wrong footprint").exists()
