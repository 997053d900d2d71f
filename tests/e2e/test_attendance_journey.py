"""Attendance of everyone expected, in a real browser (issue 15, finding 6): the secretariat
records the whole membership in one submit, with an apology, a deputy and an early departure,
is refused a time outside the meeting, and reads back what was stored. Axe on each page."""

from __future__ import annotations

import datetime as dt

from surveillance.meetings.models import Attendance
from tests.e2e.journey_steps import expect_error_page
from tests.surveillance.meetings.factories import ensure_reference_data, meeting


def test_secretariat_records_everyone_expected(cast, site, page, login, axe_check):
    ensure_reference_data()
    m = meeting(cast)  # 10:00 to 13:00
    u = cast.users
    login("secretariat_a")
    page.goto(f"{site}/meetings/{m.pk}/attendance/")
    page.get_by_role("link", name="Record everyone expected").click()
    axe_check("record everyone expected")

    def person(key):
        return page.locator(f"#person-{u[key].pk}")

    person("member_a").get_by_label("Apologies").check()
    person("cqc_a").get_by_label("Sent a deputy").check()
    person("cqc_a").get_by_label(f"Name of the deputy for {u['cqc_a'].display_name}").fill(
        "Dr Dee Puty"
    )
    person("observer_a").get_by_label("Did not attend").check()
    until = person("chair_a").get_by_label(f"{u['chair_a'].display_name}: present until")
    until.fill("14:00")
    page.get_by_role("button", name="Record attendance").click()
    expect_error_page(page)
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert f"{u['chair_a'].display_name} cannot leave after the meeting ends at 13:00" in summary
    axe_check("record everyone expected, with errors")
    person("chair_a").get_by_label(f"{u['chair_a'].display_name}: present until").fill("12:15")
    page.get_by_role("button", name="Record attendance").click()
    page.wait_for_url(f"**/meetings/{m.pk}/attendance/")
    table = page.locator("#attendance-table").inner_text()
    assert "Dr Dee Puty" in table and f"Deputy for {u['cqc_a'].display_name}" in table
    assert u["member_a"].display_name in page.locator("#apologies").inner_text()
    axe_check("attendance after recording everyone")

    rows = {
        (r.name, r.status, r.present_from, r.present_to)
        for r in Attendance.objects.filter(meeting=m)
    }
    t = dt.time
    assert rows == {
        (u["secretariat_a"].display_name, "present", t(10), t(13)),
        (u["chair_a"].display_name, "present", t(10), t(12, 15)),
        (u["member_a"].display_name, "apologies", None, None),
        ("Dr Dee Puty", "present", t(10), t(13)),
    }
