"""An analyst uploads a file and watches it load; then reads the QSG matrix and a chart."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.dashboard.helpers import ae_rows, csv_bytes
from tests.e2e.journey_steps import expect_error_page


@pytest.mark.worker
def test_analyst_uploads_watches_progress_and_reads_the_charts(
    celery_worker, cast, site, page, login, axe_check, tmp_path
):
    rows = ae_rows("RBA", n=30, shift_at=24, shift=0.08) + ae_rows("RAA", n=30)
    upload = tmp_path / "trust-returns.csv"
    upload.write_bytes(csv_bytes(rows))

    login("member_b")
    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National Quality Dashboard")
    axe_check("dashboard home")

    page.get_by_role("link", name="Load indicator data").first.click()
    axe_check("upload form")
    # Submitting without a file keeps the page, with the NHS.UK error summary
    page.get_by_role("button", name="Upload and load").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select a CSV or Excel file")
    expect_error_page(page)
    axe_check("upload form with errors")

    page.locator("input[type=file][name=file]").set_input_files(str(upload))
    page.get_by_label("Source of the data (optional)").fill("Trust returns")
    page.get_by_role("button", name="Upload and load").click()
    expect(page).to_have_url(re.compile(r"/dashboard/imports/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("trust-returns.csv")
    axe_check("import progress")
    # htmx polls the job row until the import and its recompute have finished
    status = page.locator("#import-status")
    expect(status).to_contain_text("Loaded: 60 new", timeout=60_000)
    expect(page.locator("#recompute-status")).to_contain_text("Worked out 2 series", timeout=60_000)
    axe_check("import finished")

    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    page.get_by_role("link", name="Area B QSG", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quality dashboard")
    matrix = page.locator("#matrix")
    expect(matrix).to_contain_text("Bravo Royal Infirmary")
    expect(matrix).not_to_contain_text("Alpha General Hospital")  # loaded, but not B's to see
    expect(matrix.get_by_role("img", name="Special cause concern (high)")).to_have_count(1)
    axe_check("QSG matrix")

    page.get_by_role("link", name="Bravo Royal Infirmary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SPC charts")
    chart = page.locator("figure.app-chart svg[role=img]")
    expect(chart).to_have_count(1)
    expect(page.locator("figure.app-chart desc")).to_contain_text("Latest value")
    axe_check("provider charts")

    page.get_by_role("link", name="Details and data").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("Against peers"))).to_be_visible()
    axe_check("series page")
