"""The secretariat's journey (issue 15, build 2), from nothing to the pack: plan the business
cycle so that every provider in the footprint is placed in a meeting, build the meeting's
agenda from the plan (with one confidential item), record everyone expected, write the note
with a conclusion on each provider and an action, circulate it, make the pack per audience and
read each PDF back: the full pack and a statutory member's copy carry the confidential item, a
non-statutory member's copy does not, and the observer receives no file at all. Axe on every
page."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from qsg import services
from qsg.jinja2 import uk_date
from qsg.models import Provider, QSGRole
from surveillance.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    Conclusion,
    Meeting,
    MeetingNote,
    PlanEntry,
)
from surveillance.packs.models import PackVersion
from tests.e2e.journey_steps import download_text, fill_date, sign_out
from tests.surveillance.meetings.factories import ensure_reference_data

CONFIDENTIAL = "Whistleblowing disclosure about theatre staffing"
ACTION = "CQC to bring forward its focused inspection of theatres"


def _non_statutory_member(cast):
    """A member organisation that is not a statutory body, with its member: its copy of the pack
    is the open one."""
    qsg = cast.qsgs["a"]
    services.membership_add(actor=None, qsg=qsg, organisation=cast.orgs["outsider_org"])
    services.role_assign(actor=None, qsg=qsg, user=cast.users["outsider"], role=QSGRole.Role.MEMBER)


def test_secretariat_plans_holds_and_packs_a_meeting(cast, site, page, login, axe_check):
    ensure_reference_data()
    _non_statutory_member(cast)
    today = timezone.localdate()
    qsg = cast.qsgs["a"]
    main = page.locator("main")

    login("secretariat_a")
    page.goto(f"{site}/qsgs/{qsg.pk}/")
    axe_check("QSG page")
    page.get_by_role("link", name="All meetings").click()
    axe_check("meetings")

    # A meeting in the cycle, then the plan that places every provider in it.
    page.get_by_role("button", name="Add a single meeting").click()
    axe_check("meeting form")
    fill_date(page, "date", today)
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("13:00")
    page.get_by_role("button", name="Add meeting").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("The meeting has been added")
    meeting = Meeting.objects.get(qsg=qsg)
    page.goto(f"{site}/qsgs/{qsg.pk}/meetings/")
    page.get_by_role("link", name="Business cycle").click()
    axe_check("business cycle")
    page.get_by_role("button", name="Start plan").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "business plan has been created"
    )
    axe_check("business plan")
    page.get_by_label("By sector").check()
    page.get_by_role("button", name="Place providers").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "2 groups of providers placed in meetings"
    )
    expect(main).to_contain_text("Alpha General Hospital")
    expect(main).to_contain_text("Alpha Community Services")
    axe_check("business plan, placed")
    page.get_by_role("button", name="Place providers").click()  # again: nothing left to place
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Every provider in the footprint is already in the plan"
    )
    page.get_by_role("link", name="Business cycle").click()
    page.get_by_role("link", name="See which providers have been discussed").click()
    axe_check("coverage")
    expect(main).to_contain_text("0 providers flagged")
    for row in page.locator("#coverage-table tbody tr").all():
        expect(row).to_contain_text(uk_date(today))

    # The agenda: the standard items, the plan's two groups, a confidential item.
    page.goto(f"{site}/meetings/{meeting.pk}/agenda/")
    page.get_by_role("button", name=re.compile(r"Add the standard items")).click()
    page.get_by_label("Acute providers").check()
    page.get_by_label("Community providers").check()
    axe_check("agenda with proposals")
    page.get_by_role("button", name="Add the ticked items").click()
    agenda = page.locator("#agenda-table")
    expect(agenda).to_contain_text("Providers: Alpha General Hospital")
    expect(agenda).to_contain_text("Providers: Alpha Community Services")
    page.get_by_role("button", name="Add an item").click()
    page.get_by_label("Title").fill(CONFIDENTIAL)
    page.get_by_label("Type of item").select_option(label="Report")
    page.get_by_label("Confidential item").check()
    axe_check("agenda item form")
    page.get_by_role("button", name="Add item").click()
    expect(agenda).to_contain_text(CONFIDENTIAL)
    axe_check("agenda")

    # Attendance of everyone expected, in one submit.
    page.get_by_role("link", name="Attendance", exact=True).click()
    axe_check("attendance")
    page.get_by_role("link", name="Record everyone expected").click()
    axe_check("record everyone expected")
    member = cast.users["member_a"]
    page.locator(f"#person-{member.pk}").get_by_label(f"{member.display_name}: present from").fill(
        "10:30"
    )
    page.get_by_role("button", name="Record attendance").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/attendance/")
    expect(page.locator("#quorum-panel")).to_contain_text("Quorate")
    axe_check("attendance recorded")

    # The note: a record and a conclusion per provider, an action; then circulated.
    page.get_by_role("link", name="Meeting note", exact=True).click()
    page.get_by_role("button", name="Start the note").click()
    axe_check("new note")
    for group, code, name, category in (
        ("Acute providers", "RAA", "Alpha General Hospital", "Keep under regular review"),
        ("Community providers", "RAB", "Alpha Community Services", "No further action"),
    ):
        page.get_by_role(
            "link", name=re.compile(rf"Record the discussion of item \d+, {group}")
        ).click()
        page.get_by_label("Record of discussion").fill(f"The group went through {name}'s data.")
        page.get_by_role("button", name="Save record").click()
        page.get_by_role("button", name="Record a conclusion").click()
        page.get_by_label("Provider").select_option(label=f"{name} ({code})")
        page.get_by_label(category).check()
        page.get_by_label("Key issues or concerns").fill(f"Staffing at {name}")
        page.get_by_label("Rationale").fill(f"Data and members' intelligence on {name} agree")
        page.get_by_role("button", name="Save conclusion").click()
        expect(page.locator("#conclusions-table")).to_contain_text(name)
    axe_check("conclusion form")  # (the last one, after saving: the note)
    page.get_by_role("button", name="Record an action").click()
    axe_check("action form")
    page.get_by_label("Action", exact=True).fill(ACTION)
    page.get_by_label("Owner organisation").select_option(
        label="Care Quality Commission, Test North"
    )
    fill_date(page, "due_date", today + dt.timedelta(days=28))
    page.get_by_role("button", name="Save action").click()
    expect(page.locator("#actions-table")).to_contain_text(ACTION)
    axe_check("draft note")
    page.get_by_role("button", name="Circulate for comment").click()
    axe_check("circulate form")
    page.get_by_role("button", name="Circulate to members").click()
    expect(page.locator("#note-status")).to_contain_text("Circulated for comment")

    # The pack, one file per audience, each read back.
    page.get_by_role("link", name="Pack and returns").click()
    axe_check("pack page")
    # Tasks run in the request here (no worker): the reply waits for every file to be made.
    page.get_by_role("button", name="Make the pack").click(timeout=120_000)
    expect(page.locator("#pack-job")).to_contain_text("of the pack is ready")
    axe_check("pack ready")
    page.get_by_role("button", name="See the files").click()
    axe_check("pack files")

    def copy_for(audience: str) -> str:
        link = page.get_by_role("link", name=re.compile(rf"Download version 1 for .*{audience}"))
        return download_text(page, link)

    full = copy_for(re.escape("The secretariat and chair (full pack)"))
    icb = copy_for("Alpha Integrated Care Board")
    open_copy = copy_for("Outside Body Ltd")
    for text in (full, icb, open_copy):
        assert "Acute providers" in text and "Community providers" in text
    assert CONFIDENTIAL in full and CONFIDENTIAL in icb
    assert CONFIDENTIAL not in open_copy
    sign_out(page)

    # The observer (a council officer) receives no file: the page offers none, a file is 404.
    login("observer_a")
    page.goto(f"{site}/meetings/{meeting.pk}/pack/")
    axe_check("pack page (observer)")
    expect(page.get_by_role("button", name=re.compile("Download"))).to_have_count(0)
    for version in PackVersion.objects.filter(pack__meeting=meeting):
        response = page.goto(f"{site}/meetings/{meeting.pk}/pack/files/{version.pk}/")
        assert response.status == 404

    # Read back what was stored.
    footprint = set(
        Provider.objects.filter(qsg=qsg, is_active=True).values_list("ods_code", flat=True)
    )
    planned = set(
        PlanEntry.objects.filter(plan__qsg=qsg, meeting=meeting).values_list(
            "providers__ods_code", flat=True
        )
    )
    assert planned == footprint == {"RAA", "RAB"}
    on_agenda = AgendaItem.objects.filter(meeting=meeting)
    assert on_agenda.get(title=CONFIDENTIAL).is_confidential
    assert set(on_agenda.values_list("providers__ods_code", flat=True)) >= footprint
    present = {(a.user_id, a.present_from) for a in Attendance.objects.filter(meeting=meeting)}
    expected = {
        cast.users[u].pk
        for u in ("secretariat_a", "chair_a", "member_a", "cqc_a", "observer_a", "outsider")
    }
    assert {user for user, _ in present} == expected
    assert (member.pk, dt.time(10, 30)) in present
    note = MeetingNote.objects.get(meeting=meeting)
    assert note.status == MeetingNote.Status.CIRCULATED
    concluded = {
        c.provider.ods_code: c.category.label
        for c in Conclusion.objects.filter(note=note).select_related("provider", "category")
    }
    assert concluded == {"RAA": "Keep under regular review", "RAB": "No further action"}
    action = Action.objects.get(note=note)
    assert action.description == ACTION and action.owner_organisation == cast.orgs["cqc"]
    assert (
        PackVersion.objects.filter(pack__meeting=meeting, status=PackVersion.Status.READY).count()
        == 3
    )
