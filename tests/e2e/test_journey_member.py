"""A member's journey (issue 15, build 2): the ICB's member shares intelligence about two
providers with one named organisation (the council); once the secretariat has triaged it, the
council's person reads it and the CQC's person, in the same QSG, gets "not found". The member
then submits the pack return naming two providers of concern. Both are read back from the
database and the pages. Axe on every page."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from surveillance.intelligence.models import RELEASED_STATUSES, IntelligenceItem
from surveillance.packs.models import MemberReturn
from tests.e2e.journey_steps import sign_out
from tests.surveillance.meetings.factories import ensure_reference_data, meeting

SUMMARY = "Both Alpha sites short of registered nurses at night"
CONCERNS = "Night staffing at both Alpha providers, raised by ward staff"


def _step_date(page, prefix: str, value: dt.date) -> None:
    for part, number in (("day", value.day), ("month", value.month), ("year", value.year)):
        page.locator(f"#id_{prefix}-{part}").fill(str(number))


def test_member_shares_intelligence_by_name_and_returns_two_providers(
    cast, site, page, login, axe_check
):
    ensure_reference_data()
    today = timezone.localdate()
    upcoming = meeting(cast, days=14, title="Area A QSG, next meeting")

    login("member_a")
    page.get_by_role("link", name="Intelligence", exact=True).first.click()
    axe_check("intelligence list")
    page.get_by_role("button", name="Share soft intelligence").click()
    axe_check("intelligence step 1")
    page.get_by_label("Area A QSG").check()
    page.get_by_label("Provider ODS codes").fill("RAA, RAB")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/details/"))
    axe_check("intelligence step 2")
    page.get_by_label("Where did the intelligence come from?").select_option("staff")
    page.get_by_label("Safety").check()
    page.get_by_label("Summary").fill(SUMMARY)
    page.get_by_label("Details").fill(
        "Ward staff at both sites report one registered nurse to 14 beds."
    )
    _step_date(page, "observed_from", today - dt.timedelta(days=10))
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/grading/"))
    axe_check("intelligence step 3")
    page.get_by_label("B: usually reliable").check()
    page.get_by_label("2: probably true").check()
    _step_date(page, "review_by", today + dt.timedelta(days=60))
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/sharing/"))
    axe_check("intelligence step 4")
    page.get_by_label("Named organisations", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Choose the organisations that may see it"
    )
    axe_check("intelligence step 4 with an error")
    page.get_by_label("Alpha Borough Council").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/check/"))
    axe_check("check your answers")
    expect(page.locator("main")).to_contain_text("Alpha Borough Council")
    page.get_by_role("button", name="Submit intelligence").click()
    page.wait_for_url(re.compile(r"/submitted/"))
    axe_check("intelligence submitted")
    item = IntelligenceItem.objects.get(summary=SUMMARY)
    panel = page.locator(".nhsuk-panel").inner_text()
    assert item.reference in panel and "<br>" not in panel and "<strong>" not in panel

    page.goto(f"{site}/intelligence/{item.pk}/")
    axe_check("intelligence item (submitter)")
    shared = page.locator(".nhsuk-summary-list__row", has_text="Who may see it")
    expect(shared).to_contain_text("Named organisations: Alpha Borough Council")
    history = page.locator("table", has_text="History").locator("tbody tr")
    for row in history.all():  # every line of the history says what changed
        assert row.locator("td").nth(3).inner_text().strip(), row.inner_text()

    # The pack return for the next meeting, naming two providers of concern.
    page.goto(f"{site}/meetings/{upcoming.pk}/pack/")
    axe_check("pack page (member)")
    page.get_by_role("link", name="Complete your return").click()
    axe_check("return form")
    page.get_by_label("Concerns about providers").fill(CONCERNS)
    page.get_by_label("Alpha General Hospital").check()
    page.get_by_label("Alpha Community Services").check()
    page.get_by_label("Share with all members of the group").check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_text("Your return has been submitted")).to_be_visible()
    axe_check("pack page after the return")
    page.get_by_role("link", name="Change your return").click()
    expect(page.get_by_label("Alpha General Hospital")).to_be_checked()
    expect(page.get_by_label("Alpha Community Services")).to_be_checked()
    expect(page.get_by_role("button", name="Save without submitting")).to_have_count(0)
    axe_check("return form, read back")
    sign_out(page)

    # The secretariat triages it: only then does a named organisation read it (moderation).
    login("secretariat_a")
    page.goto(f"{site}/intelligence/{item.pk}/triage/")
    axe_check("triage")
    page.get_by_label("Theme").select_option(index=1)
    page.get_by_role("button", name="Triage and share").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        f"{item.reference} has been triaged"
    )
    sign_out(page)

    # The named organisation reads it; another organisation of the same QSG does not.
    login("observer_a")
    page.goto(f"{site}/intelligence/")
    axe_check("intelligence list (named organisation)")
    page.get_by_role("link", name=item.reference).click()
    axe_check("intelligence item (named organisation)")
    main = page.locator("main")
    expect(main).to_contain_text(SUMMARY)
    expect(main).to_contain_text("Alpha General Hospital")
    expect(main).to_contain_text("Alpha Community Services")
    sign_out(page)

    login("cqc_a")
    page.goto(f"{site}/intelligence/")
    axe_check("intelligence list (not named)")
    expect(page.locator("main")).not_to_contain_text(item.reference)
    hidden = page.goto(f"{site}/intelligence/{item.pk}/")
    hidden_page = (hidden.status, page.title(), page.locator("main").inner_text())
    missing = page.goto(f"{site}/intelligence/{item.pk + 100000}/")
    assert hidden_page == (404, page.title(), page.locator("main").inner_text())
    assert missing.status == 404

    # Read back what was stored.
    item.refresh_from_db()
    assert item.status in RELEASED_STATUSES
    assert item.distribution == IntelligenceItem.Distribution.NAMED
    assert {p.ods_code for p in item.providers.all()} == {"RAA", "RAB"}
    assert list(item.named_organisations.all()) == [cast.orgs["la_a"]]
    assert item.submitted_by == cast.users["member_a"]
    returned = MemberReturn.objects.get(pack__meeting=upcoming, organisation=cast.orgs["icb_a"])
    assert returned.is_submitted and returned.concerns == CONCERNS
    assert {p.ods_code for p in returned.concern_providers.all()} == {"RAA", "RAB"}
    assert returned.handling == MemberReturn.Handling.MEMBERS
