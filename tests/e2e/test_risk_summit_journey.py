"""A risk summit from trigger to closure in the browser, axe-checked on every page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from qsg import services as qsg_services
from risksummits.models import RiskSummit
from tests.e2e.journey_steps import expect_error_page, meeting_clock


def _date(page, prefix: str, value: dt.date) -> None:
    page.fill(f"#id_{prefix}-day", str(value.day))
    page.fill(f"#id_{prefix}-month", str(value.month))
    page.fill(f"#id_{prefix}-year", str(value.year))


def _logout(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log in")


def test_risk_summit_from_trigger_to_closure(cast, site, page, login, axe_check):
    qsg_services.membership_add(
        actor=None, qsg=cast.qsgs["a"], organisation=cast.orgs["outsider_org"], kind="co_opted"
    )
    judged = meeting_clock(dt.timedelta(hours=2)) - dt.timedelta(hours=2)
    start = judged + dt.timedelta(minutes=30)
    end = start + dt.timedelta(minutes=40)

    # A commissioner triggers the summit directly.
    login("member_a")
    link = page.get_by_role("link", name="Risk summits").first
    if not link.is_visible():  # the header moves items that do not fit under "More"
        page.get_by_role("button", name="More").click()
    link.click()
    axe_check("summit list")
    page.get_by_role("button", name="Trigger a risk summit").click()
    axe_check("trigger form")
    page.get_by_role("button", name="Trigger the risk summit").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose the provider")
    expect_error_page(page)
    axe_check("trigger form with errors")
    page.get_by_label("Which provider is the concern about?").select_option(
        label="Alpha General Hospital (RAA)"
    )
    page.get_by_label("What is the concern?").fill(
        "A whistleblower reports two midwives for the whole labour ward at night."
    )
    page.get_by_label("Whistleblower").check()
    page.get_by_label("Immediate: meet within 24 hours").check()
    _date(page, "judged_at_date", judged.date())
    page.get_by_label("Time of the judgement").fill(judged.strftime("%H:%M"))
    page.get_by_label("The concern involves child safeguarding").check()
    page.get_by_role("button", name="Trigger the risk summit").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has been triggered")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alpha General Hospital")
    axe_check("summit page")
    summit = RiskSummit.objects.get()
    summit_url = f"{site}/risk-summits/{summit.pk}/"
    _logout(page)

    # The secretariat adds a member organisation and invites a guest.
    login("secretariat_a")
    page.goto(summit_url)
    page.get_by_role("button", name="Add a QSG member organisation").click()
    axe_check("add participant")
    page.get_by_label("Organisation", exact=True).select_option(label="Outside Body Ltd")
    page.get_by_role("button", name="Add to the summit").click()
    expect(page.locator("#participant-table")).to_contain_text("Outside Body Ltd")
    page.get_by_role("button", name="Invite a guest").click()
    axe_check("invite guest")
    page.get_by_label("Name of an organisation not listed").fill("Alpha Constabulary")
    page.get_by_label("First name").fill("Gail")
    page.get_by_label("Last name").fill("Guest")
    page.get_by_label("Email address").fill("gail.guest@police.example")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("can see this summit only")
    expect(page.locator("#participant-table")).to_contain_text("Alpha Constabulary")

    # Checks: the LSCB must be answered for a child safeguarding concern.
    page.get_by_role("button", name="Record checks").click()
    axe_check("checks form")
    page.get_by_label("Considered: no referral needed").check()
    page.locator("#id_adult_safeguarding_followed-3").check()  # not applicable
    page.locator("#id_adult_safeguarding_reason").fill("No adults involved")
    page.locator("#id_lscb_notified").check()  # yes
    page.get_by_role("button", name="Save the checks").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter the date the LSCB was notified"
    )
    axe_check("checks form with errors")
    _date(page, "lscb_notified_on", judged.date())
    page.get_by_role("button", name="Save the checks").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("checks have been recorded")

    # The ring-holder: the chair's agreement, reached on the call.
    page.goto(summit_url + "ring-holder/")
    axe_check("ring-holder")
    page.get_by_role("button", name="Record that the participants agreed").click()
    page.get_by_label("How and when did the participants agree?").fill("Agreed on the first call")
    page.get_by_role("button", name="Record the agreement").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "agreement has been recorded"
    )

    # The first meeting, inside the clock, recorded as held.
    page.get_by_role("button", name="Book a meeting").click()
    axe_check("book meeting")
    _date(page, "starts_at_date", start.date())
    page.get_by_label("Start time").fill(start.strftime("%H:%M"))
    page.get_by_role("button", name="Book the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("First meeting")
    axe_check("meeting page")
    page.get_by_role("button", name="Record the meeting as held").click()
    axe_check("record meeting")
    page.get_by_label("End time").fill(end.strftime("%H:%M"))
    page.get_by_label("Member A, Alpha Integrated Care Board").check()
    page.get_by_label("Secretariat A, NHS England Area A team").check()
    page.get_by_label("Judgements reached").fill(
        "Potential serious failure of maternity care at night."
    )
    page.get_by_role("button", name="Save the record").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("recorded as held")

    # An action from the meeting.
    page.get_by_role("button", name="Add an action from this meeting").click()
    axe_check("action form")
    page.get_by_label("Rapidly safeguard patients").check()
    page.get_by_label("Action", exact=True).fill("Two extra midwives on every night shift")
    page.get_by_label("Owner organisation").select_option(label="Alpha Integrated Care Board")
    _date(page, "due_on", timezone.localdate() + dt.timedelta(days=3))
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Action 1 has been added")
    page.goto(summit_url)
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("First meeting held within the clock")
    _logout(page)

    # The CQC records its regulatory judgement.
    login("cqc_a")
    page.goto(summit_url)
    page.get_by_role("button", name="Record the CQC's judgement").click()
    axe_check("judgement form")
    page.get_by_label("Potential breach").check()
    page.get_by_label("Rationale").fill("Staffing below safe levels; escalation delayed.")
    page.get_by_role("button", name="Record the judgement").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "judgement has been recorded"
    )
    _logout(page)

    # The secretariat closes the action and the summit, then downloads the closure report.
    login("secretariat_a")
    page.goto(summit_url)
    page.get_by_role("link", name="1. Two extra midwives").click()
    axe_check("action page")
    page.get_by_label("Closed: done").check()
    page.get_by_role("button", name="Update the action").click()
    page.get_by_role("button", name="Close the summit").click()
    axe_check("close form")
    page.get_by_label("Improving: continued surveillance by the QSG").check()
    page.get_by_label("Summary of the outcome").fill("Safe staffing restored; kept under review.")
    page.get_by_label("Keep under regular review").check()
    page.get_by_role("button", name="Close the summit").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has been closed")
    axe_check("closed summit")
    page.get_by_role("button", name="Make the closure report (PDF)").click()
    expect(page.get_by_role("button", name="Download the PDF")).to_be_visible(timeout=30_000)
    axe_check("PDF page")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"
    assert RiskSummit.objects.get().status == RiskSummit.Status.CLOSED
