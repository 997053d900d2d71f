"""A member completes their return; the secretariat makes the pack, watches it being made by a
real worker (htmx polling the job row), downloads it and sees the download logged. Axe on
every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journey_steps import expect_error_page
from tests.surveillance.packs.factories import pack_scenario


@pytest.mark.worker
def test_member_returns_then_secretariat_makes_and_downloads_the_pack(
    celery_worker, cast, site, page, login, axe_check
):
    s = pack_scenario(cast, returns=False)
    meeting = s["meeting"]

    login("member_a")
    page.goto(f"{site}/meetings/{meeting.pk}/pack/")
    expect(page.get_by_role("heading", name="Member returns")).to_be_visible()
    axe_check("pack page (member)")
    page.get_by_role("link", name="Complete your return").click()
    axe_check("return form")
    page.locator("textarea[name=concerns]").fill(
        "Family of patient 943 476 5919 complained about discharge"
    )
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("NHS number")
    expect_error_page(page)
    axe_check("return form with errors")
    page.locator("textarea[name=concerns]").fill(
        "Discharge complaints rising at Alpha General Hospital"
    )
    page.get_by_label("Alpha General Hospital").check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_text("Your return has been submitted")).to_be_visible()

    page.context.clear_cookies()
    login("secretariat_a")
    page.goto(f"{site}/meetings/{meeting.pk}/returns/")
    expect(page.locator("main")).to_contain_text("1 of 2 member organisations have returned")
    axe_check("returns completeness")
    page.goto(f"{site}/meetings/{meeting.pk}/pack/")
    axe_check("pack page (secretariat)")
    page.get_by_role("button", name="Make the pack").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/pack/jobs/[0-9a-f-]+/$"))
    axe_check("pack progress")
    expect(page.locator("#pack-job")).to_contain_text("of the pack is ready", timeout=120_000)
    axe_check("pack ready")
    page.goto(f"{site}/meetings/{meeting.pk}/pack/")
    axe_check("pack files")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download your copy of the pack (PDF)").click()
    download = info.value
    assert download.suggested_filename.endswith("-full.pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    page.reload()
    expect(page.locator("main")).to_contain_text("Who downloaded which version")
    expect(page.locator("main")).to_contain_text("Secretariat A")
    page.get_by_role("button", name="Publish version 1 to members").click()
    expect(page.get_by_text("Version 1 published")).to_be_visible()
    axe_check("pack published")
