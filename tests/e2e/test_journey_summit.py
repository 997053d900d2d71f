"""A risk summit from trigger to closure (issue 15, build 2), through the state machine of
risksummits/rules.py, with two attendees recorded at each meeting, read back at the end.

On the way the rules speak through the pages: a first meeting after the clock's deadline needs a
reason; meetings are numbered by date, not by booking; the summit cannot close while a meeting is
still booked or an action is open, and then closes.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from risksummits import rules
from risksummits.models import RiskSummit, SummitAction, SummitMeeting
from tests.e2e.journey_steps import fill_date, meeting_clock, sign_out

ATTENDEES = ("Member A, Alpha Integrated Care Board", "Secretariat A, NHS England Area A team")


def _book(page, summit_url: str, starts: dt.datetime) -> None:
    page.goto(summit_url)
    page.get_by_role("button", name="Book a meeting").click()
    fill_date(page, "starts_at_date", starts.date())
    page.get_by_label("Start time").fill(starts.strftime("%H:%M"))
    page.get_by_role("button", name="Book the meeting").click()


def _record(page, summit_url: str, title: str, ends: dt.datetime, judgements: str, axe_check):
    page.goto(summit_url)
    page.locator("#meeting-table").get_by_role("link", name=title).click()
    page.get_by_role("button", name="Record the meeting as held").click()
    page.get_by_label("End time").fill(ends.strftime("%H:%M"))
    for person in ATTENDEES:  # checkboxes: both ticks are kept
        page.get_by_label(person).check()
    page.get_by_label("Judgements reached").fill(judgements)
    axe_check(f"record the {title.lower()}")
    page.get_by_role("button", name="Save the record").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        f"The {title.lower()} has been recorded as held"
    )
    attended = page.locator("h2:has-text('Attendance') + ul > li")
    expect(attended).to_have_text(list(ATTENDEES))


def test_a_summit_from_trigger_to_closure_through_its_rules(cast, site, page, login, axe_check):
    now = meeting_clock(dt.timedelta(hours=3))
    judged = now - dt.timedelta(hours=3)
    first_start = judged + dt.timedelta(minutes=30)
    follow_up_start = now - dt.timedelta(minutes=50)
    too_late = judged + dt.timedelta(hours=30)

    # A commissioner triggers the summit: the 24-hour clock starts at the judgement.
    login("member_a")
    page.goto(f"{site}/risk-summits/")
    page.get_by_role("button", name="Trigger a risk summit").click()
    page.get_by_label("Which provider is the concern about?").select_option(
        label="Alpha General Hospital (RAA)"
    )
    page.get_by_label("What is the concern?").fill("Two midwives for the labour ward at night.")
    page.get_by_label("Whistleblower").check()
    page.get_by_label("Immediate: meet within 24 hours").check()
    fill_date(page, "judged_at_date", judged.date())
    page.get_by_label("Time of the judgement").fill(judged.strftime("%H:%M"))
    page.get_by_role("button", name="Trigger the risk summit").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has been triggered")
    expect(page.get_by_role("heading", level=1)).to_contain_text("the first meeting is due")
    summit = RiskSummit.objects.get()
    summit_url = f"{site}/risk-summits/{summit.pk}/"
    sign_out(page)

    login("secretariat_a")
    # Closing now is refused, with every reason.
    page.goto(summit_url + "close/")
    problems = page.locator(".nhsuk-warning-callout")
    expect(problems).to_contain_text("No summit meeting has been recorded as held")
    expect(problems).to_contain_text("The CQC's regulatory judgement has not been recorded")
    expect(problems).to_contain_text("The ring-holder has not been agreed")
    axe_check("close form, not yet")

    # The checks and the ring-holder.
    page.goto(summit_url)
    page.get_by_role("button", name="Record checks").click()
    page.get_by_label("Considered: no referral needed").check()
    page.get_by_role("button", name="Save the checks").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("checks have been recorded")
    page.goto(summit_url + "ring-holder/")
    page.get_by_role("button", name="Record that the participants agreed").click()
    page.get_by_label("How and when did the participants agree?").fill("Agreed on the first call")
    page.get_by_role("button", name="Record the agreement").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "agreement has been recorded"
    )

    # A first meeting after the clock's deadline needs a reason: the clock is kept instead.
    _book(page, summit_url, too_late)
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "hours after the judgement. Choose an earlier time"
    )
    axe_check("book meeting, too late")
    # The follow-up is booked first; the meetings are numbered by date all the same.
    _book(page, summit_url, follow_up_start)
    expect(page.get_by_role("heading", level=1)).to_contain_text("First meeting")
    _book(page, summit_url, first_start)
    expect(page.get_by_role("heading", level=1)).to_contain_text("First meeting")
    page.goto(summit_url)
    links = page.locator("#meeting-table tbody tr a")
    expect(links).to_have_text(["First meeting", "Follow-up meeting 1"])

    _record(
        page,
        summit_url,
        "First meeting",
        first_start + dt.timedelta(minutes=40),
        "Potential serious failure of maternity care at night.",
        axe_check,
    )
    page.get_by_role("button", name="Add an action from this meeting").click()
    page.get_by_label("Rapidly safeguard patients").check()
    page.get_by_label("Action", exact=True).fill("Two extra midwives on every night shift")
    page.get_by_label("Owner organisation").select_option(label="Alpha Integrated Care Board")
    fill_date(page, "due_on", timezone.localdate() + dt.timedelta(days=3))
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Action 1 has been added")
    page.goto(summit_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("meeting until action")
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("First meeting held within the clock")
    sign_out(page)

    login("cqc_a")
    page.goto(summit_url)
    page.get_by_role("button", name="Record the CQC's judgement").click()
    page.get_by_label("Potential breach").check()
    page.get_by_label("Rationale").fill("Staffing below safe levels; escalation delayed.")
    page.get_by_role("button", name="Record the judgement").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "judgement has been recorded"
    )
    sign_out(page)

    login("secretariat_a")
    # Still booked, still open: the summit cannot close.
    page.goto(summit_url + "close/")
    problems = page.locator(".nhsuk-warning-callout")
    expect(problems).to_contain_text("Record as held or cancel every booked meeting first")
    expect(problems).to_contain_text("Close or transfer every action first (still open: 1)")
    page.get_by_label("Improving: continued surveillance by the QSG").check()
    page.get_by_label("Summary of the outcome").fill("Safe staffing restored.")
    page.get_by_label("Keep under regular review").check()
    page.get_by_role("button", name="Close the summit").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("every booked meeting")
    assert RiskSummit.objects.get().status == RiskSummit.Status.OPEN

    _record(
        page,
        summit_url,
        "Follow-up meeting 1",
        follow_up_start + dt.timedelta(minutes=30),
        "Night staffing now safe; keep watching.",
        axe_check,
    )
    page.goto(summit_url)
    page.get_by_role("link", name="1. Two extra midwives").click()
    page.get_by_label("Closed: done").check()
    page.get_by_role("button", name="Update the action").click()
    page.goto(summit_url)
    page.get_by_role("button", name="Close the summit").click()
    expect(page.locator(".nhsuk-warning-callout")).to_have_count(0)
    page.get_by_label("Improving: continued surveillance by the QSG").check()
    page.get_by_label("Summary of the outcome").fill("Safe staffing restored; kept under review.")
    page.get_by_label("Keep under regular review").check()
    page.get_by_role("button", name="Close the summit").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has been closed")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed")
    expect(page.get_by_role("button", name="Book a meeting")).to_have_count(0)
    axe_check("closed summit")

    # Read back: the record as the rules keep it.
    summit = RiskSummit.objects.get()
    assert summit.status == RiskSummit.Status.CLOSED
    assert summit.outcome_summary == "Safe staffing restored; kept under review."
    assert rules.stage(summit).name == rules.CLOSED
    meetings = rules.meeting_order(summit.meetings.all())
    assert [(m.title, m.status) for m in meetings] == [
        ("First meeting", SummitMeeting.Status.HELD),
        ("Follow-up meeting 1", SummitMeeting.Status.HELD),
    ]
    assert [m.starts_at for m in meetings] == [first_start, follow_up_start]
    for m in meetings:
        assert sorted(m.attendance.values_list("user__username", flat=True)) == [
            "member_a",
            "secretariat_a",
        ]
    assert meetings[1].judgements == "Night staffing now safe; keep watching."
    action = SummitAction.objects.get(summit=summit)
    assert (action.meeting, action.status) == (meetings[0], SummitAction.Status.DONE)
    assert summit.judgements.get().rationale == "Staffing below safe levels; escalation delayed."
