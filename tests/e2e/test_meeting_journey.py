"""A whole meeting in the browser: schedule, agenda, attendance, note, circulate, agree, PDF."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.journey_steps import expect_error_page
from tests.surveillance.meetings.factories import ensure_reference_data


def _fill_date(page, name: str, date: dt.date) -> None:
    page.locator(f'input[name="{name}[day]"]').fill(str(date.day))
    page.locator(f'input[name="{name}[month]"]').fill(str(date.month))
    page.locator(f'input[name="{name}[year]"]').fill(str(date.year))


def test_secretariat_and_chair_hold_a_meeting(cast, site, page, login, axe_check):
    ensure_reference_data()
    today = timezone.localdate()
    login("secretariat_a")
    page.goto(f"{site}/qsgs/{cast.qsgs['a'].pk}/")
    page.get_by_role("link", name="All meetings").click()
    axe_check("meetings of the QSG")
    page.get_by_role("button", name="Add a single meeting").click()
    _fill_date(page, "date", today)
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("13:00")
    page.get_by_label("Venue (optional)").fill("Quarry House, room 5")
    page.get_by_role("button", name="Add meeting").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("The meeting has been added")
    axe_check("meeting overview")

    # Agenda: the annex D items, then a provider item.
    page.get_by_role("link", name="Agenda", exact=True).click()
    page.get_by_role("button", name="Add the standard items (annex D, local)").click()
    expect(page.locator("#agenda-table")).to_contain_text("Agree principal risks or concerns")
    axe_check("agenda")
    page.get_by_role("button", name="Add an item").click()
    page.get_by_label("Title").fill("Alpha General Hospital")
    page.get_by_label("Type of item").select_option(label="Provider discussion")
    page.get_by_label("Providers discussed (optional)").fill("RAA")
    axe_check("agenda item form")
    page.get_by_role("button", name="Add item").click()
    expect(page.locator("#agenda-table")).to_contain_text("Providers: Alpha General Hospital")

    # Attendance, with a mistake first.
    page.get_by_role("link", name="Attendance", exact=True).click()
    expect(page.locator("#quorum-panel")).to_contain_text("Not quorate")
    page.get_by_label("Person (optional)").select_option(label="Chair A, NHS England Area A team")
    page.get_by_label("Present from (optional)").fill("11:00")
    page.get_by_label("Present until (optional)").fill("10:00")
    page.get_by_role("button", name="Record").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The time they left must be after the time they arrived"
    )
    expect_error_page(page)
    axe_check("attendance with errors")
    for person in (
        "Chair A, NHS England Area A team",
        "Member A, Alpha Integrated Care Board",
        "Cqc A, Care Quality Commission, Test North",
    ):
        page.get_by_label("Person (optional)").select_option(label=person)
        page.get_by_label("Present from (optional)").fill("10:00")
        page.get_by_label("Present until (optional)").fill("12:45")
        page.get_by_role("button", name="Record").click()
        expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has been recorded")
    expect(page.locator("#quorum-panel")).to_contain_text("Quorate")
    expect(page.locator("#attendance-table")).to_contain_text("2 h 45 min")
    axe_check("attendance")

    # The note: discussion, a conclusion and an action.
    page.get_by_role("link", name="Meeting note", exact=True).click()
    page.get_by_role("button", name="Start the note").click()
    page.get_by_role("link", name="Record the discussion of item 6, Alpha General Hospital").click()
    page.get_by_label("Record of discussion").fill(
        "Mortality is above the expected range for the second quarter running."
    )
    axe_check("record of discussion form")
    page.get_by_role("button", name="Save record").click()
    page.get_by_role("button", name="Record a conclusion").click()
    page.get_by_label("Provider").select_option(label="Alpha General Hospital (RAA)")
    page.get_by_label("Keep under regular review").check()
    page.get_by_label("Key issues or concerns").fill("Mortality and night staffing")
    page.get_by_label("Rationale").fill("The data and two members' intelligence agree")
    axe_check("conclusion form")
    page.get_by_role("button", name="Save conclusion").click()
    expect(page.locator("#conclusions-table")).to_contain_text("Keep under regular review")
    page.get_by_role("button", name="Record an action").click()
    page.get_by_label("Action", exact=True).fill("CQC to bring forward its focused inspection")
    page.get_by_label("Owner organisation").select_option(
        label="Care Quality Commission, Test North"
    )
    _fill_date(page, "due_date", today + dt.timedelta(days=28))
    page.get_by_role("button", name="Save action").click()
    expect(page.locator("#actions-table")).to_contain_text(
        "CQC to bring forward its focused inspection"
    )
    axe_check("draft note")
    page.get_by_role("button", name="Circulate for comment").click()
    axe_check("circulate form")
    page.get_by_role("button", name="Circulate to members").click()
    expect(page.locator("#note-status")).to_contain_text("Circulated for comment")
    page.get_by_role("button", name="Log out").click()

    # The chair agrees the note and prints the PDF.
    login("chair_a")
    page.get_by_role("link", name="Meetings", exact=True).first.click()
    page.get_by_role("link", name="Area A QSG meeting").first.click()
    page.get_by_role("link", name="Meeting note", exact=True).click()
    page.get_by_role("button", name="Agree the note").click()
    axe_check("agree page")
    page.get_by_role("button", name="Agree the note").click()
    expect(page.locator("#note-status")).to_contain_text("Agreed")
    axe_check("agreed note")
    page.get_by_role("button", name="PDF note").click()
    page.get_by_role("button", name="Make the PDF").click()
    expect(page.get_by_role("button", name="Download the PDF")).to_be_visible()
    axe_check("PDF ready")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the PDF").click()
    path = download_info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
