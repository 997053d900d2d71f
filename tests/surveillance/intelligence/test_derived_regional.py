"""Local reports and the regional view inherit the visibility of the intelligence their rows
were made from (issue 14, build 1): a conclusion drawn from an item shared "my organisation
only" does not travel to the region in the local report, nor into the regional view's liaison
list or recurring themes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from surveillance.regional import selectors as sr
from surveillance.regional import services as sv

from .test_derived_actions import _action_under_the_item
from .test_derived_visibility import NOT_SHARED

pytestmark = pytest.mark.django_db

WORDS = ("Bank staff pay", "Discussed under the item")


def test_a_local_report_carries_no_words_of_a_conclusion_from_a_withheld_item(cast, client_for):
    m, item, _action = _action_under_the_item(cast, via="conclusion")
    today = timezone.localdate()
    report = sv.local_report_draft(
        actor=cast.users["secretariat_a"],
        qsg=cast.qsgs["a"],
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=30),
    )
    section = report.sections.get(key="conclusions")
    assert cast.providers["provider_a1"].name in section.text  # the conclusion is reported
    assert f"1 {NOT_SHARED}" in section.text
    for words in WORDS:
        assert words not in section.text
        assert words not in str(section.rows)
    sv.local_report_submit(actor=cast.users["secretariat_a"], report=report)
    for username in ("reviewer", "regional_secretariat", "secretariat_a", "cqc_a"):
        client = client_for(username)
        for url in (
            f"/regional/reports/{report.pk}/",
            f"/api/v1/local-reports/{report.pk}/",
            f"/regional/regions/{cast.qsgs['r'].pk}/",
        ):
            response = client.get(url)
            if response.status_code == 404:
                continue
            body = response.content.decode()
            for words in WORDS:
                assert words not in body, (username, url)
    # The regional view's own reading of the conclusions keeps no words either.
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    (conclusion,) = sr._visible_conclusions(cast.users["reviewer"], [cast.qsgs["a"].pk], start, end)
    assert conclusion.withheld == 1
    assert conclusion.key_issues == f"1 {NOT_SHARED}" and conclusion.rationale == ""
    (own,) = sr._visible_conclusions(cast.users["secretariat_a"], [cast.qsgs["a"].pk], start, end)
    assert own.withheld == 0 and own.key_issues == "Bank staff pay"
    assert item.pk in own.intelligence_item_ids
    assert m.qsg_id == cast.qsgs["a"].pk


def test_a_withheld_conclusion_adds_no_recurring_theme():
    """Pure: a conclusion the reader may not read (`withheld`, set by `_visible_conclusions`)
    counts for no theme, even through the items it links."""
    from types import SimpleNamespace

    item = SimpleNamespace(pk=1, qsg_id=10, theme_id=1, theme=SimpleNamespace(label="Staffing"))

    def conclusion(withheld):
        return SimpleNamespace(
            key_issues="Staffing gaps at night",
            rationale="",
            intelligence_item_ids=[1],
            withheld=withheld,
            note=SimpleNamespace(meeting=SimpleNamespace(qsg_id=20)),
        )

    def themes(c):
        rows = sr.recurring_themes(
            intelligence=[item],
            conclusions=[c],
            vocabulary={"Staffing": ("staffing",)},
            qsg_names={10: "Ten", 20: "Twenty"},
        )
        return [(r.theme, r.qsgs) for r in rows]

    assert themes(conclusion(0)) == [("Staffing", ["Ten", "Twenty"])]
    assert themes(conclusion(1)) == []
