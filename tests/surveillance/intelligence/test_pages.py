"""The intelligence pages: submit in steps, check answers, read, export, triage, merge, widen.

Through the real pages as the cast, on PostgreSQL. Visibility through pages, CSV and search;
do-not-attribute in pages and CSV; a PID hit keeps the text; a double submit makes one item.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from surveillance.intelligence.models import IntelligenceAccess, IntelligenceItem, Theme

from .factories import released, submit

Item = IntelligenceItem
Distribution = Item.Distribution

NHS_NUMBER = "943 476 5919"


def _date(prefix: str, value: dt.date) -> dict:
    return {
        f"{prefix}-day": value.day,
        f"{prefix}-month": value.month,
        f"{prefix}-year": value.year,
    }


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _start(client, cast, **extra):
    data = {
        "form_token": extra.pop("form_token", "tok-start"),
        "qsg": cast.qsgs["a"].pk,
        "providers": cast.providers["provider_a1"].ods_code,
        "service_site": "Ward 7",
        "outside_reason": "",
        **extra,
    }
    return client.post(reverse("surveillance:intelligence-new"), data)


def _step(client, pk, step, data, **query):
    url = reverse("surveillance:intelligence-step", args=[pk, step])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, data)


def _details(**extra) -> dict:
    today = timezone.localdate()
    return {
        "source_type": "staff",
        "quality_dimension": "safety",
        "theme": Theme.objects.get(code="staffing").pk,
        "summary": "Night shifts short of registered nurses",
        "details": "Two registered nurses for 28 beds on several nights.",
        **_date("observed_from", today - dt.timedelta(days=10)),
        **extra,
    }


def _grading(**extra) -> dict:
    return {
        "source_reliability": "B",
        "information_certainty": "2",
        **_date("review_by", timezone.localdate() + dt.timedelta(days=30)),
        **extra,
    }


def _draft_through_all_steps(client, cast, sharing=None) -> Item:
    response = _start(client, cast)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = Item.objects.get(submitted_by=cast.users["member_a"], status=Item.Status.DRAFT)
    assert response["Location"] == reverse(
        "surveillance:intelligence-step", args=[draft.pk, "details"]
    )
    assert _step(client, draft.pk, "details", _details()).status_code == 302
    assert _step(client, draft.pk, "grading", _grading()).status_code == 302
    response = _step(client, draft.pk, "sharing", sharing or {"distribution": "qsg"})
    assert response["Location"] == reverse("surveillance:intelligence-check", args=[draft.pk])
    return draft


@pytest.mark.django_db
def test_submit_in_steps_check_answers_and_confirmation(cast, client_for):
    client = client_for("member_a")
    page = client.get(reverse("surveillance:intelligence-new"))
    assert page.status_code == 200
    assert "Step 1 of 4" in page.content.decode()
    draft = _draft_through_all_steps(client, cast)

    check = client.get(reverse("surveillance:intelligence-check", args=[draft.pk]))
    body = check.content.decode()
    assert "Check your answers before submitting" in body
    assert "Night shifts short of registered nurses" in body
    assert "?change=1#id_summary" in body  # change links go back to the right question
    token = "submit-token-1"
    first = client.post(
        reverse("surveillance:intelligence-check", args=[draft.pk]), {"form_token": token}
    )
    item = Item.objects.get(pk=draft.pk)
    assert item.status == Item.Status.SUBMITTED
    assert first["Location"] == reverse("surveillance:intelligence-submitted", args=[item.pk])
    confirmation = client.get(first["Location"]).content.decode()
    # The panel's markup is markup, not text shown to the person (issue 15, finding 4).
    assert f"Your reference number<br><strong>{item.reference}</strong>" in confirmation
    assert "&lt;" not in confirmation
    assert "Intelligence submitted" in confirmation

    # The same form posted again (double click, back and resubmit): still one item.
    again = client.post(
        reverse("surveillance:intelligence-check", args=[draft.pk]), {"form_token": token}
    )
    assert again.status_code in (302, 404)
    assert Item.objects.filter(submitted_by=cast.users["member_a"]).count() == 1


@pytest.mark.django_db
def test_double_submit_of_the_first_step_makes_one_draft(cast, client_for):
    client = client_for("member_a")
    _start(client, cast, form_token="same")
    _start(client, cast, form_token="same")
    assert Item.objects.filter(submitted_by=cast.users["member_a"]).count() == 1


@pytest.mark.django_db
def test_drafts_are_listed_to_resume_and_change_returns_to_check(cast, client_for):
    client = client_for("member_a")
    draft = _draft_through_all_steps(client, cast)
    page = client.get(reverse("surveillance:intelligence-new")).content.decode()
    assert "Your drafts" in page
    assert reverse("surveillance:intelligence-check", args=[draft.pk]) in page
    response = _step(client, draft.pk, "details", _details(summary="Changed summary"), change=1)
    assert response["Location"] == reverse("surveillance:intelligence-check", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.summary == "Changed summary"
    assert draft.providers.count() == 1  # other steps' answers are kept
    # Nobody else can open the draft.
    other = client_for("secretariat_a")
    assert other.get(reverse("surveillance:intelligence-check", args=[draft.pk])).status_code == 404


@pytest.mark.django_db
def test_pid_blocks_the_step_names_what_and_where_and_keeps_the_text(cast, client_for):
    client = client_for("member_a")
    _start(client, cast)
    draft = Item.objects.get(submitted_by=cast.users["member_a"])
    text = f"Patient with NHS number {NHS_NUMBER} waited 14 hours."
    response = _step(client, draft.pk, "details", _details(details=text))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Details contains what looks like an NHS number (line 1" in body
    assert 'href="#id_details"' in body  # the error summary links to the field
    assert text in body  # what was typed stays in the form
    draft.refresh_from_db()
    assert draft.details == ""  # nothing identifiable was stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        ("details", {"summary": ""}, "summary", "Enter"),
        ("details", {"summary": "x" * 201}, "summary", "200"),
        ("details", {"details": "x" * 5001}, "details", "5000"),
        ("details", _date("observed_from", dt.date(2999, 1, 1)), "observed_from", "past"),
        ("details", {"observed_from-day": "31", "observed_from-month": "2"}, "observed_from", ""),
        ("grading", _date("review_by", dt.date(2001, 1, 1)), "review_by", "review-by"),
        ("grading", {"source_reliability": "Z"}, "source_reliability", ""),
        ("sharing", {"distribution": "named"}, "named_organisations", "organisations"),
        (
            "sharing",
            {"distribution": "named", "named_organisations": "999999"},
            "named_organisations",
            "",
        ),
    ],
)
def test_bad_input_gives_field_errors_and_saves_nothing(
    cast, client_for, step, data, field, message
):
    client = client_for("member_a")
    _start(client, cast)
    draft = Item.objects.get(submitted_by=cast.users["member_a"])
    base = {"details": _details(), "grading": _grading(), "sharing": {"distribution": "qsg"}}[step]
    response = _step(client, draft.pk, step, {**base, **data})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="#id_{field}' in body
    assert message in body
    draft.refresh_from_db()
    assert draft.summary == "" and draft.source_reliability == ""


@pytest.mark.django_db
def test_unknown_provider_and_outside_provider_needs_a_reason(cast, client_for):
    client = client_for("member_a")
    response = _start(client, cast, providers="ZZZ9")
    assert "No provider in this footprint has the ODS code ZZZ9" in response.content.decode()
    outside = cast.providers["provider_c1"]
    response = _start(client, cast, providers=outside.ods_code, form_token="t2")
    body = response.content.decode()
    assert "outside your QSGs" in body and 'href="#id_outside_reason"' in body
    assert not Item.objects.exists()
    response = _start(
        client,
        cast,
        providers=outside.ods_code,
        outside_reason="Patients from our area use it",
        form_token="t3",
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_list_detail_search_and_export_show_only_what_is_shared(cast, client_for):
    shared = released(cast, summary="Shared with the QSG about cleanliness")
    own_only = released(
        cast,
        summary="Kept inside my organisation cleanliness",
        distribution=Distribution.ORGANISATION,
    )
    pending = submit(cast, summary="Waiting for triage cleanliness")
    for username, sees in {
        "member_a": {shared, own_only, pending},  # their own organisation's items
        "cqc_a": {shared},
        "observer_a": {shared},
        "secretariat_a": {shared, own_only, pending},  # the QSG's team sees every submission
        "member_b": set(),
        "outsider": set(),
    }.items():
        client = client_for(username)
        for item in (shared, own_only, pending):
            status = client.get(
                reverse("surveillance:intelligence-detail", args=[item.pk])
            ).status_code
            assert status == (200 if item in sees else 404), (username, item.summary)
        listed = client.get(reverse("surveillance:intelligence-list"), {"q": "cleanliness"})
        if username == "outsider":
            assert listed.status_code == 200
        body = listed.content.decode()
        for item in (shared, own_only, pending):
            assert (item.summary in body) == (item in sees), (username, item.summary)
        assert f"{len(sees)} item" in body  # the count leaks nothing either
        rows = _csv(client.get(reverse("surveillance:intelligence-export"), {"q": "cleanliness"}))
        assert {r["Summary"] for r in rows} == {i.summary for i in sees}


@pytest.mark.django_db
def test_do_not_attribute_hides_the_organisation_in_pages_and_csv(cast, client_for):
    item = released(cast, summary="Anonymous concern about governance", do_not_attribute=True)
    name = cast.orgs["icb_a"].name
    for username in ("cqc_a", "observer_a", "chair_a"):
        client = client_for(username)
        detail = client.get(
            reverse("surveillance:intelligence-detail", args=[item.pk])
        ).content.decode()
        listing = client.get(reverse("surveillance:intelligence-list")).content.decode()
        export = client.get(reverse("surveillance:intelligence-export")).content.decode()
        for body in (detail, listing, export):
            assert name not in body, username
            assert "Member Person" not in body and "Member A" not in body
        assert "Not attributed" in detail and "Not attributed" in export
        # Filtering by the organisation finds nothing: no inference by elimination.
        filtered = client.get(
            reverse("surveillance:intelligence-list"), {"organisation": cast.orgs["icb_a"].pk}
        )
        assert item.summary not in filtered.content.decode()
    secretariat = client_for("secretariat_a")
    assert (
        name
        in secretariat.get(
            reverse("surveillance:intelligence-detail", args=[item.pk])
        ).content.decode()
    )
    assert name in secretariat.get(reverse("surveillance:intelligence-export")).content.decode()


@pytest.mark.django_db
def test_csv_cells_are_neutralised_against_formulas(cast, client_for):
    released(cast, summary='=HYPERLINK("http://evil")', service_site="+cmd")
    rows = _csv(client_for("cqc_a").get(reverse("surveillance:intelligence-export")))
    assert rows[0]["Summary"].startswith("'=")
    assert rows[0]["Service or site"] == "'+cmd"


@pytest.mark.django_db
def test_views_other_than_qsg_members_go_to_the_access_log(cast, client_for):
    named = released(
        cast,
        summary="Shared by name with the CQC",
        distribution=Distribution.NAMED,
        named_organisations=[cast.orgs["cqc"]],
    )
    members = released(cast, summary="Shared with members")
    client = client_for("cqc_a")
    client.get(reverse("surveillance:intelligence-detail", args=[named.pk]))
    client.get(reverse("surveillance:intelligence-detail", args=[members.pk]))
    client.get(reverse("surveillance:intelligence-export"))
    log = IntelligenceAccess.objects.filter(user=cast.users["cqc_a"])
    assert sorted(log.values_list("item_id", "channel")) == [
        (named.pk, "export"),
        (named.pk, "page"),
    ]
    page = client_for("secretariat_a").get(reverse("surveillance:intelligence-access-log"))
    body = page.content.decode()
    assert named.reference in body and "Cqc A" in body
    assert (
        client_for("cqc_a").get(reverse("surveillance:intelligence-access-log")).status_code == 404
    )


@pytest.mark.django_db
def test_corroboration_counts_for_members_names_for_the_secretariat(cast, client_for):
    item = released(cast, summary="Concern others may share")
    url = reverse("surveillance:intelligence-corroborate", args=[item.pk])
    assert client_for("cqc_a").post(url, {"note": "We had two complaints"}).status_code == 302
    assert client_for("observer_a").post(url, {"note": ""}).status_code == 302
    member = client_for("member_a").get(reverse("surveillance:intelligence-detail", args=[item.pk]))
    body = member.content.decode()
    assert "2 organisations hold similar intelligence" in body
    assert cast.orgs["cqc"].name not in body and cast.orgs["la_a"].name not in body
    sec = client_for("secretariat_a").get(
        reverse("surveillance:intelligence-detail", args=[item.pk])
    )
    assert cast.orgs["cqc"].name in sec.content.decode()
    # PID in the note is refused and kept.
    bad = client_for("chair_a").post(url, {"note": f"NHS {NHS_NUMBER}"})
    assert "NHS number" in bad.content.decode() and NHS_NUMBER in bad.content.decode()


@pytest.mark.django_db
def test_triage_queue_triage_and_merge(cast, client_for):
    first = submit(cast, summary="First report of the same thing", theme=None)
    second = submit(cast, summary="Second report of the same thing")
    sec = client_for("secretariat_a")
    queue = sec.get(reverse("surveillance:intelligence-triage-queue")).content.decode()
    assert first.reference in queue and second.reference in queue
    assert (
        client_for("member_a").get(reverse("surveillance:intelligence-triage-queue")).status_code
        == 404
    )
    url = reverse("surveillance:intelligence-triage", args=[first.pk])
    assert client_for("chair_a").get(url).status_code == 403
    bad = sec.post(url, {"theme": "", "providers": "NOPE1"})
    assert "Choose a theme" in bad.content.decode() or "theme" in bad.content.decode()
    ok = sec.post(
        url,
        {
            "theme": Theme.objects.get(code="staffing").pk,
            "providers": cast.providers["provider_a1"].ods_code,
            "for_next_meeting": "on",
        },
    )
    assert ok.status_code == 302
    first.refresh_from_db()
    assert first.status == Item.Status.TRIAGED and first.for_next_meeting
    merge = sec.post(
        reverse("surveillance:intelligence-merge", args=[second.pk]), {"into": first.reference}
    )
    assert merge.status_code == 302
    second.refresh_from_db()
    assert second.merged_into_id == first.pk
    merged = sec.get(reverse("surveillance:intelligence-detail", args=[second.pk])).content
    link = reverse("surveillance:intelligence-detail", args=[first.pk])
    assert f'duplicate of <a href="{link}">{first.reference}</a>' in merged.decode()
    assert "&lt;a href" not in merged.decode()
    wrong = sec.post(
        reverse("surveillance:intelligence-merge", args=[first.pk]), {"into": "INT-0000-000000"}
    )
    assert "No other item of this QSG has that reference" in wrong.content.decode()


@pytest.mark.django_db
def test_widen_by_owner_and_refused_narrowing(cast, client_for):
    item = released(cast, summary="Kept to the QSG for now")
    client_for("cqc_a").get(reverse("surveillance:intelligence-detail", args=[item.pk]))
    url = reverse("surveillance:intelligence-widen", args=[item.pk])
    assert client_for("cqc_a").get(url).status_code == 403
    owner = client_for("member_a")
    narrowed = owner.post(url, {"distribution": "organisation"})
    assert "cannot be narrowed" in narrowed.content.decode()
    widened = owner.post(url, {"distribution": "region"})
    assert widened.status_code == 302
    item.refresh_from_db()
    assert item.distribution == Distribution.REGION
    assert (
        client_for("reviewer")
        .get(reverse("surveillance:intelligence-detail", args=[item.pk]))
        .status_code
        == 200
    )


@pytest.mark.django_db
def test_provider_page_timeline_and_home_panel(cast, client_for):
    item = released(cast, summary="Timeline entry about the provider")
    hidden = released(cast, summary="Not for the observer", distribution=Distribution.ORGANISATION)
    client = client_for("observer_a")
    page = client.get(reverse("qsg:provider-detail", args=[cast.providers["provider_a1"].pk]))
    body = page.content.decode()
    assert "Soft intelligence" in body and item.summary in body and hidden.summary not in body
    home = client.get(reverse("qsg:home")).content.decode()
    assert item.reference in home and hidden.reference not in home
    assert "Intelligence" in home  # the navigation item


@pytest.mark.django_db
def test_filters_and_bad_filter_values_do_not_fail(cast, client_for):
    released(cast, summary="Safety item", quality_dimension="safety")
    released(
        cast, summary="Experience item", quality_dimension="experience", source_type="complaint"
    )
    client = client_for("cqc_a")
    url = reverse("surveillance:intelligence-list")
    body = client.get(url, {"dimension": "experience"}).content.decode()
    assert "Experience item" in body and "Safety item" not in body
    body = client.get(url, {"source_type": "complaint", "status": "triaged"}).content.decode()
    assert "Experience item" in body and "Safety item" not in body
    for junk in (
        {"provider": "abc"},
        {"qsg": "999999"},
        {"observed_after-day": "40", "observed_after-month": "1", "observed_after-year": "2020"},
        {"q": "'); drop table --"},
        {"q": "&|!:*"},
        {"page": "999"},
    ):
        response = client.get(url, junk)
        assert response.status_code == 200, junk
        assert client.get(reverse("surveillance:intelligence-export"), junk).status_code == 200


@pytest.mark.django_db
def test_list_and_export_queries_do_not_grow_with_the_items(cast, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("cqc_a")

    def count(name):
        client.get(reverse(name))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    released(cast, summary="One item")
    few = {
        n: count(n) for n in ("surveillance:intelligence-list", "surveillance:intelligence-export")
    }
    for i in range(6):
        released(
            cast,
            summary=f"More items {i}",
            providers=[cast.providers["provider_a1"], cast.providers["provider_a2"]],
        )
    many = {n: count(n) for n in few}
    assert many == few, (few, many)
    assert few["surveillance:intelligence-list"] < 25


def test_search_with_a_nul_character_or_huge_text_is_answered_not_a_500(cast, client_for):
    client = client_for("member_a")
    for text in ("staffing\x00", "x" * 5000):
        page = client.get(reverse("surveillance:intelligence-list"), {"q": text})
        assert page.status_code in (200, 400)
        api = client.get("/api/v1/intelligence/", {"search": text})
        assert api.status_code in (200, 400)


@pytest.mark.django_db
def test_named_organisation_picker_lists_the_qsgs_members_first(cast, client_for):
    """Over a hundred organisations in a real region: the QSG's own members are shown as a
    short list, every other organisation sits under its type, and a chosen one stays visible."""
    client = client_for("member_a")
    _start(client, cast)
    draft = Item.objects.get(submitted_by=cast.users["member_a"])
    url = reverse("surveillance:intelligence-step", args=[draft.pk, "sharing"])
    body = client.get(url).content.decode()
    members_at = body.index("Members of Area A QSG")
    others_at = body.index("Other organisations")
    for key in ("icb_a", "cqc", "la_a", "hw_a"):
        assert members_at < body.index(f'value="{cast.orgs[key].pk}"') < others_at
    outside = cast.orgs["icb_c"]  # not a member of QSG A: under its type, in a closed group
    assert body.index(f'value="{outside.pk}"') > others_at

    # Refused (no organisation chosen): the error links to the first box; the choice is kept.
    refused = _step(client, draft.pk, "sharing", {"distribution": "named"})
    assert 'href="#id_named_organisations"' in refused.content.decode()
    assert 'id="id_named_organisations"' in refused.content.decode()

    # An outside organisation chosen: it is saved, and its group opens when the page returns.
    saved = _step(
        client, draft.pk, "sharing", {"distribution": "named", "named_organisations": outside.pk}
    )
    assert saved.status_code == 302
    assert list(Item.objects.get(pk=draft.pk).named_organisations.all()) == [outside]
    again = client.get(url).content.decode()
    box = again.index(f'value="{outside.pk}"')
    assert "checked" in again[box : again.index(">", box)]
    group_start = again.rindex("<details", 0, box)
    assert " open" in again[group_start : again.index(">", group_start)]


@pytest.mark.django_db
def test_delete_a_draft_after_confirming(cast, client_for):
    client = client_for("member_a")
    _start(client, cast)
    draft = Item.objects.get(submitted_by=cast.users["member_a"])
    url = reverse("surveillance:intelligence-draft-delete", args=[draft.pk])
    assert url in client.get(reverse("surveillance:intelligence-new")).content.decode()
    assert (
        url
        in client.get(reverse("surveillance:intelligence-check", args=[draft.pk])).content.decode()
    )
    confirm = client.get(url).content.decode()
    assert "Are you sure you want to delete this draft?" in confirm
    assert Item.objects.filter(pk=draft.pk).exists()  # asking is not deleting

    done = client.post(url)
    assert done["Location"] == reverse("surveillance:intelligence-new")
    assert not Item.objects.filter(pk=draft.pk).exists()
    assert client.post(url).status_code == 404  # a second click finds nothing to delete

    # A submitted item is not a draft: nobody can delete it this way.
    item = submit(cast)
    assert (
        client.post(reverse("surveillance:intelligence-draft-delete", args=[item.pk])).status_code
        == 404
    )
    assert Item.objects.filter(pk=item.pk).exists()
