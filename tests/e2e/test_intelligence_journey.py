"""Sharing soft intelligence in a real browser: an NHS number is caught, fixed, and the item found.

Every page on the way is checked with axe. Set QSG_SCREENSHOTS=<dir> to keep a picture of each.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import re

from django.apps import apps
from django.utils import timezone

from surveillance.intelligence.models import IntelligenceItem, Theme
from tests.e2e.journey_steps import expect_error_page
from tests.surveillance.intelligence.factories import released, submit

SHOTS = os.environ.get("QSG_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _themes() -> None:
    if not Theme.objects.exists():
        importlib.import_module("surveillance.migrations.0005_intelligence_themes_search").seed(
            apps, None
        )


def _fill_date(page, prefix: str, value: dt.date) -> None:
    page.locator(f"#id_{prefix}-day").fill(str(value.day))
    page.locator(f"#id_{prefix}-month").fill(str(value.month))
    page.locator(f"#id_{prefix}-year").fill(str(value.year))


def test_nhs_number_is_caught_fixed_and_the_item_found(cast, site, page, login, axe_check):
    _themes()
    today = timezone.localdate()
    login("member_a")
    page.goto(f"{site}/intelligence/new/")
    axe_check("step 1")
    _shot(page, "01-step-about")
    page.get_by_label("Area A QSG").check()
    page.get_by_label("Provider ODS codes").fill("RAA")
    page.get_by_label("Service or site (optional)").fill("Ward 7, surgical admissions")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r"/intelligence/drafts/\d+/details/"))
    axe_check("step 2")
    page.get_by_label("Where did the intelligence come from?").select_option("staff")
    page.get_by_label("Safety").check()
    page.get_by_label("Summary").fill("Night shifts short of registered nurses")
    typed = "A patient, NHS number 943 476 5919, waited 14 hours for a bed on the ward."
    page.get_by_label("Details").fill(typed)
    _fill_date(page, "observed_from", today - dt.timedelta(days=7))
    page.get_by_role("button", name="Save and continue").click()

    # The error names what was found and where, links to the field and keeps the text.
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    expect_error_page(page)
    assert "looks like an NHS number (line 1" in summary.inner_text()
    assert page.get_by_label("Details").input_value() == typed
    axe_check("step 2 with an error")
    _shot(page, "02-step-details-pid-error")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_details"
    page.get_by_label("Details").fill(
        "A patient waited 14 hours for a bed on the ward; staff say this is common at night."
    )
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r"/grading/"))
    axe_check("step 3")
    _shot(page, "03-step-grading")
    page.get_by_label("B: usually reliable").check()
    page.get_by_label("2: probably true").check()
    _fill_date(page, "review_by", today + dt.timedelta(days=60))
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r"/sharing/"))
    axe_check("step 4")
    _shot(page, "04-step-sharing")
    page.get_by_label("This QSG's members").check()
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r"/check/"))
    axe_check("check your answers")
    _shot(page, "05-check-answers")
    page.get_by_role("button", name="Submit intelligence").click()
    page.wait_for_url(re.compile(r"/submitted/"))
    axe_check("confirmation")
    _shot(page, "06-confirmation")
    item = IntelligenceItem.objects.get(submitted_by=cast.users["member_a"])
    assert item.status == IntelligenceItem.Status.SUBMITTED
    assert item.reference in page.locator(".nhsuk-panel").inner_text()
    assert "943 476 5919" not in item.details

    page.goto(f"{site}/intelligence/?q=registered+nurses")
    axe_check("list")
    _shot(page, "07-list")
    page.get_by_role("link", name=item.reference).click()
    page.wait_for_url(re.compile(rf"/intelligence/{item.pk}/$"))
    axe_check("detail")
    _shot(page, "08-detail")
    assert "Night shifts short of registered nurses" in page.inner_text("h1")


def test_secretariat_pages_are_accessible(cast, site, page, login, axe_check):
    _themes()
    item = released(cast, summary="Shared concern about infection control", do_not_attribute=True)
    pending = submit(cast, summary="Waiting for the secretariat")
    login("secretariat_a")
    for name, path in [
        ("09-triage-queue", "/intelligence/triage/"),
        ("10-triage", f"/intelligence/{pending.pk}/triage/"),
        ("11-widen", f"/intelligence/{item.pk}/sharing/"),
        ("12-access-log", "/intelligence/access-log/"),
        ("13-detail-secretariat", f"/intelligence/{item.pk}/"),
        ("14-provider", f"/providers/{cast.providers['provider_a1'].pk}/"),
        ("15-home", "/"),
    ]:
        response = page.goto(site + path)
        assert response.status == 200, path
        axe_check(path)
        _shot(page, name)
    page.goto(f"{site}/intelligence/{pending.pk}/triage/")
    page.get_by_label("Provider ODS codes").fill("NOPE1")
    page.get_by_role("button", name="Triage and share").click()
    expect_error_page(page)
    axe_check("triage with errors")
