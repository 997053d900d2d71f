"""Escalation in a real browser: the secretariat places a provider in enhanced surveillance from
the provider's page (errors first), reads the record and the group's list, and opens a rapid
quality review from the record. Axe on each page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.e2e.journey_steps import expect_error_page


def _date(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_secretariat_places_a_provider_and_opens_a_review(cast, site, page, login, axe_check):
    provider = cast.providers["provider_a1"]
    login("secretariat_a")
    page.goto(f"{site}/providers/{provider.pk}/")
    axe_check("provider page")
    page.get_by_role("link", name=f"Place {provider.name} at a level").click()
    axe_check("decision form")
    page.get_by_label("Enhanced surveillance").check()
    page.get_by_label("Who decided").fill("The group by consensus")
    page.get_by_label("Rationale").fill("Patient Jane Smith, NHS number 943 476 5919")
    page.get_by_role("button", name="Record the decision").click()
    expect_error_page(page)
    axe_check("decision form with errors")

    page.get_by_label("Rationale").fill("Staffing gaps raised by three members")
    _date(page, "Date of the decision", timezone.localdate())
    # A year on by days: replace(year=) has no 29 February the next year.
    _date(page, "Review date", timezone.localdate() + dt.timedelta(days=365))
    page.get_by_label("Lead organisation").select_option(label="Alpha Integrated Care Board")
    page.get_by_label("New exit criterion 1 (optional)").fill("Staffing plan delivered")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url("**/escalations/*/")
    assert "Staffing plan delivered" in page.content()
    axe_check("record page")

    page.get_by_role("link", name="Area A QSG").first.click()
    axe_check("group list")
    assert provider.name in page.content()
    page.goto(f"{site}/escalations/")
    axe_check("escalation index")
    page.get_by_role("link", name=provider.name).first.click()
    page.get_by_role("link", name=f"Open a risk summit of {provider.name}").click()
    axe_check("rapid review form")
