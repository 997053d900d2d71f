"""Reports to the region in a real browser: the local secretariat drafts, edits and submits a
report and an assurance return; the regional reviewer opens the regional view, comments on and
acknowledges a report and recommends back. Axe on each page."""

from __future__ import annotations

import os

from django.utils import timezone

from surveillance.regional import services as sv
from surveillance.regional.models import LocalReport, RegionalRecommendation
from tests.e2e.journey_steps import expect_error_page
from tests.surveillance.meetings.factories import ensure_reference_data
from tests.surveillance.regional.factories import agreed_note, period

SHOTS = os.environ.get("QSG_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_local_secretariat_drafts_edits_and_submits(cast, site, page, login, axe_check):
    ensure_reference_data()
    agreed_note(cast, "a", "provider_a1", key_issues="Staffing on the acute medical unit")
    qsg = cast.qsgs["a"]
    login("secretariat_a")
    page.goto(f"{site}/regional/qsgs/{qsg.pk}/reports/")
    axe_check("report list")
    page.get_by_role("link", name="Draft a report").click()
    axe_check("draft form")
    page.get_by_role("button", name="Draft the report").click()
    page.wait_for_url("**/regional/reports/*/")
    assert "Alpha General Hospital" in page.locator("#section-conclusions").inner_text()
    axe_check("draft report")
    _shot(page, "report-draft")

    page.get_by_role("link", name="Edit Summary").click()
    page.get_by_label("Text").fill("Raised by Mrs Patel on 07700 900123.")
    page.get_by_role("button", name="Save").click()
    expect_error_page(page)
    assert page.get_by_label("Text").input_value() == "Raised by Mrs Patel on 07700 900123."
    axe_check("section edit with errors")
    page.get_by_label("Text").fill("One provider under regular review; staffing is the theme.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/regional/reports/*/#section-summary")

    page.get_by_role("link", name="Submit to the region").click()
    axe_check("submit")
    page.get_by_role("button", name="Submit the report").click()
    assert "Submitted to the region" in page.locator(".app-note-status").inner_text()
    assert page.get_by_role("link", name="Edit Summary").count() == 0

    page.goto(f"{site}/regional/qsgs/{qsg.pk}/assurance/")
    axe_check("assurance list")
    page.get_by_role("link", name="Complete the return").click()
    axe_check("assurance form")
    page.get_by_role("button", name="Submit the return").click()
    expect_error_page(page)
    axe_check("assurance form with errors")
    for select in page.locator("select[name^='rag_']").all():
        select.select_option("green")
    page.get_by_role("button", name="Submit the return").click()
    page.wait_for_url(f"**/assurance/{timezone.localdate():%Y-%m}/")
    assert "Submitted" in page.content()


def test_regional_reviewer_opens_the_regional_view(cast, site, page, login, axe_check):
    ensure_reference_data()
    agreed_note(cast, "a", "provider_a1", key_issues="Staffing on the wards", publish=True)
    agreed_note(cast, "b", "provider_b1", key_issues="Staffing in theatres", publish=True)
    start, end = period()
    for key in ("a", "b"):
        sec = cast.users[f"secretariat_{key}"]
        report = sv.local_report_draft(
            actor=sec, qsg=cast.qsgs[key], period_start=start, period_end=end
        )
        sv.local_report_submit(actor=sec, report=report)
        sv.assurance_return_save(
            actor=sec,
            qsg=cast.qsgs[key],
            month=end,
            answers={
                q.pk: {"rag": "amber" if key == "b" else "green"}
                for q in sv.questions_for(cast.qsgs[key])
            },
            submit=True,
        )
    login("reviewer")
    page.get_by_role("link", name="Regional", exact=True).click()
    axe_check("regional index")
    page.get_by_role("link", name="Test North regional QSG").click()
    assert page.get_by_role("heading", name="Local reports").is_visible()
    side = page.locator("#side-by-side").inner_text()
    assert "Area A QSG" in side and "Area B QSG" in side
    themes = page.locator("#themes-table").inner_text()
    assert "Staffing" in themes and "Area A QSG, Area B QSG" in themes
    assert "Bravo Royal Infirmary" in page.locator("#liaison-table").inner_text()
    assert page.locator("#assurance-grid .app-rag--amber").count() == 1
    axe_check("regional view")
    _shot(page, "regional-view")

    # The reviewer reads Area A's report, comments on it, acknowledges it and recommends back.
    report_a = LocalReport.objects.get(qsg=cast.qsgs["a"])
    page.locator("#side-by-side").get_by_role("link", name=report_a.period_label).first.click()
    page.wait_for_url(f"**/regional/reports/{report_a.pk}/")
    axe_check("submitted report, as the reviewer")
    page.get_by_role("link", name="Comment on the report").click()
    page.get_by_role("button", name="Add the comment").click()
    expect_error_page(page)
    axe_check("comment with errors")
    page.get_by_label("Your comment").fill(
        "Staffing again: what has changed since the last quarter?"
    )
    page.get_by_role("button", name="Add the comment").click()
    page.wait_for_url(f"**/regional/reports/{report_a.pk}/#comments")
    page.get_by_role("button", name="Acknowledge the report").click()
    assert "Acknowledged by" in page.locator("#acknowledged").inner_text()
    page.get_by_role("link", name="Recommend back to Area A QSG").click()
    axe_check("recommendation form")
    provider = page.get_by_label("Provider (optional)")
    options = provider.locator("option").all_inner_texts()
    assert "Alpha General Hospital (RAA)" in options
    assert not any("Bravo" in o for o in options)  # area B's provider is not offered
    provider.select_option(label="Alpha General Hospital (RAA)")
    page.get_by_label("Title").fill("Staffing review")
    page.get_by_label("Recommendation").fill("Bring the staffing review to your next meeting.")
    page.get_by_role("button", name="Send the recommendation").click()
    page.wait_for_url(f"**/regional/reports/{report_a.pk}/")
    assert "Staffing review" in page.content()

    # Read back what was stored.
    report_a.refresh_from_db()
    assert report_a.acknowledged_by == cast.users["reviewer"]
    assert [c.text for c in report_a.comments.all()] == [
        "Staffing again: what has changed since the last quarter?"
    ]
    rec = RegionalRecommendation.objects.get(report=report_a)
    assert (rec.title, rec.provider, rec.local_qsg, rec.sent_by) == (
        "Staffing review",
        cast.providers["provider_a1"],
        cast.qsgs["a"],
        cast.users["reviewer"],
    )
