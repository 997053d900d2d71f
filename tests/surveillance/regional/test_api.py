"""/api/v1/local-reports/: draft, read, submit; field errors; visibility."""

from __future__ import annotations

import pytest
from django.core import mail

from surveillance.regional.models import LocalReportComment

from .factories import agreed_note, period, regional_scenario

pytestmark = pytest.mark.django_db


def test_draft_read_and_submit_through_the_api(cast, client_for):
    agreed_note(cast, "a", "provider_a1", key_issues="Staffing on the wards")
    start, end = period()
    body = {"qsg": cast.qsgs["a"].pk, "period_start": str(start), "period_end": str(end)}
    client = client_for("secretariat_a")
    created = client.post("/api/v1/local-reports/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    report = created.json()
    assert report["status"] == "draft"
    assert any("Alpha General Hospital" in s["text"] for s in report["sections"])
    again = client.post("/api/v1/local-reports/", body, content_type="application/json")
    assert again.json()["id"] == report["id"]

    # Drafts are for the secretariat and chair only.
    assert client_for("member_a").get(f"/api/v1/local-reports/{report['id']}/").status_code == 404
    assert client_for("reviewer").get("/api/v1/local-reports/").json()["count"] == 0
    assert (
        client_for("chair_a").post(f"/api/v1/local-reports/{report['id']}/submit/").status_code
        == 403
    )
    submitted = client.post(f"/api/v1/local-reports/{report['id']}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    listed = client_for("reviewer").get(f"/api/v1/local-reports/?qsg={cast.qsgs['a'].pk}").json()
    assert [r["id"] for r in listed["results"]] == [report["id"]]


def test_bad_input_is_400_with_field_errors(cast, client_for):
    client = client_for("secretariat_a")
    bad = client.post(
        "/api/v1/local-reports/",
        {"qsg": cast.qsgs["a"].pk, "period_start": "2026-12-01", "period_end": "2026-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "period_end" in bad.json()
    missing = client.post("/api/v1/local-reports/", {}, content_type="application/json")
    assert missing.status_code == 400 and {"qsg", "period_start", "period_end"} <= set(
        missing.json()
    )
    regional = client_for("regional_secretariat").post(
        "/api/v1/local-reports/",
        {"qsg": cast.qsgs["r"].pk, "period_start": "2026-01-01", "period_end": "2026-03-31"},
        content_type="application/json",
    )
    assert regional.status_code == 400
    assert client.get("/api/v1/local-reports/?qsg=abc").status_code == 400
    other = client_for("member_c").post(
        "/api/v1/local-reports/",
        {"qsg": cast.qsgs["a"].pk, "period_start": "2026-01-01", "period_end": "2026-03-31"},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_the_region_comments_on_and_acknowledges_a_report_through_the_api(
    cast, client_for, django_capture_on_commit_callbacks
):
    report = regional_scenario(cast)["submitted"]
    url = f"/api/v1/local-reports/{report.pk}/"
    reviewer = client_for("reviewer")
    text = "Staffing again: what has changed since the last quarter?"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        empty = reviewer.post(f"{url}comments/", {"text": " "}, content_type="application/json")
        pid = reviewer.post(
            f"{url}comments/", {"text": "NHS number 943 476 5919"}, content_type="application/json"
        )
        added = reviewer.post(
            f"{url}comments/",
            {"text": text},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k1",
        )
        again = reviewer.post(
            f"{url}comments/",
            {"text": text},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k1",
        )
    assert empty.status_code == 400 and "text" in empty.json()
    assert pid.status_code == 400 and "text" in pid.json()
    assert added.status_code == 201, added.content
    assert (added.json()["text"], added.json()["author"]) == (text, "Reviewer Person")
    assert again.status_code == 200 and again.json()["id"] == added.json()["id"]
    assert [c.text for c in LocalReportComment.objects.filter(report=report)] == [text]

    # The local secretariat is e-mailed a link to the report, never the comment's words.
    assert [m.to for m in mail.outbox] == [["secretariat_a@example.nhs.uk"]]
    message = mail.outbox[0]
    assert f"/regional/reports/{report.pk}/#comments" in message.body
    assert "Staffing" not in message.subject + message.body

    acknowledged = reviewer.post(f"{url}acknowledge/")
    assert acknowledged.status_code == 200 and acknowledged.json()["acknowledged_at"]
    report.refresh_from_db()
    assert report.acknowledged_by == cast.users["reviewer"]

    # Whoever reads the report reads the comments; only those who oversee the QSG add one.
    local = client_for("member_a")
    assert [c["text"] for c in local.get(f"{url}comments/").json()] == [text]
    assert [c["text"] for c in local.get(url).json()["comments"]] == [text]
    refused = local.post(f"{url}comments/", {"text": "Mine"}, content_type="application/json")
    assert refused.status_code == 403
    assert client_for("secretariat_a").post(f"{url}acknowledge/").status_code == 403
    hidden = client_for("member_b").get(f"{url}comments/")
    missing = client_for("member_b").get("/api/v1/local-reports/999999/comments/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
