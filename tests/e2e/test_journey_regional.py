"""The regional reviewer's journey (issue 15, build 2), from a local QSG's agreed note to the
region's review read back by the local secretariat, through the real UI.

The local secretariat drafts and submits its report; the reviewer reads it in the regional view,
comments on it, acknowledges it and recommends back to the local group; the local secretariat is
e-mailed a link and reads the comment, the acknowledgement and the recommendation on the report.
"""

from __future__ import annotations

from django.core import mail
from playwright.sync_api import expect

from surveillance.regional.models import LocalReport, RegionalRecommendation
from tests.e2e.journey_steps import sign_out
from tests.surveillance.meetings.factories import ensure_reference_data
from tests.surveillance.regional.factories import agreed_note

COMMENT = "Staffing again: what has changed since the last quarter?"


def test_reviewer_reads_comments_acknowledges_and_recommends_back(
    cast, site, page, login, axe_check
):
    ensure_reference_data()
    agreed_note(cast, "a", "provider_a1", key_issues="Staffing on the acute medical unit")
    qsg = cast.qsgs["a"]

    # The local secretariat drafts the report from the agreed note and submits it.
    login("secretariat_a")
    page.goto(f"{site}/regional/qsgs/{qsg.pk}/reports/")
    page.get_by_role("link", name="Draft a report").click()
    page.get_by_role("button", name="Draft the report").click()
    page.wait_for_url("**/regional/reports/*/")
    report_url = page.url
    page.get_by_role("link", name="Submit to the region").click()
    page.get_by_role("button", name="Submit the report").click()
    expect(page.locator(".app-note-status")).to_contain_text("Submitted to the region")
    report = LocalReport.objects.get(qsg=qsg)
    sign_out(page)

    # The reviewer finds it in the regional view and reads it.
    login("reviewer")
    page.get_by_role("link", name="Regional", exact=True).click()
    page.get_by_role("link", name="Test North regional QSG").click()
    page.locator("#side-by-side").get_by_role("link", name=report.period_label).first.click()
    page.wait_for_url(report_url)
    expect(page.locator("#section-conclusions")).to_contain_text("Alpha General Hospital")
    axe_check("submitted report, as the reviewer")

    page.get_by_role("link", name="Comment on the report").click()
    page.get_by_label("Your comment").fill("Call Mrs Patel on 07700 900123 about it.")
    page.get_by_role("button", name="Add the comment").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()  # screened for PID
    axe_check("comment with errors")
    page.get_by_label("Your comment").fill(COMMENT)
    page.get_by_role("button", name="Add the comment").click()
    page.wait_for_url(f"{report_url}#comments")
    expect(page.locator("#comments")).to_contain_text(COMMENT)
    page.get_by_role("button", name="Acknowledge the report").click()
    expect(page.locator("#acknowledged")).to_contain_text("Acknowledged by Reviewer Person")

    page.get_by_role("link", name="Recommend back to Area A QSG").click()
    axe_check("recommendation form")
    page.get_by_label("Provider (optional)").select_option(label="Alpha General Hospital (RAA)")
    page.get_by_label("Title").fill("Staffing review")
    page.get_by_label("Recommendation").fill("Bring the staffing review to your next meeting.")
    page.get_by_role("button", name="Send the recommendation").click()
    page.wait_for_url(report_url)
    sign_out(page)

    # The local secretariat was e-mailed a link (not the words) and reads the review.
    [message] = [m for m in mail.outbox if "commented" in m.subject]
    assert message.to == ["secretariat_a@example.nhs.uk"]
    assert f"/regional/reports/{report.pk}/#comments" in message.body
    assert "Staffing" not in message.body
    login("secretariat_a")
    page.goto(f"{site}/regional/reports/{report.pk}/#comments")
    expect(page.locator("#comments")).to_contain_text(COMMENT)
    expect(page.locator("#comments")).to_contain_text("Reviewer Person")
    expect(page.locator("#acknowledged")).to_contain_text("Acknowledged by Reviewer Person")
    expect(page.get_by_text("Staffing review")).to_be_visible()
    expect(page.get_by_role("link", name="Comment on the report")).to_have_count(0)
    axe_check("reviewed report, as the local secretariat")

    # Read back what was stored.
    report.refresh_from_db()
    assert (report.status, report.submitted_by, report.acknowledged_by) == (
        LocalReport.Status.SUBMITTED,
        cast.users["secretariat_a"],
        cast.users["reviewer"],
    )
    assert [(c.author, c.text) for c in report.comments.all()] == [
        (cast.users["reviewer"], COMMENT)
    ]
    rec = RegionalRecommendation.objects.get()
    assert (rec.report, rec.local_qsg, rec.provider, rec.title, rec.text, rec.sent_by) == (
        report,
        qsg,
        cast.providers["provider_a1"],
        "Staffing review",
        "Bring the staffing review to your next meeting.",
        cast.users["reviewer"],
    )
