"""The intelligence API: submission, reading, search, corroboration, triage, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from surveillance.intelligence.models import (
    SUMMARY_MAX,
    Corroboration,
    IntelligenceAccess,
    IntelligenceItem,
    ItemSighting,
)
from tests.cast import EVERYONE

from .factories import Distribution, api_body, released, submit
from .test_access import AUTHOR, RELEASED_AUDIENCE, TEAM_A

pytestmark = pytest.mark.django_db
URL = "/api/v1/intelligence/"


def payload(cast, **overrides) -> dict:
    return api_body(cast, **overrides)


def post(client, body, **headers):
    return client.post(URL, body, content_type="application/json", **headers)


def test_submit_gives_201_with_the_id_and_detail_reads_it(cast, client_for):
    client = client_for("member_a")
    response = post(client, payload(cast))
    assert response.status_code == 201, response.json()
    item_id = response.json()["id"]
    assert response.json()["reference"].startswith("INT-")
    detail = client.get(f"{URL}{item_id}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "submitted"
    assert detail.json()["submitting_organisation_name"] == "Alpha Integrated Care Board"


def test_double_submit_with_one_key_creates_one_item(cast, client_for):
    client = client_for("member_a")
    before = IntelligenceItem.objects.count()
    first = post(client, payload(cast), HTTP_IDEMPOTENCY_KEY="key-123")
    second = post(client, payload(cast), HTTP_IDEMPOTENCY_KEY="key-123")
    third = post(client, payload(cast, idempotency_key="body-key"))
    fourth = post(client, payload(cast, idempotency_key="body-key"))
    assert first.status_code == second.status_code == third.status_code == 201
    assert fourth.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert third.json()["id"] == fourth.json()["id"] != first.json()["id"]
    assert IntelligenceItem.objects.count() == before + 2


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"providers": [999999]}, "providers", "not found"),
        ({"providers": []}, "providers", "Choose the provider"),
        ({"summary": "x" * (SUMMARY_MAX + 1)}, "summary", f"{SUMMARY_MAX} characters or fewer"),
        ({"details": ""}, "details", "Enter the details"),
        (
            {"named_organisations": [999999], "distribution": "named"},
            "named_organisations",
            "not found",
        ),
        ({"distribution": "named"}, "named_organisations", "at least one"),
        ({"distribution": "everyone"}, "distribution", ""),
        ({"qsg": 999999}, "qsg", "QSG you belong to"),
        ({"source_reliability": "G"}, "source_reliability", ""),
        ({"information_certainty": 7}, "information_certainty", ""),
        ({"observed_from": "2026-02-30"}, "observed_from", ""),
        ({"details": "Patient NHS number 943 476 5919 was left waiting"}, "details", "NHS number"),
        ({"summary": "Mrs Jones complained"}, "summary", ""),
        ({"service_site": "Ward 3, call 020 7946 0958"}, "service_site", "phone"),
        ({"summary": "bad \ud800 surrogate"}, "summary", ""),
        ({"summary": "nul \x00 byte"}, "summary", ""),
        ({"do_not_attribute": "perhaps"}, "do_not_attribute", ""),
    ],
)
def test_bad_input_gives_field_errors_and_saves_nothing(cast, client_for, overrides, field, words):
    client = client_for("member_a")
    before = IntelligenceItem.objects.count()
    response = post(client, payload(cast, **overrides))
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert words.lower() in " ".join(errors[field]).lower()
    assert IntelligenceItem.objects.count() == before


def test_dates_in_the_future_or_out_of_order_are_refused(cast, client_for):
    client = client_for("member_a")
    today = timezone.localdate()
    future = post(client, payload(cast, observed_from=(today + dt.timedelta(days=2)).isoformat()))
    assert "observed_from" in future.json()
    backwards = post(
        client,
        payload(
            cast,
            observed_from=(today - dt.timedelta(days=3)).isoformat(),
            observed_to=(today - dt.timedelta(days=9)).isoformat(),
        ),
    )
    assert "observed_to" in backwards.json()
    early_review = post(
        client,
        payload(
            cast,
            observed_from=(today - dt.timedelta(days=9)).isoformat(),
            observed_to=None,
            review_by=(today - dt.timedelta(days=10)).isoformat(),
        ),
    )
    assert early_review.status_code == 400
    assert "review_by" in early_review.json()


def test_a_provider_outside_the_submitters_qsgs_needs_a_reason(cast, client_for):
    client = client_for("member_a")
    outside = [cast.providers["provider_c1"].pk]
    refused = post(client, payload(cast, providers=outside))
    assert refused.status_code == 400
    message = refused.json()["outside_reason"][0]
    assert str(outside[0]) in message, "named by the id the caller sent"
    assert "Charlie University Hospitals" not in message, "not by a name they may not see"
    accepted = post(
        client,
        payload(
            cast,
            providers=outside,
            outside_reason="Our residents travel to this trust for maternity care.",
        ),
    )
    assert accepted.status_code == 201, accepted.json()


def test_people_without_a_role_in_the_qsg_cannot_submit_to_it(cast, client_for):
    for username in ("member_b", "outsider", "regional_secretariat"):
        response = post(client_for(username), payload(cast))
        assert response.status_code == 400
        assert "qsg" in response.json()


def _visibility_items(cast):
    items = {}
    for distribution in Distribution.values:
        named = [cast.orgs["icb_b"], cast.orgs["cqc"]] if distribution == Distribution.NAMED else []
        word = f"zebrafinch{distribution}"
        items[("released", distribution)] = released(
            cast,
            distribution=distribution,
            named_organisations=named,
            details=f"Concern recorded under {word}released for the matrix.",
        )
        items[("submitted", distribution)] = submit(
            cast,
            distribution=distribution,
            named_organisations=named,
            details=f"Concern recorded under {word}submitted for the matrix.",
        )
    return items


def _expected(key, username):
    state, distribution = key
    audience = {AUTHOR} | TEAM_A
    if state == "released":
        audience |= RELEASED_AUDIENCE[distribution]
    return username in audience


def test_list_detail_and_search_follow_the_visibility_matrix(cast, client_for):
    items = _visibility_items(cast)
    for username in sorted(EVERYONE):
        client = client_for(username)
        listed = client.get(URL, {"page_size": 500}).json()
        ids = {row["id"] for row in listed["results"]}
        expected = {i.pk for k, i in items.items() if _expected(k, username)}
        assert ids == expected, username
        assert listed["count"] == len(expected)
        for key, item in items.items():
            state, distribution = key
            detail = client.get(f"{URL}{item.pk}/")
            assert detail.status_code == (200 if _expected(key, username) else 404), (
                username,
                key,
            )
            found = client.get(URL, {"search": f"zebrafinch{distribution}{state}"}).json()
            if _expected(key, username):
                assert [r["id"] for r in found["results"]] == [item.pk]
            else:
                # No title, and no count that betrays the item.
                assert found == {
                    "count": 0,
                    "count_capped": False,
                    "next": None,
                    "previous": None,
                    "results": [],
                }


def test_search_uses_words_not_substrings_and_pages(cast, client_for):
    for n in range(5):
        released(cast, details=f"Repeated cancellations of theatre lists, report {n}.")
    released(cast, details="Nothing to do with operations.")
    client = client_for("cqc_a")
    page = client.get(URL, {"search": "cancelled theatre", "page_size": 2}).json()
    assert page["count"] == 5  # stemming: cancelled ~ cancellations
    assert len(page["results"]) == 2
    assert page["next"]
    assert client.get(URL, {"page_size": 0}).status_code == 400


def test_filters(cast, client_for):
    a1 = released(cast)
    a2 = released(cast, providers=[cast.providers["provider_a2"]], quality_dimension="experience")
    client = client_for("cqc_a")

    def ids(**params):
        return {r["id"] for r in client.get(URL, params).json()["results"]}

    assert ids(provider=cast.providers["provider_a2"].pk) == {a2.pk}
    assert ids(dimension="experience") == {a2.pk}
    assert a1.pk in ids(qsg=cast.qsgs["a"].pk)
    assert ids(provider=999999) == set()
    assert client.get(URL, {"dimension": "nonsense"}).status_code == 400
    assert client.get(URL, {"qsg": ""}).status_code == 400


def test_do_not_attribute_hides_the_source_from_all_but_the_secretariat(
    cast, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for("member_a"), payload(cast, do_not_attribute=True))
    item_id = response.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        triage = client_for("secretariat_a").post(
            f"{URL}{item_id}/triage/", {"for_next_meeting": True}, content_type="application/json"
        )
    assert triage.status_code == 200, triage.json()
    name = "Alpha Integrated Care Board"
    for username in ("cqc_a", "observer_a", "chair_a"):
        client = client_for(username)
        assert name not in client.get(f"{URL}{item_id}/").content.decode()
        assert name not in client.get(URL).content.decode()
        body = client.get(f"{URL}{item_id}/").json()
        assert body["submitting_organisation"] is None
        assert body["submitted_by_name"] is None
    secretariat = client_for("secretariat_a").get(f"{URL}{item_id}/").json()
    assert secretariat["submitting_organisation_name"] == name
    assert len(mail.outbox) == 2  # the secretariat on submission, the submitter on triage
    for message in mail.outbox:
        assert name not in message.subject + message.body
        assert "Night shifts" not in message.body  # links, never content
    assert mail.outbox[0].to == ["secretariat_a@example.nhs.uk"]
    assert mail.outbox[1].to == ["member_a@example.nhs.uk"]


def test_corroboration_counts_without_names_except_for_the_secretariat(cast, client_for):
    item = released(cast)
    first = client_for("cqc_a").post(
        f"{URL}{item.pk}/corroborate/", {"note": "Similar reports"}, content_type="application/json"
    )
    again = client_for("cqc_a").post(
        f"{URL}{item.pk}/corroborate/", {}, content_type="application/json"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    client_for("observer_a").post(
        f"{URL}{item.pk}/corroborate/", {}, content_type="application/json"
    )
    assert Corroboration.objects.filter(item=item).count() == 2
    member = client_for("member_a").get(f"{URL}{item.pk}/").json()["corroborations"]
    assert member == {"count": 2, "ours": False, "organisations": []}
    cqc = client_for("cqc_a").get(URL).json()["results"][0]["corroborations"]
    assert cqc["ours"] is True and cqc["organisations"] == []
    sec = client_for("secretariat_a").get(f"{URL}{item.pk}/").json()["corroborations"]
    assert sec["organisations"] == ["Alpha Borough Council", "Care Quality Commission, Test North"]
    own = client_for("member_a").post(
        f"{URL}{item.pk}/corroborate/", {}, content_type="application/json"
    )
    assert own.status_code == 403


def test_reads_other_than_qsg_members_are_logged(cast, client_for):
    shared = released(cast)
    # Named organisations read it only with a role in the QSG (Alpha Borough Council's
    # observer_a has one; Bravo ICB's member_b, in QSG B only, would get a 404).
    named = released(cast, distribution=Distribution.NAMED, named_organisations=[cast.orgs["la_a"]])
    client_for("cqc_a").get(f"{URL}{shared.pk}/")
    client_for("observer_a").get(f"{URL}{named.pk}/")
    client_for("observer_a").get(f"{URL}{named.pk}/")
    assert not IntelligenceAccess.objects.filter(item=shared).exists()
    log = IntelligenceAccess.objects.filter(item=named)
    assert log.count() == 2
    assert {a.user.username for a in log} == {"observer_a"}
    assert {a.channel for a in log} == {"api"}
    assert ItemSighting.objects.filter(item=shared, user=cast.users["cqc_a"]).exists()


def test_list_queries_are_constant(cast, client_for, django_assert_max_num_queries):
    client = client_for("cqc_a")
    for _ in range(3):
        released(cast)
    released(cast, distribution=Distribution.REGION)  # a logged read: one INSERT in both counts
    client.get(URL)
    with django_assert_max_num_queries(15) as few:
        client.get(URL)
    for _ in range(12):
        released(cast, distribution=Distribution.REGION)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_submitted_while_the_broker_is_down_it_is_stored_and_the_secretariat_told_later(
    cast, client_for, broker_at, closed_port, django_capture_on_commit_callbacks
):
    from qsg import notifications
    from qsg.models import Notification

    broker_at(f"redis://127.0.0.1:{closed_port}/0")
    client = client_for("member_a")
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, payload(cast))
    with django_capture_on_commit_callbacks(execute=True):
        second = post(client, payload(cast, summary="Night shifts short again"))
    assert first.status_code == second.status_code == 201
    kept = list(Notification.objects.order_by("pk"))
    assert [n.status for n in kept] == [Notification.Status.NOT_QUEUED] * 2
    # The first request tried the broker; the second was not made to wait for it.
    assert "connecting" in kept[0].error and "not tried" in kept[1].error
    assert mail.outbox == []

    broker_at(None)  # the broker is back; beat's sweep sends what was kept
    assert notifications.requeue() == 2
    assert [m.to for m in mail.outbox] == [["secretariat_a@example.nhs.uk"]] * 2
    for message, response in zip(mail.outbox, (first, second), strict=True):
        assert f"/intelligence/{response.json()['id']}/" in message.body
        assert "Night shifts" not in message.subject + message.body  # links, never content
