"""/api/v1/local-reports/: draft, read, submit; field errors; visibility."""

from __future__ import annotations

import pytest

from .factories import agreed_note, period

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
