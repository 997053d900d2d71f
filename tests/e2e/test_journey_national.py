"""Issue 16's tiers and shared providers, walked in a real browser on the 2022 demo.

(a) The national reviewer (`national.reviewer`, of the National Quality Group over the North East
and Yorkshire region) reads the Regional Quality Group's and West Yorkshire's escalation lists,
a submitted local report and a provider's timeline, and finds no form and no button that writes;
a POST they make anyway is refused.

(b) The Yorkshire Ambulance Service (RX8), led by West Yorkshire's System Quality Group and in
Humber and North Yorkshire's footprint too, shows in both systems' coverage and dashboard
matrix; the trust's own person (`yas.trust`, a member of both groups) reads the intelligence
shared with the group's members and not what an ICB kept to itself.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from qsg import vocabulary
from qsg.models import QSG, Provider, User
from surveillance.escalation.models import EscalationRecord
from surveillance.intelligence.models import IntelligenceItem
from surveillance.regional import services as regional_services
from tests.e2e.journey_steps import seed_2022_demo
from tests.surveillance.intelligence.factories import released

SHARED_WORDS = "Handover delays at the emergency departments, shared with the group"
ICB_ONLY_WORDS = "Contract performance notice under discussion, ICB only"
REPORT_WORDS = "Ambulance handover delays across the system this quarter"


@pytest.fixture
def world(settings, db):
    seed_2022_demo(settings)
    rx8 = Provider.objects.get(ods_code="RX8")
    wy = rx8.qsg
    hny = rx8.other_qsgs.get()
    users = {u.username: u for u in User.objects.filter(username__in=["wy.icb", "wy.secretariat"])}
    # A submitted local report of West Yorkshire's group.
    today = timezone.localdate()
    report = regional_services.local_report_draft(
        actor=users["wy.secretariat"],
        qsg=wy,
        period_start=today - dt.timedelta(days=90),
        period_end=today - dt.timedelta(days=1),
    )
    section = report.sections.order_by("pk").first()
    regional_services.local_report_section_edit(
        actor=users["wy.secretariat"], section=section, text=REPORT_WORDS
    )
    report = regional_services.local_report_submit(actor=users["wy.secretariat"], report=report)
    # Intelligence about the ambulance trust: one item for the group's members, one the ICB
    # keeps to itself.
    cast = SimpleNamespace(qsgs={"a": wy}, providers={"provider_a1": rx8}, users=users)
    released(cast, "wy.icb", "wy.secretariat", summary=SHARED_WORDS)
    released(
        cast,
        "wy.icb",
        "wy.secretariat",
        summary=ICB_ONLY_WORDS,
        distribution=IntelligenceItem.Distribution.ORGANISATION,
    )
    yield {
        "rx8": rx8,
        "wy": wy,
        "hny": hny,
        "region": wy.regional_qsg,
        "report": report,
        "record": EscalationRecord.objects.filter(provider__qsg=wy).order_by("pk").first(),
    }
    vocabulary.forget()


def _no_writes(page, label: str) -> None:
    """Nothing on the page changes anything: no POST form, no link to a change page."""
    main = page.locator("main")
    assert main.locator("form[method='post'], form[method='POST']").count() == 0, label
    writes = main.locator(
        "a[href*='/decide/'], a[href$='/edit/'], a[href$='/new/'], a[href*='/comment/']"
    )
    assert writes.count() == 0, f"{label}: {writes.first.get_attribute('href')}"


def test_the_national_reviewer_reads_the_region_and_its_systems_and_changes_nothing(
    world, site, page, login, axe_check
):
    wy, region, report, record = world["wy"], world["region"], world["report"], world["record"]
    assert region.regional_qsg.level == QSG.Level.NATIONAL
    login("national.reviewer")
    for label, path, expected in (
        ("region's escalation list", f"/escalations/groups/{region.pk}/", record.provider.name),
        ("system's escalation list", f"/escalations/groups/{wy.pk}/", record.provider.name),
        ("escalation record", f"/escalations/{record.pk}/", record.provider.name),
        ("local report", f"/regional/reports/{report.pk}/", REPORT_WORDS),
        ("provider's timeline", f"/providers/{record.provider.pk}/", record.provider.name),
    ):
        response = page.goto(f"{site}{path}")
        assert response.status == 200, f"{label}: {response.status}"
        assert expected in page.locator("main").inner_text(), label
        axe_check(label)
        _no_writes(page, label)
    # The provider's timeline shows the decisions on record.
    page.goto(f"{site}/providers/{record.provider.pk}/")
    assert "ntensive support" in page.locator("main").inner_text()
    # A POST made anyway (with a valid CSRF token): refused, and nothing recorded.
    decisions = record.decisions.count()
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    headers = {"X-CSRFToken": token, "Referer": f"{site}/"}
    comment = page.request.post(
        f"{site}/regional/reports/{report.pk}/comment/",
        form={"text": "From the national team"},
        headers=headers,
    )
    assert comment.status == 403
    decide = page.request.post(
        f"{site}/escalations/{record.pk}/decide/", form={"level": "routine"}, headers=headers
    )
    assert decide.status == 403
    assert not report.comments.exists()
    assert record.decisions.count() == decisions


def test_a_shared_provider_shows_in_both_systems_and_its_trust_reads_only_what_is_shared(
    world, site, page, login, axe_check
):
    rx8, wy, hny = world["rx8"], world["wy"], world["hny"]
    for username, group in (("wy.secretariat", wy), ("hny.secretariat", hny)):
        page.context.clear_cookies()
        login(username)
        page.goto(f"{site}/qsgs/{group.pk}/coverage/")
        assert rx8.name in page.locator("main").inner_text(), f"{group.name} coverage"
        axe_check(f"{group.name} coverage")
        page.goto(f"{site}/dashboard/qsgs/{group.pk}/")
        assert rx8.name in page.locator("main").inner_text(), f"{group.name} matrix"
        axe_check(f"{group.name} matrix")
    page.context.clear_cookies()
    login("yas.trust")
    page.goto(f"{site}/providers/{rx8.pk}/")
    assert rx8.name in page.locator("main").inner_text()
    axe_check("the trust's own page")
    page.goto(f"{site}/intelligence/")
    listing = page.locator("main").inner_text()
    axe_check("the trust's intelligence")
    assert SHARED_WORDS in listing and ICB_ONLY_WORDS not in listing
    # Another provider of West Yorkshire's: read as a member of the group, but its escalation
    # record is the group's, not a write of the trust's.
    record = world["record"]
    page.goto(f"{site}/escalations/{record.pk}/")
    _no_writes(page, "another provider's record, as the trust")
