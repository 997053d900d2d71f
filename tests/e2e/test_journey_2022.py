"""Issue 16's "Done when", walked in a real browser under the 2022 profile on the 2022 demo.

West Yorkshire's System Quality Group places Calderdale and Huddersfield in enhanced
surveillance with two exit criteria (one a measure on the A&E four-hour indicator), reviews it
at a later meeting; the Regional Quality Group escalates it to intensive support with the region
as lead; the System Quality Group opens a rapid quality review, whose outcome brings the trust
back to routine surveillance once every exit criterion is confirmed met. Each step is read back
on the provider's timeline, in the meeting pack (PDF text) and in the regional view.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from qsg import vocabulary
from qsg.models import QSG, Provider
from surveillance.meetings.models import Meeting
from tests.e2e.journey_steps import seed_2022_demo

PROVIDER = "RWY"
REGION_TEAM = "NHS England North East and Yorkshire"
ICB = "NHS West Yorkshire Integrated Care Board"
STATEMENT = "Board-approved plan for emergency department nurse staffing delivered"
MEASURE = "Four-hour A&E waits back within the agreed range"
REGION_CRITERION = "Urgent and emergency care recovery plan signed off by the region"
REVIEW_CONCERN = "Escalation to intensive support: a rapid quality review of the ED"


@pytest.fixture
def world(settings, db):
    seed_2022_demo(settings)
    provider = Provider.objects.get(ods_code=PROVIDER)
    wy = provider.qsg
    past = list(Meeting.objects.filter(qsg=wy, starts_at__lt=timezone.now()).order_by("starts_at"))
    upcoming = Meeting.objects.filter(qsg=wy, starts_at__gt=timezone.now()).order_by("starts_at")
    yield {
        "provider": provider,
        "wy": wy,
        "region": wy.regional_qsg,
        "first": past[-2],
        "later": past[-1],
        "next": upcoming.first(),
    }
    vocabulary.forget()


def _date(page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _switch(page, login, username: str) -> None:
    page.context.clear_cookies()
    login(username)


def _decide(page, *, level, on, group, by, rationale, meeting=None, lead=None, review=None):
    page.get_by_label(level, exact=True).check()
    _date(page, "Date of the decision", on)
    page.get_by_label("Group that decided").select_option(label=group)
    if meeting is not None:
        page.get_by_label("Meeting (optional)").select_option(value=str(meeting.pk))
    page.get_by_label("Who decided").fill(by)
    page.get_by_label("Rationale").fill(rationale)
    if lead:
        page.get_by_label("Lead organisation").select_option(label=lead)
    if review:
        _date(page, "Review date", review)


def _record(page) -> None:
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(re.compile(r"/(escalations|risk-summits)/\d+/$"))


def _timeline(page, site, provider) -> str:
    page.goto(f"{site}/providers/{provider.pk}/")
    return page.locator("main").inner_text()


def _regional(page, site, region) -> str:
    page.goto(f"{site}/regional/regions/{region.pk}/")
    return page.locator("main").inner_text()


def _pack_text(page, site, meeting) -> str:
    page.goto(f"{site}/meetings/{meeting.pk}/pack/")
    # "Make the pack" the first time, "Make a new version of the pack" once a version exists.
    make = re.compile(r"^Make (the pack|a new version of the pack)$")
    page.get_by_role("button", name=make).click(timeout=240_000)
    expect(page.locator("#pack-job")).to_contain_text("of the pack is ready", timeout=240_000)
    page.goto(f"{site}/meetings/{meeting.pk}/pack/")
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"^Download your copy of the pack")).click()
    with open(info.value.path(), "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def test_a_system_quality_group_escalates_and_de_escalates_a_provider(
    world, site, page, login, axe_check
):
    provider, wy, region = world["provider"], world["wy"], world["region"]
    today = timezone.localdate()
    first_day = timezone.localtime(world["first"].starts_at).date()
    later_day = timezone.localtime(world["later"].starts_at).date()
    ae = __import__("dashboard.models", fromlist=["Indicator"]).Indicator.objects.get(code="AE_4HR")

    # 1. The System Quality Group places the trust in enhanced surveillance, two exit criteria.
    login("wy.secretariat")
    page.goto(f"{site}/providers/{provider.pk}/")
    expect(page.locator("header")).to_contain_text("Quality group workspace")
    page.get_by_role("link", name=f"Place {provider.name} at a level").click()
    axe_check("decision form (2022)")
    _decide(
        page,
        level="Enhanced surveillance",
        on=first_day,
        group=wy.name,
        meeting=world["first"],
        by="West Yorkshire System Quality Group by consensus",
        rationale="Four-hour performance below 70% for four months; ED staffing gaps",
        lead=ICB,
        review=later_day + dt.timedelta(days=60),
    )
    page.get_by_label("New exit criterion 1 (optional)").fill(STATEMENT)
    page.get_by_label("New exit criterion 2 (optional)").fill(MEASURE)
    page.get_by_label("Indicator for criterion 2 (optional)").select_option(value=str(ae.pk))
    page.get_by_label("Criterion 2: the value must be").select_option(label="At least")
    page.get_by_label("Criterion 2: target").fill("76")
    _record(page)
    record_url = page.url
    expect(page.locator("main")).to_contain_text(MEASURE)
    axe_check("escalation record (enhanced)")

    # 2. Reviewed at a later meeting, at the same level.
    page.get_by_role("button", name="Record a decision").click()
    _decide(
        page,
        level="Enhanced surveillance",
        on=later_day,
        group=wy.name,
        meeting=world["later"],
        by="West Yorkshire System Quality Group",
        rationale="Reviewed: the staffing plan is in hand, waits not yet improving",
        lead=ICB,
        review=later_day + dt.timedelta(days=60),
    )
    _record(page)

    # 3. The Regional Quality Group escalates it to intensive support, the region leading.
    _switch(page, login, "ney.secretariat")
    page.goto(record_url)
    page.get_by_role("button", name="Record a decision").click()
    _decide(
        page,
        level="Intensive support",
        on=today,
        group=region.name,
        by="North East and Yorkshire Regional Quality Group",
        rationale="No improvement after two reviews: intensive support led by the region",
        lead=REGION_TEAM,
        review=today + dt.timedelta(days=90),
    )
    page.get_by_label("New exit criterion 1 (optional)").fill(REGION_CRITERION)
    _record(page)
    expect(page.locator("main")).to_contain_text("Intensive support")
    regional = _regional(page, site, region)
    axe_check("regional view (2022)")
    assert provider.name in regional and "Intensive support" in regional
    assert REGION_TEAM in regional

    # The System Quality Group's next pack carries the level, the lead and every criterion.
    _switch(page, login, "wy.secretariat")
    pack = _pack_text(page, site, world["next"])
    assert f"{provider.name}: Intensive support" in pack
    assert f"lead organisation {REGION_TEAM}" in pack
    for text in (STATEMENT, MEASURE, REGION_CRITERION):
        assert text in pack

    # 4. A rapid quality review, opened from the record (the summit's 2022 face).
    page.goto(record_url)
    page.get_by_role("link", name=f"Open a rapid quality review of {provider.name}").click()
    axe_check("rapid quality review form")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a rapid quality review")
    page.get_by_label("What is the concern or the action that triggered it?").fill(REVIEW_CONCERN)
    page.get_by_label("Who convenes the review?").select_option(label=ICB)
    page.get_by_role("button", name="Open the rapid quality review").click()
    page.wait_for_url(re.compile(r"/risk-summits/\d+/$"))
    review_url = page.url
    main = page.locator("main")
    expect(main).to_contain_text("Rapid quality review")
    expect(main).to_contain_text("Lead organisation")
    axe_check("rapid quality review page")
    reference = re.search(r"RS-\d{4}-\d{4}", page.title()).group(0)

    # 5. Its outcome brings the trust down once every exit criterion is confirmed met.
    page.get_by_role("link", name=re.compile(rf"^Record an outcome\s+for {provider.name}")).click()
    _decide(
        page,
        level="Routine quality surveillance",
        on=today,
        group=wy.name,
        by=f"Rapid quality review {reference}",
        rationale="Every exit criterion met: four-hour waits above target for three months",
    )
    for box in (
        page.get_by_role("group", name="Exit criteria confirmed met").get_by_role("checkbox").all()
    ):
        box.check()
    _record(page)
    assert page.url == review_url

    # Every step on the provider's timeline.
    timeline = _timeline(page, site, provider)
    axe_check("provider page with its timeline")
    for text in (
        "Four-hour performance below 70% for four months",
        "Reviewed: the staffing plan is in hand",
        "No improvement after two reviews",
        "Every exit criterion met",
        reference,
    ):
        assert text in timeline, text
    assert "Routine quality surveillance" in timeline
    for word in ("QSG", "risk summit", "ring-holder"):
        assert word not in timeline

    # The regional view no longer lists it above routine quality surveillance.
    _switch(page, login, "ney.secretariat")
    regional = _regional(page, site, region)
    assert provider.name not in regional.split("Enhanced surveillance and intensive support")[-1]
    assert QSG.objects.filter(pk=wy.pk, name__contains="System Quality Group").exists()
